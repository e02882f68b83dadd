import fs from 'node:fs/promises';
import { openSync, readSync, closeSync, renameSync } from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

// The POP3 view of a user's Maildir (<dataDir>/mail/<user>/, tmp new cur, as dovecot keeps it).
// The Maildir on disk is the contract with the MDA and the IMAP server: files arrive in new/
// as "<unique>,S=<size>", live in cur/ as "<unique>,S=<size>:2,<flags>", and any of them may be
// renamed (flags) or removed by another session at any moment.
//
// Message files are opened and read synchronously, at most 64 KiB at a time. A Maildir file is
// small (a few KB): a trip through libuv's thread pool costs some 100 microseconds on a busy
// machine, twenty times the read itself, and RETR of a whole mailbox is thousands of them. A
// synchronous read of one chunk holds the event loop for microseconds; between chunks the
// connection yields (socket back-pressure), so a large message never holds it for long.

export interface DropMessage {
  /** the message number, fixed for the session (RFC 1939 section 5) */
  number: number;
  /** the file's unique base name, before "," or ":"; it never changes */
  unique: string;
  /** the unique-id listing (RFC 1939 section 7): 1 to 70 characters 0x21 to 0x7E */
  uidl: string;
  /** where the file is now, in new/ or cur/; followed when it moves */
  file: string;
  /** size in octets as POP3 sends it: every line ending CRLF, before byte-stuffing */
  size: number;
  deleted: boolean;
}

/** Sizes already counted, by "<maildir>/<unique>": a Maildir file's content never changes. */
export class SizeCache {
  private readonly sizes = new Map<string, number>();
  private readonly limit: number;
  constructor(limit = 200_000) {
    this.limit = limit;
  }
  get(key: string): number | undefined {
    return this.sizes.get(key);
  }
  set(key: string, size: number): void {
    if (this.sizes.size >= this.limit) this.sizes.clear();
    this.sizes.set(key, size);
  }
}

/** Files sized between two turns of the event loop when a maildrop opens. */
const SIZING_BATCH = 256;
const CHUNK = 64 * 1024;

export class Maildrop {
  readonly dir: string;
  readonly messages: DropMessage[];

  private constructor(dir: string, messages: DropMessage[]) {
    this.dir = dir;
    this.messages = messages;
  }

  /**
   * The snapshot a POP3 session works on (RFC 1939 section 4: the maildrop as it was at login;
   * mail delivered later waits for the next session). Creates the Maildir if it is missing.
   */
  static async open(dir: string, sizes: SizeCache): Promise<Maildrop> {
    await Promise.all(['tmp', 'new', 'cur'].map((sub) => fs.mkdir(path.join(dir, sub), { recursive: true })));
    // new/ before cur/: a file moved from new/ to cur/ meanwhile is then seen at least once.
    const found = new Map<string, { unique: string; file: string; name: string }>();
    for (const sub of ['new', 'cur']) {
      for (const name of await fs.readdir(path.join(dir, sub))) {
        if (name.startsWith('.')) continue;
        const unique = uniqueOf(name);
        found.set(unique, { unique, file: path.join(dir, sub, name), name });
      }
    }
    const keyed = [...found.values()].map((entry) => ({ entry, key: orderKey(entry.unique) }));
    keyed.sort((a, b) => compareKeys(a.key, b.key) || (a.entry.unique < b.entry.unique ? -1 : a.entry.unique > b.entry.unique ? 1 : 0));
    const entries = keyed.map((k) => k.entry);
    const messages: DropMessage[] = [];
    const unsized: DropMessage[] = [];
    for (const entry of entries) {
      const known = virtualSizeInName(entry.name) ?? sizes.get(`${dir}/${entry.unique}`);
      const message: DropMessage = {
        number: 0,
        unique: entry.unique,
        uidl: uidlOf(entry.unique),
        file: entry.file,
        size: known ?? -1,
        deleted: false,
      };
      messages.push(message);
      if (known === undefined) unsized.push(message);
    }
    const drop = new Maildrop(dir, messages);
    let next = 0;
    const gone = new Set<DropMessage>();
    for (const message of unsized) {
      const size = await drop.countSize(message);
      if (size === undefined) gone.add(message);
      else {
        message.size = size;
        sizes.set(`${dir}/${message.unique}`, size);
      }
      // Let other sessions and roles run between batches while a big maildrop is sized.
      if (++next % SIZING_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // A file removed by another session while we looked is not part of this snapshot.
    const kept = gone.size ? messages.filter((m) => !gone.has(m)) : messages;
    kept.forEach((m, i) => (m.number = i + 1));
    return gone.size ? new Maildrop(dir, kept) : drop;
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

  /**
   * Open a message's file for reading, following it if another session renamed it (flags).
   * Undefined if it is gone (another session's DELE or EXPUNGE).
   */
  async openFile(message: DropMessage): Promise<MessageFile | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return new MessageFile(openSync(message.file, 'r'), physicalSizeInName(path.basename(message.file)));
      } catch (err) {
        if (!isMissing(err)) throw err;
        if (!(await this.relocate(message))) return undefined;
      }
    }
    return undefined;
  }

  /** Find a message's file again by its unique name; false if it is in neither new/ nor cur/. */
  async relocate(message: DropMessage): Promise<boolean> {
    for (const sub of ['cur', 'new']) {
      let names: string[];
      try {
        names = await fs.readdir(path.join(this.dir, sub));
      } catch (err) {
        if (isMissing(err)) continue;
        throw err;
      }
      const name = names.find((n) => uniqueOf(n) === message.unique);
      if (name) {
        message.file = path.join(this.dir, sub, name);
        return true;
      }
    }
    return false;
  }

  /**
   * Mark a retrieved message seen as dovecot does: from new/ to cur/ with ":2,S", or add S to
   * its flags in cur/. The IMAP server then shows it \Seen. A file gone meanwhile is left alone.
   */
  async markSeen(message: DropMessage): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const name = path.basename(message.file);
      const colon = name.indexOf(':2,');
      const base = colon < 0 ? name : name.slice(0, colon);
      const flags = colon < 0 ? '' : name.slice(colon + 3);
      const inCur = path.basename(path.dirname(message.file)) === 'cur';
      if (inCur && flags.includes('S')) return;
      const target = path.join(this.dir, 'cur', `${base}:2,${sortFlags(flags + 'S')}`);
      try {
        // Synchronous for the reason given at the top: a rename is microseconds of metadata.
        renameSync(message.file, target);
        message.file = target;
        return;
      } catch (err) {
        if (!isMissing(err)) throw err;
        if (!(await this.relocate(message))) return;
      }
    }
  }

  /**
   * The UPDATE state (RFC 1939 section 6): remove every message marked deleted. A file already
   * gone counts as removed; any other failure is reported so QUIT can answer -ERR.
   */
  async expunge(): Promise<{ removed: number; failed: number[] }> {
    let removed = 0;
    const failed: number[] = [];
    for (const message of this.messages) {
      if (!message.deleted) continue;
      try {
        await this.unlink(message);
        removed++;
      } catch {
        failed.push(message.number);
      }
    }
    return { removed, failed };
  }

  private async unlink(message: DropMessage): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await fs.unlink(message.file);
        return;
      } catch (err) {
        if (!isMissing(err)) throw err;
        if (!(await this.relocate(message))) return;
      }
    }
  }

  /** The size POP3 reports: the file's octets, plus a CR for every bare LF, plus a final CRLF if missing. */
  private async countSize(message: DropMessage): Promise<number | undefined> {
    const file = await this.openFile(message);
    if (!file) return undefined;
    try {
      let size = 0;
      let previous = -1;
      for (let chunk = file.read(); chunk; chunk = file.read()) {
        size += chunk.length + bareLineFeeds(chunk, previous);
        previous = chunk[chunk.length - 1];
      }
      if (previous !== -1 && previous !== 0x0a) size += 2;
      return size;
    } finally {
      file.close();
    }
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

  /** The next chunk, or undefined at the end. */
  read(): Buffer | undefined {
    if (this.atEnd || this.fd < 0) return undefined;
    const buffer = Buffer.allocUnsafe(this.want);
    const bytesRead = readSync(this.fd, buffer, 0, this.want, null);
    // A short read of a regular file is its end; a Maildir file is never appended to.
    if (bytesRead < this.want) this.atEnd = true;
    this.want = CHUNK;
    if (bytesRead === 0) return undefined;
    return bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** The ",S=<size>" field of a Maildir name: the file's size on disk. */
export function physicalSizeInName(name: string): number | undefined {
  const match = /,S=(\d+)/.exec(name);
  return match ? Number(match[1]) : undefined;
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

/** The unique part of a Maildir file name (maildir(5)): before "," (size fields) or ":" (flags). */
export function uniqueOf(name: string): string {
  const cut = name.search(/[,:]/);
  return cut < 0 ? name : name.slice(0, cut);
}

/** RFC 1939 section 7 allows 1 to 70 characters 0x21 to 0x7E; other names are hashed, stably. */
export function uidlOf(unique: string): string {
  if (unique.length >= 1 && unique.length <= 70 && /^[\x21-\x7e]+$/.test(unique)) return unique;
  return crypto.createHash('sha256').update(unique).digest('base64url');
}

/** dovecot's ",W=<size>" field: the size with CRLF line ends, when the writer recorded it. */
function virtualSizeInName(name: string): number | undefined {
  const match = /,W=(\d+)/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Delivery order from "<seconds>.M<micro>P<pid>Q<count>..." names; others after, by name. */
function compareKeys(ka: [number, number, number], kb: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
  return 0;
}

function orderKey(unique: string): [number, number, number] {
  const match = /^(\d+)\.(?:M(\d+))?(?:P\d+)?(?:Q(\d+))?/.exec(unique);
  if (!match) return [Number.MAX_SAFE_INTEGER, 0, 0];
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/** Maildir flags are written in ASCII order, each once (maildir(5)). */
function sortFlags(flags: string): string {
  return [...new Set(flags)].sort().join('');
}

export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
