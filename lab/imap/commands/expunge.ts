import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, type HandlerResult } from '../command-result.ts';
import { parseSequenceSet } from '../sequence-set.ts';

// EXPUNGE (RFC 3501 section 6.4.3) and UID EXPUNGE (UIDPLUS, RFC 4315 section 2.1): remove
// messages with \Deleted; the EXPUNGE responses go out with the tagged reply.
export function expunge(conn: ImapConnection): Promise<HandlerResult> {
  return run(conn, undefined);
}

export function uidExpunge(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, (cmd.args[0] as { value: string }).value);
}

async function run(conn: ImapConnection, set: string | undefined): Promise<HandlerResult> {
  const selected = conn.selected!;
  if (selected.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  let uids = selected.uids;
  if (set !== undefined) uids = selected.resolve(parseSequenceSet(set)!, true).map((p) => selected.uids[p]);
  const deleted = uids.filter((uid) => selected.maildir.get(uid)?.letters.includes('T'));
  if (deleted.length) await selected.maildir.expunge(deleted, conn);
  return ok('Expunge completed');
}
