import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, type HandlerResult } from '../command-result.ts';
import { mailboxArg } from '../command-args.ts';

// DELETE (RFC 3501 section 6.3.4). INBOX cannot be deleted; subfolders stay. This session
// leaves the folder first if it had it selected; other sessions on it are told BYE.
export async function deleteFolder(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const name = mailboxArg(cmd.args[0], conn.utf8);
  if (conn.selected?.name === name) conn.deselect();
  await conn.server.store.deleteFolder(conn.user, name);
  return ok('Delete completed');
}
