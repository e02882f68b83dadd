import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, bad, type HandlerResult } from '../command-result.ts';
import { MaildirMissingError } from '../../mailbox/maildir.ts';

// IDLE (RFC 2177): "+ idling", then every change of the folder is told as it happens (a
// delivery by the MDA, another session's EXPUNGE), until the client sends DONE.
export async function idle(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const selected = conn.selected;
  if (selected) {
    try {
      await selected.maildir.sync();
    } catch (err) {
      if (!(err instanceof MaildirMissingError)) throw err;
      selected.gone = true;
    }
  }
  conn.idleTag = cmd.tag;
  conn.send('+ idling');
  if (selected) {
    selected.onNews = () => conn.tellNews(true);
    conn.tellNews(true);
  }
  conn.continuation = async (line: string) => {
    if (conn.selected) conn.selected.onNews = undefined;
    conn.idleTag = undefined;
    if (line.trim().toUpperCase() === 'DONE') await conn.reply(cmd.tag, ok('IDLE terminated'));
    else await conn.reply(cmd.tag, bad('Expected DONE to end IDLE'));
  };
  return 'pending';
}
