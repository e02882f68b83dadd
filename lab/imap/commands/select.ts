import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, type HandlerResult } from '../command-result.ts';
import { mailboxArg } from '../command-args.ts';
import { SelectedMailbox } from '../selected-mailbox.ts';

// SELECT and EXAMINE (RFC 3501 sections 6.3.1, 6.3.2). A SELECT while a folder is selected
// leaves that folder first (without expunging); if the new one cannot be opened, none is.
export function select(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return open(conn, cmd, false);
}

export function examine(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return open(conn, cmd, true);
}

async function open(conn: ImapConnection, cmd: ParsedCommand, readOnly: boolean): Promise<HandlerResult> {
  const name = mailboxArg(cmd.args[0], conn.utf8);
  conn.deselect();
  const maildir = await conn.server.store.folder(conn.user, name);
  if (!maildir) return no(`Mailbox doesn't exist: ${name}`, 'NONEXISTENT');
  const selected = new SelectedMailbox(maildir, name, readOnly, conn);
  await conn.select(selected);
  for (const line of selected.flagLines()) conn.send(line);
  conn.send(`* ${selected.exists} EXISTS`);
  conn.send(`* ${selected.recent.size} RECENT`);
  const unseen = selected.firstUnseen();
  if (unseen !== undefined) conn.send(`* OK [UNSEEN ${unseen}] First unseen.`);
  conn.send(`* OK [UIDVALIDITY ${maildir.uidValidity}] UIDs valid`);
  conn.send(`* OK [UIDNEXT ${maildir.uidNext}] Predicted next UID`);
  // step 8 is reported with the whole exchange, the tagged OK included
  return { ...ok(`${readOnly ? 'Examine' : 'Select'} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE'), after: () => conn.reportRequest(name) };
}
