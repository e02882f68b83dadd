import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { textOf } from '../imap-parser.ts';
import { no, bad, type CommandResult, type HandlerResult } from '../command-result.ts';
import { verifyLogin } from './login.ts';

// AUTHENTICATE PLAIN (RFC 3501 section 6.2.2, RFC 4616): "authzid NUL authcid NUL password" in
// base64, either right after the mechanism (SASL-IR, RFC 4959) or after a "+ " continuation.
export async function authenticate(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const mechanism = (textOf(cmd.args[0]) ?? '').toUpperCase();
  if (mechanism !== 'PLAIN') return no(`Unsupported authentication mechanism ${mechanism.slice(0, 20)}`, 'CANNOT');
  if (conn.server.ctx.host.mail?.plaintextAuth === false) return no('Plaintext logins are disabled on this host', 'PRIVACYREQUIRED');
  const initial = textOf(cmd.args[1]);
  if (initial !== undefined) return plain(conn, initial === '=' ? '' : initial);
  conn.send('+ ');
  conn.continuation = async (line: string) => {
    // RFC 3501 section 6.2.2: "*" cancels
    const result = line.trim() === '*' ? bad('Authentication cancelled') : await plain(conn, line.trim());
    await conn.reply(cmd.tag, result);
    if (conn.state === 'logout') conn.end();
  };
  return 'pending';
}

async function plain(conn: ImapConnection, base64: string): Promise<CommandResult> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return bad('Invalid base64 in the authentication response');
  const fields = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  if (fields.length !== 3) return bad('PLAIN needs authzid NUL authcid NUL password');
  const [authzid, authcid, password] = fields;
  // we do not let one user act as another
  if (authzid && authzid.toLowerCase() !== authcid.toLowerCase()) return no('Authorization identity must be empty or the same user', 'AUTHORIZATIONFAILED');
  return verifyLogin(conn, authcid, password, 'AUTHENTICATE PLAIN');
}
