import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { textOf } from '../imap-parser.ts';
import { ok, no, type CommandResult, type HandlerResult } from '../command-result.ts';
import { checkLogin } from '../../topology/accounts.ts';

// LOGIN (RFC 3501 section 6.2.3): the local part (lee) or the full address (lee@naver.com).
export async function login(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  if (conn.server.ctx.host.mail?.plaintextAuth === false) return no('Plaintext logins are disabled on this host', 'PRIVACYREQUIRED');
  return verifyLogin(conn, textOf(cmd.args[0]) ?? '', textOf(cmd.args[1]) ?? '', 'LOGIN');
}

/** Check a login (LOGIN or AUTHENTICATE PLAIN); a failure waits a moment and is step 8 refused. */
export async function verifyLogin(conn: ImapConnection, login: string, password: string, how: string): Promise<CommandResult> {
  const account = checkLogin(conn.server.ctx.host, login, password);
  if (!account) {
    conn.failedLogins++;
    conn.reportRefused(login.slice(0, 100), how);
    const delay = conn.server.limits.failedLoginDelayMs;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (conn.failedLogins >= conn.server.limits.maxFailedLogins) {
      conn.send('* BYE Too many failed logins');
      conn.state = 'logout';
    }
    return no('Authentication failed.', 'AUTHENTICATIONFAILED');
  }
  conn.loggedIn(account);
  await conn.server.store.ensureInbox(account.user);
  // RFC 3501 section 6.2.3: the capabilities may change after login; say them at once
  return ok(`Logged in as ${account.address}`, `CAPABILITY ${conn.capabilities().join(' ')}`);
}
