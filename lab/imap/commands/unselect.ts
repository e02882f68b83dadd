import type { ImapConnection } from '../imap-connection.ts';
import { ok, type HandlerResult } from '../command-result.ts';

// UNSELECT (RFC 3691): leave the folder without expunging anything.
export async function unselect(conn: ImapConnection): Promise<HandlerResult> {
  conn.deselect();
  return ok('Unselect completed');
}
