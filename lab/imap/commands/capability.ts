import type { ImapConnection } from '../imap-connection.ts';
import { ok, type HandlerResult } from '../command-result.ts';

// CAPABILITY (RFC 3501 section 6.1.1)
export async function capability(conn: ImapConnection): Promise<HandlerResult> {
  conn.send(`* CAPABILITY ${conn.capabilities().join(' ')}`);
  return ok('Capability completed');
}
