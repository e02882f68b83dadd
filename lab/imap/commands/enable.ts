import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { textOf } from '../imap-parser.ts';
import { ok, type HandlerResult } from '../command-result.ts';

// ENABLE (RFC 5161): the client turns on extensions that change how the server talks. Here
// UTF8=ACCEPT (RFC 6855 section 3): folder names in UTF-8 instead of modified UTF-7, and APPEND's
// UTF8 (literal8). Names this server does not know are ignored (RFC 5161 section 3.1).
export async function enable(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const enabled: string[] = [];
  for (const arg of cmd.args) {
    const name = (textOf(arg) ?? '').toUpperCase();
    if (name === 'UTF8=ACCEPT' && !conn.utf8) {
      conn.utf8 = true;
      enabled.push(name);
    }
  }
  conn.send(`* ENABLED${enabled.map((e) => ` ${e}`).join('')}`);
  return ok('Enabled');
}
