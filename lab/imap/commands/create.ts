import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, type HandlerResult } from '../command-result.ts';
import { mailboxArg } from '../command-args.ts';

// CREATE (RFC 3501 section 6.3.3): a Maildir++ subfolder (".Archive.2026" for Archive/2026).
export async function create(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  await conn.server.store.createFolder(conn.user, mailboxArg(cmd.args[0], conn.utf8));
  return ok('Create completed');
}
