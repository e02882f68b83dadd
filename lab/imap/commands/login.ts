import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { textOf } from '../imap-parser.ts';
import { ok, no, type CommandResult, type HandlerResult } from '../command-result.ts';
import type { PlainFields } from '../../host/login-policy.ts';

// LOGIN (RFC 3501 section 6.2.3): the local part (lee) or the full address (lee@naver.com).
export async function login(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return verifyLogin(conn, { authzid: '', authcid: textOf(cmd.args[0]) ?? '', password: textOf(cmd.args[1]) ?? '' }, 'LOGIN');
}

/** Check a login (LOGIN or AUTHENTICATE PLAIN); a failure waits a moment and is step 8 refused. */
export async function verifyLogin(conn: ImapConnection, fields: PlainFields, how: string): Promise<CommandResult> {
  // the host's login policy decides, as for SMTP AUTH and POP3 (and waits on a failure)
  const outcome = await conn.server.ctx.login.login(fields);
  if (!outcome.ok && outcome.reason === 'disabled') return no(`Plaintext logins are disabled on this host (${outcome.message})`, 'PRIVACYREQUIRED');
  if (!outcome.ok && outcome.reason === 'authzid') return no('Authorization identity must be empty or the same user', 'AUTHORIZATIONFAILED');
  if (!outcome.ok) {
    conn.failedLogins++;
    conn.reportRefused(fields.authcid.slice(0, 100), how);
    if (conn.failedLogins >= conn.server.limits.maxFailedLogins) {
      conn.send('* BYE Too many failed logins');
      conn.state = 'logout';
    }
    return no('Authentication failed.', 'AUTHENTICATIONFAILED');
  }
  const account = outcome.account;
  conn.loggedIn(account);
  await conn.server.store.ensureInbox(account.user);
  // RFC 3501 section 6.2.3: the capabilities may change after login; say them at once
  return ok(`Logged in as ${account.address}`, `CAPABILITY ${conn.capabilities().join(' ')}`);
}
