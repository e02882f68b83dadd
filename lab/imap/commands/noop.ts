import type { ImapConnection } from '../imap-connection.ts';
import { ok, type HandlerResult } from '../command-result.ts';
import { MaildirMissingError } from '../../mailbox/maildir.ts';

// NOOP (RFC 3501 section 6.1.2): look at the folder again, so news is told before the reply.
export async function noop(conn: ImapConnection): Promise<HandlerResult> {
  if (conn.selected) {
    try {
      await conn.selected.maildir.sync();
    } catch (err) {
      if (!(err instanceof MaildirMissingError)) throw err;
      conn.selected.gone = true;
    }
  }
  return ok('NOOP completed');
}
