import type { ImapConnection } from '../imap-connection.ts';
import { ok, type HandlerResult } from '../command-result.ts';

// CHECK (RFC 3501 section 6.4.1): a checkpoint. Every change is on disk already; look again.
export async function check(conn: ImapConnection): Promise<HandlerResult> {
  await conn.selected!.maildir.sync();
  return ok('Check completed');
}
