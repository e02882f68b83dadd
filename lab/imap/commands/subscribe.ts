import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, type HandlerResult } from '../command-result.ts';
import { mailboxArg } from '../command-args.ts';
import { folderComponents } from '../../mailbox/names.ts';

// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 sections 6.3.6, 6.3.7): the subscriptions file.
export async function subscribe(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const name = mailboxArg(cmd.args[0], conn.utf8);
  folderComponents(name); // a name that could never be a folder is refused here
  await conn.server.store.setSubscribed(conn.user, name, true);
  return ok('Subscribe completed');
}

export async function unsubscribe(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  await conn.server.store.setSubscribed(conn.user, mailboxArg(cmd.args[0], conn.utf8), false);
  return ok('Unsubscribe completed');
}
