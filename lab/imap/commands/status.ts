import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { textOf } from '../imap-parser.ts';
import { ok, no, bad, type HandlerResult } from '../command-result.ts';
import { mailboxArg } from '../command-args.ts';

// STATUS (RFC 3501 section 6.3.10): a folder's figures without selecting it.
export async function status(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  const name = mailboxArg(cmd.args[0], conn.utf8);
  const list = cmd.args[1];
  if (list.type !== 'list' || list.items.length === 0) return bad('STATUS needs a list of items');
  const items = list.items.map((i) => (textOf(i) ?? '').toUpperCase());
  // APPENDLIMIT: RFC 7889 section 3, the folder's limit (the same for every folder here)
  const known = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'APPENDLIMIT'];
  const unknown = items.find((i) => !known.includes(i));
  if (unknown !== undefined) return bad(`Unknown STATUS item ${unknown.slice(0, 30)}`);
  const maildir = await conn.server.store.folder(conn.user, name);
  if (!maildir) return no(`Mailbox doesn't exist: ${name}`, 'NONEXISTENT');
  await maildir.sync();
  const figures = maildir.status();
  const values: Record<string, number> = {
    MESSAGES: figures.messages,
    RECENT: figures.recent,
    UIDNEXT: figures.uidNext,
    UIDVALIDITY: figures.uidValidity,
    UNSEEN: figures.unseen,
    APPENDLIMIT: conn.server.limits.maxLiteralSize,
  };
  conn.send(`* STATUS ${conn.wireName(name)} (${items.map((i) => `${i} ${values[i]}`).join(' ')})`);
  return ok('Status completed');
}
