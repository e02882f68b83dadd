import { crypto, fs } from '../node-builtins.ts';
import type { Maildir, MessageRecord } from './maildir.ts';
import { uniqueOf } from './maildir-name.ts';

// The POP3 view of a user's INBOX: the same Maildir object of the host's MailStore that IMAP
// sessions and the MDA use, so POP3's message order is the IMAP UID order, a RETR's \Seen is a
// flag change every IMAP session hears of, and a QUIT's removals are expunges they are told.
//
// Message files are opened and read synchronously, at most 64 KiB at a time. A Maildir file is
// small (a few KB): a trip through libuv's thread pool costs some 100 microseconds on a busy
// machine, twenty times the read itself, and RETR of a whole mailbox is thousands of them. A
// synchronous read of one chunk holds the event loop for microseconds; between chunks the
// connection yields (socket back-pressure), so a large message never holds it for long.

export interface DropMessage {
  /** the message number, fixed for the session (RFC 1939 section 5) */
  number: number;
  /** the message's UID in the folder: POP3 numbers follow UID order */
  uid: number;
  /** the unique-id listing (RFC 1939 section 7): 1 to 70 characters 0x21 to 0x7E */
  uidl: string;
  /** size in octets as POP3 sends it: every line ending CRLF, before byte-stuffing */
  size: number;
  deleted: boolean;
  /** sent whole by RETR this session: marked seen when the session ends (markRetrievedSeen) */
  retrieved: boolean;
}

/** Files sized between two turns of the event loop when a maildrop opens. */
const SIZING_BATCH = 256;
const CHUNK = 64 * 1024;
/** The largest message read ahead of its RETR (readAhead): one read, one buffer a session. */
const READ_AHEAD_OCTETS = CHUNK - 1;

export class Maildrop {
  readonly maildir: Maildir;
  readonly messages: DropMessage[];

  private constructor(maildir: Maildir, messages: DropMessage[]) {
    this.maildir = maildir;
    this.messages = messages;
  }

  /**
   * The snapshot a POP3 session works on (RFC 1939 section 4: the maildrop as it was at login;
   * mail delivered later waits for the next session). Sizes counted once are kept with the
   * folder's records (a Maildir file's content never changes), so the next login is quick.
   */
  static async open(maildir: Maildir): Promise<Maildrop> {
    await maildir.sync();
    const records = [...maildir.messages];
    let counted = 0;
    const kept: MessageRecord[] = [];
    for (const rec of records) {
      if (rec.pop3Size < 0) {
        const size = countPop3Size(maildir, rec);
        // removed by another session while we looked: not part of this snapshot
        if (size === undefined) continue;
        rec.pop3Size = size;
        // let other sessions and roles run between batches while a big maildrop is sized
        if (++counted % SIZING_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      kept.push(rec);
    }
    const messages = kept.map((rec, i) => ({ number: i + 1, uid: rec.uid, uidl: uidlOf(uniqueOf(rec.base)), size: rec.pop3Size, deleted: false, retrieved: false }));
    return new Maildrop(maildir, messages);
  }

  /** A message by number, deleted or not; undefined if there is no such number. */
  message(number: number): DropMessage | undefined {
    return this.messages[number - 1];
  }

  visible(): DropMessage[] {
    return this.messages.filter((m) => !m.deleted);
  }

  /** STAT's figures: messages not marked deleted and their octets (RFC 1939 section 5). */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const m of this.messages) {
      if (m.deleted) continue;
      count++;
      octets += m.size;
    }
    return { count, octets };
  }

  /** RSET (RFC 1939 section 5): unmark every message marked deleted. */
  reset(): number {
    let unmarked = 0;
    for (const m of this.messages) {
      if (m.deleted) unmarked++;
      m.deleted = false;
    }
    return unmarked;
  }

  /** Where the message's file is now (for the trace), if it still exists. */
  file(message: DropMessage): string | undefined {
    const rec = this.maildir.get(message.uid);
    return rec ? this.maildir.pathOf(rec) : undefined;
  }

  /**
   * Open a message's file for reading, following it if another writer renamed it (flags).
   * Undefined if it is gone (another session's DELE or EXPUNGE).
   */
  async openFile(message: DropMessage): Promise<MessageFile | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const rec = this.maildir.get(message.uid);
      if (!rec) return undefined;
      const fd = this.maildir.openRecord(rec);
      if (fd !== undefined) return new MessageFile(fd, rec.size >= 0 ? rec.size : undefined);
      await this.maildir.sync(); // renamed or removed by another writer: look again
    }
    return undefined;
  }

  /** The message is still in the folder (no other session expunged it). */
  has(message: DropMessage): boolean {
    return this.maildir.get(message.uid) !== undefined;
  }

  /**
   * The message after `message` (the next not marked deleted) and its file's bytes, for the
   * RETR that usually comes next: a client fetching a maildrop (fetchmail, getmail, a phone's
   * mail app) asks for 1, 2, 3 ... in turn, each when the last has arrived, so the next file is
   * read while the client is still taking in the last one (Pop3Connection's prepared reply).
   * Only a message of one read (its size known); anything that goes wrong is left for the RETR
   * itself to meet.
   */
  readAhead(message: DropMessage): { message: DropMessage; data: Buffer } | undefined {
    let next = this.messages[message.number];
    while (next?.deleted) next = this.messages[next.number];
    if (!next) return undefined;
    const rec = this.maildir.get(next.uid);
    if (!rec || rec.size < 0 || rec.size > READ_AHEAD_OCTETS) return undefined;
    try {
      const fd = this.maildir.openRecord(rec);
      if (fd === undefined) return undefined;
      const file = new MessageFile(fd, rec.size);
      try {
        const data = file.read();
        return data && file.ended ? { message: next, data } : undefined;
      } finally {
        file.close();
      }
    } catch {
      return undefined; // the RETR opens it again and says what is wrong
    }
  }

  /**
   * Mark the messages RETR sent seen, as dovecot does when a POP3 session ends (after QUIT, or
   * when the client just goes): from new/ to cur/ with ":2,S", or S added to their flags in
   * cur/, all in one pass. After QUIT it comes after expunge, so the messages removed are gone;
   * a session that ends without QUIT removes nothing, and what it read is marked seen all the
   * same. IMAP sessions are told of the flags. A file gone meanwhile is left alone.
   */
  async markRetrievedSeen(): Promise<void> {
    const uids: number[] = [];
    for (const m of this.messages) {
      if (!m.retrieved) continue;
      m.retrieved = false;
      const rec = this.maildir.get(m.uid);
      if (rec && !(rec.dir === 'cur' && rec.letters.includes('S'))) uids.push(m.uid);
    }
    if (uids.length) await this.maildir.setFlags(uids, 'add', 'S');
  }

  /**
   * The UPDATE state (RFC 1939 section 6): remove every message marked deleted. A file already
   * gone counts as removed; any other failure is reported so QUIT can answer -ERR.
   */
  async expunge(): Promise<{ removed: number; failed: number[] }> {
    const marked = this.messages.filter((m) => m.deleted);
    if (!marked.length) return { removed: 0, failed: [] };
    try {
      await this.maildir.expunge(marked.map((m) => m.uid));
    } catch {
      // some files could not be removed: the folder as it is now says which
      await this.maildir.sync().catch(() => undefined);
    }
    const failed = marked.filter((m) => this.maildir.get(m.uid) !== undefined).map((m) => m.number);
    return { removed: marked.length - failed.length, failed };
  }
}

/** The size POP3 reports: the file's octets, plus a CR for every bare LF, plus a final CRLF if missing. */
function countPop3Size(maildir: Maildir, rec: MessageRecord): number | undefined {
  const fd = maildir.openRecord(rec);
  if (fd === undefined) return undefined;
  const file = new MessageFile(fd, rec.size >= 0 ? rec.size : undefined);
  try {
    let size = 0;
    let octets = 0;
    let previous = -1;
    for (let chunk = file.read(); chunk; chunk = file.read()) {
      octets += chunk.length;
      size += chunk.length + bareLineFeeds(chunk, previous);
      previous = chunk[chunk.length - 1];
    }
    if (previous !== -1 && previous !== 0x0a) size += 2;
    // the file's own size, as a name without ",S=" (another MDA's, Postfix's) does not say it:
    // RETR then reads the message in one read of that size, not into a fresh 64 KiB buffer
    if (rec.size < 0) rec.size = octets;
    return size;
  } finally {
    file.close();
  }
}

/**
 * An open message file, read in chunks of at most 64 KiB, each a fresh buffer the caller may
 * keep (a socket write holds it). The size from the name (",S=") lets a small message come in
 * one read, with no second read to find the end.
 */
export class MessageFile {
  private fd: number;
  private want: number;
  private atEnd = false;

  constructor(fd: number, sizeHint: number | undefined) {
    this.fd = fd;
    this.want = sizeHint === undefined ? CHUNK : Math.min(CHUNK, sizeHint + 1);
  }

  /** The whole file has been read (a short read, or the size from the name reached). */
  get ended(): boolean {
    return this.atEnd;
  }

  /** The next chunk, or undefined at the end. */
  read(): Buffer | undefined {
    if (this.atEnd || this.fd < 0) return undefined;
    const buffer = Buffer.allocUnsafe(this.want);
    const bytesRead = fs.readSync(this.fd, buffer, 0, this.want, null);
    // A short read of a regular file is its end; a Maildir file is never appended to.
    if (bytesRead < this.want) this.atEnd = true;
    this.want = CHUNK;
    if (bytesRead === 0) return undefined;
    return bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}

function bareLineFeeds(buffer: Buffer, previous: number): number {
  let count = 0;
  let at = buffer.indexOf(0x0a, 0);
  while (at >= 0) {
    const before = at === 0 ? previous : buffer[at - 1];
    if (before !== 0x0d) count++;
    at = buffer.indexOf(0x0a, at + 1);
  }
  return count;
}

/** RFC 1939 section 7 allows 1 to 70 characters 0x21 to 0x7E; other names are hashed, stably. */
export function uidlOf(unique: string): string {
  if (unique.length >= 1 && unique.length <= 70 && /^[\x21-\x7e]+$/.test(unique)) return unique;
  return crypto.createHash('sha256').update(unique).digest('base64url');
}
