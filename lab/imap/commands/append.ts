import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, bad, type HandlerResult } from '../command-result.ts';
import { mailboxArg, flagsArg } from '../command-args.ts';
import { parseImapDateTime } from '../../mailbox/imap-syntax.ts';

// APPEND (RFC 3501 section 6.3.11) with APPENDUID (UIDPLUS, RFC 4315): mailbox, optional flag
// list, optional date-time, then the message as a literal.
export async function append(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const name = mailboxArg(cmd.args[0], conn.utf8);
  const rest = cmd.args.slice(1);
  let message = rest.pop();
  // RFC 6855 section 4: after ENABLE UTF8=ACCEPT, "UTF8 (~{n}...)" carries a message whose
  // header may be UTF-8 (RFC 6532)
  const last = rest[rest.length - 1];
  if (message?.type === 'list' && last?.type === 'atom' && last.value.toUpperCase() === 'UTF8') {
    if (!conn.utf8) return bad('APPEND UTF8 (...) needs ENABLE UTF8=ACCEPT first (RFC 6855)');
    rest.pop();
    message = message.items.length === 1 ? message.items[0] : undefined;
  }
  if (!message || message.type !== 'string') return bad('APPEND needs the message as a literal');
  let flags: string[] = [];
  if (rest[0]?.type === 'list') flags = flagsArg([rest.shift()!]);
  let date: number | undefined;
  const dateNode = rest[0];
  if (dateNode?.type === 'string') {
    rest.shift();
    date = parseImapDateTime(dateNode.value);
    if (date === undefined) return bad('Invalid date-time (use "17-Jul-1996 02:44:25 -0700")');
  }
  if (rest.length) return bad('APPEND takes a mailbox, (flags), "date-time" and the message');
  const bytes = (message as { bytes: Buffer }).bytes;
  if (bytes.length > conn.server.limits.maxLiteralSize) return no('Message too large', 'TOOBIG');
  if (bytes.length === 0) return no('An empty message cannot be appended');
  const maildir = await conn.server.store.folder(conn.user, name);
  // RFC 3501: TRYCREATE tells the client it may CREATE the folder and try again
  if (!maildir) return no(`Mailbox doesn't exist: ${name}`, 'TRYCREATE');
  await maildir.sync();
  const letters = maildir.keywords.lettersOf(flags, true);
  const uid = await maildir.append(bytes, letters, date);
  return ok('Append completed', `APPENDUID ${maildir.uidValidity} ${uid}`);
}
