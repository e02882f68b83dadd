import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, type HandlerResult } from '../command-result.ts';
import { mailboxArg } from '../command-args.ts';
import { parseSequenceSet, formatSet } from '../sequence-set.ts';
import type { Maildir } from '../../mailbox/maildir.ts';

// COPY (RFC 3501 section 6.4.7) with COPYUID (UIDPLUS, RFC 4315).
export function copy(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, false);
}

export function uidCopy(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, true);
}

async function run(conn: ImapConnection, cmd: ParsedCommand, byUid: boolean): Promise<HandlerResult> {
  const copied = await copyMessages(conn, cmd, byUid);
  if ('response' in copied) return copied;
  if (!copied.pairs.length) return ok('Copy completed (no messages)');
  return ok('Copy completed', copyUidCode(copied.target, copied.pairs));
}

export function copyUidCode(target: Maildir, pairs: Array<[number, number]>): string {
  return `COPYUID ${target.uidValidity} ${formatSet(pairs.map((p) => p[0]))} ${formatSet(pairs.map((p) => p[1]))}`;
}

/** The copy both COPY and MOVE make: the pairs of UIDs, or the reply when it cannot be done. */
export async function copyMessages(conn: ImapConnection, cmd: ParsedCommand, byUid: boolean) {
  const selected = conn.selected!;
  const ranges = parseSequenceSet((cmd.args[0] as { value: string }).value)!;
  const name = mailboxArg(cmd.args[1], conn.utf8);
  const target = await conn.server.store.folder(conn.user, name);
  if (!target) return no(`Mailbox doesn't exist: ${name}`, 'TRYCREATE');
  await target.sync();
  const uids = selected.resolve(ranges, byUid).map((p) => selected.uids[p]);
  const pairs = await selected.maildir.copyTo(target, uids);
  if (pairs.length < uids.length && uids.some((u) => !selected.maildir.get(u))) {
    return no('Some of the messages were expunged meanwhile', 'EXPUNGEISSUED');
  }
  return { target, pairs, uids };
}
