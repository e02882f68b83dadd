import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, type HandlerResult } from '../command-result.ts';
import { copyMessages, copyUidCode } from './copy.ts';

// MOVE (RFC 6851): copy, then expunge from this folder. The COPYUID comes as an untagged OK
// before the EXPUNGE responses (section 4.3), which the tagged reply flushes.
export function move(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, false);
}

export function uidMove(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, true);
}

async function run(conn: ImapConnection, cmd: ParsedCommand, byUid: boolean): Promise<HandlerResult> {
  if (conn.selected!.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  const copied = await copyMessages(conn, cmd, byUid);
  if ('response' in copied) return copied;
  if (!copied.pairs.length) return ok('Move completed (no messages)');
  conn.send(`* OK [${copyUidCode(copied.target, copied.pairs)}] Moved`);
  await conn.selected!.maildir.expunge(copied.pairs.map((p) => p[0]), conn);
  return ok('Move completed');
}
