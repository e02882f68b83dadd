import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { isNil, textOf } from '../imap-parser.ts';
import { ok, bad, type HandlerResult } from '../command-result.ts';

// ID (RFC 2971): the client says who it is (a list of field/value pairs, or NIL); we say who we are.
export async function id(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const arg = cmd.args[0];
  if (!isNil(arg)) {
    if (arg.type !== 'list' || arg.items.length % 2 !== 0 || arg.items.length > 60) return bad('ID takes NIL or a list of field and value pairs');
    const fields: Record<string, string> = {};
    for (let i = 0; i < arg.items.length; i += 2) {
      const key = textOf(arg.items[i]);
      const value = isNil(arg.items[i + 1]) ? '' : textOf(arg.items[i + 1]);
      if (key === undefined || value === undefined) return bad('ID fields and values are strings');
      fields[key.slice(0, 30)] = value.slice(0, 1024);
    }
    conn.clientId = fields;
  }
  conn.send('* ID ("name" "mail-lab" "version" "0.1.0" "vendor" "mail-lab dovecot role" "support-url" "https://datatracker.ietf.org/doc/html/rfc3501")');
  return ok('ID completed');
}
