import type { ImapConnection } from '../imap-connection.ts';
import { ok, type HandlerResult } from '../command-result.ts';

// CLOSE (RFC 3501 section 6.4.2): remove \Deleted messages without EXPUNGE responses (unless
// the folder was opened read-only), then leave it.
export async function close(conn: ImapConnection): Promise<HandlerResult> {
  const selected = conn.selected!;
  if (!selected.readOnly) {
    const deleted = selected.uids.filter((uid) => selected.maildir.get(uid)?.letters.includes('T'));
    if (deleted.length) await selected.maildir.expunge(deleted, conn);
  }
  conn.deselect();
  return ok('Close completed');
}
