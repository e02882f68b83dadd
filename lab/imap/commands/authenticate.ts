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
  if (!conn.server.ctx.login.plaintextAllowed) return no(`Plaintext logins are disabled on this host (${conn.server.ctx.login.disabledMessage})`, 'PRIVACYREQUIRED');
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
  // decoded by the host's login policy, as SMTP AUTH and POP3 do
  const decoded = conn.server.ctx.login.decodePlain(base64);
  if (!decoded.ok) return bad(`Invalid authentication response: ${decoded.reason}`);
  return verifyLogin(conn, decoded.value, 'AUTHENTICATE PLAIN');
}
