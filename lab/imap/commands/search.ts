import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, type HandlerResult } from '../command-result.ts';
import { parseSearch, matches, needs, BadCharsetError, CHARSETS, type TextCache } from '../search-query.ts';
import { BATCH } from '../../mailbox/maildir.ts';

// SEARCH and UID SEARCH (RFC 3501 sections 6.4.4, 6.4.8). Flags come from the file names, header
// fields and dates from the index; BODY, TEXT and HEADER read the files.
export function search(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, false);
}

export function uidSearch(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, true);
}

async function run(conn: ImapConnection, cmd: ParsedCommand, byUid: boolean): Promise<HandlerResult> {
  let key;
  try {
    key = parseSearch(cmd.args);
  } catch (err) {
    if (err instanceof BadCharsetError) return no(`Unsupported charset ${err.message.slice(0, 30)}`, `BADCHARSET (${CHARSETS.join(' ')})`);
    throw err;
  }
  const selected = conn.selected!;
  const maildir = selected.maildir;
  const need = needs(key);
  const uids = selected.uids;
  const maxUid = uids.length ? uids[uids.length - 1] : 0;
  const found: number[] = [];
  const cache: { text?: TextCache } = {};
  for (let i = 0; i < uids.length; i++) {
    const uid = uids[i];
    const rec = maildir.get(uid);
    if (!rec) continue; // expunged by someone else; the EXPUNGE is still to be told
    let content: ReturnType<typeof maildir.content> | null = null;
    const entry = () => (need.content ? (content ??= maildir.content(rec))?.entry : maildir.entryOf(rec));
    const hit = matches(key, {
      seq: i + 1,
      uid,
      maxSeq: uids.length,
      maxUid,
      letters: rec.letters,
      flags: () => maildir.flagsOf(rec),
      recent: selected.recent.has(uid),
      entry,
      internalDate: () => {
        const e = entry();
        return e && maildir.internalDate(rec, e);
      },
      content: () => (content ??= maildir.content(rec))?.data,
    }, cache);
    if (hit) found.push(byUid ? uid : i + 1);
    if ((need.entry || need.content) && i % BATCH === BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  if (need.entry) // the index is written after the reply has gone out: the client does not wait for it
  setImmediate(() => void maildir.saveIndex());
  conn.send(found.length ? `* SEARCH ${found.join(' ')}` : '* SEARCH');
  return ok('Search completed');
}
