import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, type HandlerResult } from '../command-result.ts';
import { mailboxArg } from '../command-args.ts';

// RENAME (RFC 3501 section 6.3.5): subfolders move along; RENAME INBOX moves INBOX's messages
// into a new folder and leaves INBOX empty.
export async function rename(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const from = mailboxArg(cmd.args[0], conn.utf8);
  const to = mailboxArg(cmd.args[1], conn.utf8);
  if (from !== 'INBOX' && conn.selected && (conn.selected.name === from || conn.selected.name.startsWith(`${from}/`))) conn.deselect();
  await conn.server.store.renameFolder(conn.user, from, to);
  if (from === 'INBOX') await conn.selected?.maildir.sync();
  return ok('Rename completed');
}
