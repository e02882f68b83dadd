import type { ImapConnection } from '../imap-connection.ts';
import { ok, type HandlerResult } from '../command-result.ts';

// NAMESPACE (RFC 2342): one personal namespace, no prefix, "/" between levels; no shared ones.
export async function namespace(conn: ImapConnection): Promise<HandlerResult> {
  conn.send('* NAMESPACE (("" "/")) NIL NIL');
  return ok('Namespace completed');
}
