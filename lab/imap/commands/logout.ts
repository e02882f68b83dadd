import type { ImapConnection } from '../imap-connection.ts';
import { ok, type HandlerResult } from '../command-result.ts';

// LOGOUT (RFC 3501 section 6.1.3): BYE, then the tagged OK, then the connection closes.
export async function logout(conn: ImapConnection): Promise<HandlerResult> {
  conn.send('* BYE Logging out');
  conn.deselect();
  conn.state = 'logout';
  return ok('Logout completed');
}
