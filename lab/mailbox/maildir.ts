import { fs } from '../node-builtins.ts';
import type { FSWatcher } from 'node:fs';
import fsp from '../fs-async.ts';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { UidList } from './uid-list.ts';
import { Keywords, sortLetters, changeLetters } from './maildir-flags.ts';
import { HeaderCache } from './header-cache.ts';
import { HeaderIndex, type IndexEntry } from './header-index.ts';
import { summarizeCrlf, structureSummary, AddressForms } from './message-summary.ts';
import { toCrlf } from './mime.ts';
import { maildirName, fsyncPath, baseOf, lettersOf, sizeInName, sortByName } from './maildir-name.ts';
import { writeFileSynced } from './disk.ts';

// One Maildir folder (INBOX or a Maildir++ subfolder) as an IMAP server sees it: messages with
// UIDs, flags in the file names, \Recent, a header index, and news of changes made by anyone
// (this process's other sessions, the MDA and POP3 through the host's one MailStore, another
// process through fs.watch).
//
// The disk is the truth. Other writers may at any moment deliver into new/ (tmp -> rename),
// move a file from new/ to cur/ (":2,S"), rename it for its flags, or delete it. sync() reads
// the folder and works out what changed; every change is announced as a 'change' event.
// Everything that modifies the model runs one at a time (exclusive()).

export interface MessageRecord {
  uid: number;
  /** the file's name without the ":2," info; never changes */
  base: string;
  /** the file's current name and folder */
  name: string;
  dir: 'new' | 'cur';
  /** info letters after ":2,", sorted */
  letters: string;
  /** size on disk from ",S=" in the name; -1 when the writer did not say */
  size: number;
  /** octets as POP3 sends the message (CRLF line ends, a final CRLF), once counted; -1 before */
  pop3Size: number;
}

export interface MaildirChange {
  /** UIDs new to the folder, ascending */
  added: number[];
  removed: number[];
  /** UIDs whose flags changed */
  flags: number[];
  /**
   * What the removed messages were: sessions that still show them until they may be told
   * EXPUNGE answer STORE and FETCH from this (RFC 2180 section 4.1, as dovecot does).
   */
  gone?: Map<number, Ghost>;
  /** who made the change (a session), so it need not be told its own STORE */
  origin?: unknown;
}

/** A message expunged by someone, as a session that has not been told yet still sees it. */
export interface Ghost {
  letters: string;
  /** its index entry, when it had been indexed (ENVELOPE, sizes, dates) */
  entry?: IndexEntry;
}

export class MaildirMissingError extends Error {}

/** Files handled between two turns of the event loop in bulk work (renames, reads). */
export const BATCH = 500;
/** new/ -> cur/ renames between two turns of the event loop (moveToCur): 2-4 ms of them. */
const MOVE_BATCH = 100;
/** Messages up to this size are indexed (entryOf) in buffers made once: the file, its CRLF form. */
const SCRATCH_OCTETS = 64 * 1024;
const scratchFile = Buffer.allocUnsafeSlow(SCRATCH_OCTETS);
const scratchCrlf = Buffer.allocUnsafeSlow(SCRATCH_OCTETS * 2);
/** An index entry's mtime before its file was looked at (Maildir.internalDate). */
export const UNKNOWN_TIME = -1;

/** The UID list still has the UIDVALIDITY the model was built under. */
function validityKept(maildir: Maildir): boolean {
  return maildir.knownValidity === maildir.uidList.uidValidity;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

type Scanned = { dir: 'new' | 'cur'; name: string; letters: string };

export class Maildir extends EventEmitter {
  readonly dir: string;
  readonly uidList: UidList;
  readonly keywords: Keywords;
  readonly index: HeaderIndex;
  /** the headers read lately, for the next FETCH of them (header-cache.ts) */
  readonly headers = new HeaderCache();
  /** ascending UID order */
  messages: MessageRecord[] = [];
  private readonly byUid = new Map<number, MessageRecord>();
  private readonly byBase = new Map<string, MessageRecord>();
  /** \Recent messages no session has been told of yet (RFC 3501 section 2.3.2) */
  readonly unclaimedRecent = new Set<number>();
  /**
   * Files APPEND or COPY is putting into cur/ right now: \Recent when they are taken in, even
   * if a sync (an fs.watch event) finds them before the writer adopts them.
   */
  private readonly arriving = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();
  private loaded = false;
  private watchers: FSWatcher[] = [];
  private users = 0;
  private syncRequested = false;
  /** a look queued behind other work and not started yet */
  private queuedSync: Promise<MaildirChange> | undefined;
  /** mtimes of new/ and cur/ at the last full look */
  private stamps: number[] | undefined;
  /** the UIDVALIDITY the model was built under */
  knownValidity = 0;
  /** address headers already parsed for the index: this folder's correspondents */
  private readonly addressForms = new AddressForms();

  constructor(dir: string) {
    super();
    this.setMaxListeners(0);
    this.dir = path.resolve(dir);
    this.uidList = new UidList(dir);
    this.keywords = new Keywords(dir);
    this.index = new HeaderIndex(dir);
  }

  get uidValidity(): number {
    return this.uidList.uidValidity;
  }

  get uidNext(): number {
    return this.uidList.nextUid;
  }

  get(uid: number): MessageRecord | undefined {
    return this.byUid.get(uid);
  }

  /** A message file's descriptor, or undefined if it is gone. */
  openRecord(rec: MessageRecord): number | undefined {
    return openIfPresent(this.pathOf(rec));
  }

  pathOf(rec: MessageRecord): string {
    // joined by hand: the folder is a resolved path and a Maildir name holds no separator, so
    // there is nothing for path.join to normalise, and RETR and FETCH ask for thousands of these
    return this.dir + path.sep + rec.dir + path.sep + rec.name;
  }

  /** IMAP flags of a message (without \Recent, which is per session). */
  flagsOf(rec: MessageRecord): string[] {
    return this.keywords.flagsOf(rec.letters);
  }

  /** Run fn after every earlier change has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Read the folder and tell listeners what changed since the last look. A look that is queued
   * and not started yet will see everything done before it starts: callers share it, so a burst
   * of fs.watch events or NOOPs costs one look, not one each.
   */
  sync(origin?: unknown): Promise<MaildirChange> {
    if (origin === undefined && this.queuedSync) return this.queuedSync;
    const queued: Promise<MaildirChange> = this.exclusive(() => {
      if (this.queuedSync === queued) this.queuedSync = undefined;
      return this.syncNow(origin);
    });
    if (origin === undefined) this.queuedSync = queued;
    return queued;
  }

  private async scan(): Promise<Map<string, Scanned> | undefined> {
    const found = new Map<string, Scanned>();
    // new/ before cur/: a file moved from new/ to cur/ meanwhile is then seen at least once
    for (const dir of ['new', 'cur'] as const) {
      let names: string[];
      try {
        names = await fsp.readdir(path.join(this.dir, dir));
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
      for (const name of names) {
        if (name.charCodeAt(0) === 0x2e) continue; // ".", "..", dot files
        const base = baseOf(name);
        found.set(base, { dir, name, letters: dir === 'cur' ? sortLetters(lettersOf(name)) : '' });
      }
    }
    return found;
  }

  /**
   * Whether new/ and cur/ are as they were at the last full look. A directory's mtime changes
   * with every file added, renamed or removed in it; but timestamps are coarse, so a directory
   * changed in the last two seconds is always read again (as dovecot's maildir sync does).
   */
  private async unchanged(): Promise<boolean> {
    const stamps = await Promise.all(['new', 'cur'].map((d) => fsp.stat(path.join(this.dir, d)).then((s) => s.mtimeMs, () => -1)));
    const same = this.stamps !== undefined && stamps[0] === this.stamps[0] && stamps[1] === this.stamps[1];
    this.stamps = stamps;
    return same && stamps[0] >= 0 && Date.now() - Math.max(stamps[0], stamps[1]) > 2000;
  }

  private async syncNow(origin: unknown): Promise<MaildirChange> {
    if (this.loaded && (await this.unchanged())) {
      await this.uidList.refresh();
      if (validityKept(this)) return { added: [], removed: [], flags: [], origin };
    } else if (!this.loaded) await this.unchanged(); // take the stamps before the first look
    const scanned = await this.scan();
    if (!scanned) throw new MaildirMissingError(`no such folder: ${this.dir}`);
    await this.uidList.refresh();
    if (this.loaded && this.knownValidity !== this.uidList.uidValidity) {
      // someone replaced the UID list: our UIDs mean nothing any more; sessions must go
      this.messages = [];
      this.byUid.clear();
      this.byBase.clear();
      this.unclaimedRecent.clear();
      this.emit('reset');
    }
    this.keywords.load();
    this.index.load();
    const change: MaildirChange = { added: [], removed: [], flags: [], origin };
    const missing: MessageRecord[] = [];
    for (const rec of this.messages) {
      const seen = scanned.get(rec.base);
      if (!seen) {
        missing.push(rec);
        continue;
      }
      scanned.delete(rec.base);
      this.update(rec, seen, change);
    }
    if (missing.length) {
      // A rename by another writer can hide a file from one directory listing; look again
      // before calling anything expunged.
      const again = (await this.scan()) ?? new Map<string, Scanned>();
      const gone = new Set<number>();
      for (const rec of missing) {
        const seen = again.get(rec.base);
        if (seen) this.update(rec, seen, change);
        else {
          gone.add(rec.uid);
          change.removed.push(rec.uid);
        }
      }
      if (gone.size) change.gone = this.drop(gone);
    }
    if (scanned.size) {
      const fresh = sortByName([...scanned.entries()], (e) => e[0]);
      const uids = await this.uidList.assign(fresh.map(([base]) => base));
      let last = this.messages.length ? this.messages[this.messages.length - 1].uid : 0;
      let ordered = true;
      for (const [base, seen] of fresh) {
        const uid = uids.get(base)!;
        if (this.byUid.has(uid)) continue; // a list written by someone else reusing a UID: keep ours
        const rec: MessageRecord = { uid, base, name: seen.name, dir: seen.dir, letters: seen.letters, size: sizeInName(base), pop3Size: -1 };
        if (uid < last) ordered = false;
        last = Math.max(last, uid);
        this.add(rec);
        if (seen.dir === 'new' || this.arriving.has(base)) this.unclaimedRecent.add(uid);
        change.added.push(uid);
      }
      if (!ordered) this.messages.sort((a, b) => a.uid - b.uid);
      change.added.sort((a, b) => a - b);
    }
    await this.uidList.compact(this.byBase.size, () => new Set(this.byBase.keys()));
    this.loaded = true;
    this.knownValidity = this.uidList.uidValidity;
    this.announce(change);
    return change;
  }

  private update(rec: MessageRecord, seen: Scanned, change: MaildirChange): void {
    if (seen.letters !== rec.letters) change.flags.push(rec.uid);
    rec.dir = seen.dir;
    rec.name = seen.name;
    rec.letters = seen.letters;
  }

  private add(rec: MessageRecord): void {
    this.messages.push(rec);
    this.byUid.set(rec.uid, rec);
    this.byBase.set(rec.base, rec);
  }

  private drop(uids: Set<number>): Map<number, Ghost> {
    this.messages = this.messages.filter((m) => !uids.has(m.uid));
    const ghosts = new Map<number, Ghost>();
    for (const uid of uids) {
      const rec = this.byUid.get(uid);
      if (!rec) continue;
      ghosts.set(uid, { letters: rec.letters, entry: this.index.get(rec.base, rec.size) });
      this.byUid.delete(uid);
      this.byBase.delete(rec.base);
      this.index.forget(rec.base);
      this.headers.forget(rec.base);
      this.unclaimedRecent.delete(uid);
    }
    return ghosts;
  }

  private announce(change: MaildirChange): void {
    if (change.added.length || change.removed.length || change.flags.length) this.emit('change', change);
  }

  /**
   * Claim \Recent for a session: of these UIDs, those no session was told of yet. Their files
   * move from new/ to cur/ (they have now been seen by a mail reader, maildir(5)).
   */
  claimRecent(uids: number[], move: boolean): number[] {
    const claimed = uids.filter((uid) => this.unclaimedRecent.has(uid));
    if (!move) return claimed;
    for (const uid of claimed) this.unclaimedRecent.delete(uid);
    if (claimed.length) void this.exclusive(() => this.moveToCur(claimed)).catch(() => undefined);
    return claimed;
  }

  /**
   * The names of moveToCur's renames whose fs.watch events have not come yet (the old name's in
   * new/, the new name's in cur/). A SELECT of 5,000 new letters makes 10,000 events, and each
   * burst of them cost a look at both folders: 5,000 names read and compared, about 25 ms of a
   * cold FETCH ENVELOPE beside the moves. Any other event (another writer, an event without a
   * name) still brings a look. A name is forgotten when its event comes, or at once when its
   * rename failed; should events be lost (an inotify overflow), the set is emptied at 20,000.
   */
  private ownMoves = new Set<string>();

  private noteOwnMove(from: string, to: string): void {
    if (this.ownMoves.size > 20_000) this.ownMoves.clear(); // events lost (an inotify overflow): bounded all the same
    this.ownMoves.add(from);
    this.ownMoves.add(to);
  }

  /** Resolves once every change queued so far is done (the moves claimRecent started). */
  settled(): Promise<void> {
    return this.exclusive(async () => undefined);
  }

  /**
   * new/ -> cur/ for the messages a SELECT claimed as recent. The SELECT does not wait for it
   * (dovecot's does, 5,000 renames for 5,000 new letters): the renames run on this thread, 100
   * between two turns of the event loop, while the session goes on between them; each record's
   * name changes with its rename, so a reader always opens the file where it is. On libuv's
   * pool (one at a time, as before) a rename cost twice the CPU (5,000 of them: 202-225 against
   * 113-116 ms), and a session that SELECTed just after waited for the last of them (a second
   * SELECT of 5,000 letters 206-345 ms, now 10-19 ms). Changes queued after it (flags, expunge,
   * a sync) wait for it, as everything that modifies the model does.
   */
  private async moveToCur(uids: number[]): Promise<void> {
    let done = 0;
    for (const uid of uids) {
      const rec = this.byUid.get(uid);
      if (!rec || rec.dir !== 'new') continue;
      const name = `${rec.base}:2,${rec.letters}`;
      const from = rec.name;
      this.noteOwnMove(from, name);
      try {
        fs.renameSync(this.pathOf(rec), this.dir + path.sep + 'cur' + path.sep + name);
        rec.dir = 'cur';
        rec.name = name;
      } catch (err) {
        this.ownMoves.delete(from);
        this.ownMoves.delete(name);
        if (!isMissing(err)) throw err; // moved or deleted by another writer: the next sync sees it
      }
      if (++done % MOVE_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }


  /**
   * Change flags ('add', 'remove' or 'set' these info letters) by renaming the files
   * (maildir(5)). Returns the UIDs whose flags changed.
   */
  setFlags(uids: number[], mode: 'add' | 'remove' | 'set', letters: string, origin?: unknown): Promise<number[]> {
    return this.exclusive(async () => {
      const changed: number[] = [];
      let retry: number[] = [];
      for (let pass = 0; pass < 2; pass++) {
        const todo = pass === 0 ? uids : retry;
        retry = [];
        for (let i = 0; i < todo.length; i++) {
          const rec = this.byUid.get(todo[i]);
          if (!rec) continue;
          const next = changeLetters(rec.letters, mode, letters);
          if (next === rec.letters) continue;
          const name = `${rec.base}:2,${next}`;
          try {
            fs.renameSync(this.pathOf(rec), this.dir + path.sep + 'cur' + path.sep + name);
          } catch (err) {
            if (!isMissing(err)) throw err;
            retry.push(rec.uid);
            continue;
          }
          rec.dir = 'cur';
          rec.name = name;
          rec.letters = next;
          changed.push(rec.uid);
          if (i % BATCH === BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
        }
        if (!retry.length) break;
        // renamed or deleted by another writer since we looked: look again, then try once more
        await this.syncNow(undefined);
      }
      this.announce({ added: [], removed: [], flags: changed, origin });
      return changed;
    });
  }

  /** Delete messages (EXPUNGE). Returns the UIDs removed. */
  expunge(uids: number[], origin?: unknown): Promise<number[]> {
    return this.exclusive(async () => {
      const removed = new Set<number>();
      let retry: number[] = [];
      for (let pass = 0; pass < 2; pass++) {
        const todo = pass === 0 ? uids : retry;
        retry = [];
        for (let i = 0; i < todo.length; i++) {
          const rec = this.byUid.get(todo[i]);
          if (!rec) continue;
          try {
            fs.unlinkSync(this.pathOf(rec));
            removed.add(rec.uid);
          } catch (err) {
            if (!isMissing(err)) throw err;
            retry.push(rec.uid);
          }
          if (i % BATCH === BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
        }
        if (!retry.length) break;
        await this.syncNow(undefined); // renamed meanwhile: its new name; or gone: already announced
      }
      const gone = this.drop(removed);
      const list = [...removed].sort((a, b) => a - b);
      this.announce({ added: [], removed: list, flags: [], origin, gone });
      return list;
    });
  }

  /**
   * Store a new message (APPEND): tmp, fsync, rename into new/ (no flags) or cur/, fsync the
   * folder, then give it the next UID. The modification time is the INTERNALDATE.
   */
  async append(message: Buffer, letters: string, internalDate?: number): Promise<number> {
    const name = maildirName();
    const base = `${name},S=${message.length}`;
    const tmp = path.join(this.dir, 'tmp', name);
    await writeFileSynced(tmp, message);
    if (internalDate !== undefined) {
      const when = new Date(internalDate);
      await fsp.utimes(tmp, when, when);
    }
    const dir = letters ? 'cur' : 'new';
    const file = letters ? `${base}:2,${sortLetters(letters)}` : base;
    this.arriving.add(base);
    try {
      await fsp.rename(tmp, path.join(this.dir, dir, file));
      await fsyncPath(path.join(this.dir, dir));
      const [uid] = await this.adopt([{ base, name: file, dir, letters: letters ? sortLetters(letters) : '' }]);
      return uid;
    } finally {
      this.arriving.delete(base);
    }
  }

  /** Take files just put into this folder into the model, as \Recent, with new UIDs. */
  private adopt(files: Array<{ base: string; name: string; dir: 'new' | 'cur'; letters: string }>): Promise<number[]> {
    return this.exclusive(async () => {
      const uids = await this.uidList.assign(files.map((f) => f.base));
      const added: number[] = [];
      const result: number[] = [];
      for (const f of files) {
        const uid = uids.get(f.base)!;
        result.push(uid);
        if (this.byBase.has(f.base)) continue; // a sync found it first
        this.add({ uid, base: f.base, name: f.name, dir: f.dir, letters: f.letters, size: sizeInName(f.base), pop3Size: -1 });
        this.unclaimedRecent.add(uid);
        added.push(uid);
      }
      if (!this.messages.every((m, i) => i === 0 || this.messages[i - 1].uid < m.uid)) this.messages.sort((a, b) => a.uid - b.uid);
      this.announce({ added, removed: [], flags: [], origin: undefined });
      return result;
    });
  }

  /**
   * Copy messages into another folder (COPY, MOVE): a hard link under a new name, as dovecot
   * does, flags and keywords kept. Returns [source UID, new UID] pairs.
   */
  async copyTo(target: Maildir, uids: number[]): Promise<Array<[number, number]>> {
    const made: Array<{ from: number; base: string; name: string; letters: string }> = [];
    const arriving: string[] = [];
    target.keywords.load();
    try {
      for (const uid of uids) {
        const rec = this.byUid.get(uid);
        if (!rec) continue;
        const letters = target.keywords.lettersOf(this.keywords.flagsOf(rec.letters), true) + rec.letters.replace(/[^A-Z]/g, '').replace(/[DFRST]/g, '');
        const sorted = sortLetters(letters);
        const size = rec.size >= 0 ? rec.size : fs.statSync(this.pathOf(rec)).size;
        const base = `${maildirName()},S=${size}`;
        const name = `${base}:2,${sorted}`;
        const to = path.join(target.dir, 'cur', name);
        target.arriving.add(base);
        arriving.push(base);
        let linked = false;
        for (let attempt = 0; attempt < 2 && !linked; attempt++) {
          try {
            await fsp.link(this.pathOf(rec), to);
            linked = true;
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === 'EXDEV' || code === 'EPERM' || code === 'EMLINK') {
              await fsp.copyFile(this.pathOf(rec), to);
              linked = true;
            } else if (isMissing(err) && attempt === 0) await this.sync(); // renamed: its new name
            else if (!isMissing(err)) throw err;
          }
        }
        if (linked) made.push({ from: uid, base, name, letters: sorted });
      }
      if (!made.length) return [];
      await fsyncPath(path.join(target.dir, 'cur'));
      const newUids = await target.adopt(made.map((m) => ({ base: m.base, name: m.name, dir: 'cur', letters: m.letters })));
      return made.map((m, i) => [m.from, newUids[i]]);
    } finally {
      for (const base of arriving) target.arriving.delete(base);
    }
  }


  /**
   * The message's header only (what BODY.PEEK[HEADER] and [HEADER.FIELDS (...)] need), in its
   * CRLF form, read without the rest of the file when the index knows where the header ends;
   * else the whole message (and its index entry is built). A file with bare LF line ends holds
   * its header in at most headerSize octets (the CRLF form is never shorter), so reading that
   * many and making them CRLF gives the whole header.
   */
  header(rec: MessageRecord, withStructure = false): { data: Buffer; entry: IndexEntry } | undefined {
    const entry = this.index.get(rec.base, rec.size);
    if (!entry) return this.content(rec, withStructure);
    if (withStructure && !this.addStructure(rec, entry)) return undefined;
    const kept = this.headers.get(rec.base, entry);
    if (kept) return { data: kept, entry };
    const fd = this.openRecord(rec);
    if (fd === undefined) return undefined;
    try {
      const data = Buffer.allocUnsafe(entry.headerSize);
      let read = 0;
      while (read < data.length) {
        const n = fs.readSync(fd, data, read, data.length - read, read);
        if (n === 0) break;
        read += n;
      }
      const head = data.subarray(0, read);
      const header = entry.lf ? toCrlf(head).subarray(0, entry.headerSize) : head;
      this.headers.put(rec.base, entry, header);
      return { data: header, entry };
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * The file's bytes and modification time; undefined if it is gone. With `scratch`, the bytes
   * are read into a buffer the next call reuses (for a caller that keeps nothing of them), and
   * (unless `withTime`) a file that fits in it is read without a stat: its size is what one read
   * gives (a regular file's read returns less than asked only at its end), its time UNKNOWN_TIME
   * (see internalDate). A cold FETCH ENVELOPE of 5,000 letters opens, reads and closes each:
   * without the stat their entries were built in 113-133 ms against 128-182 (7 cold builds each,
   * as bench/index-build.ts makes them).
   */
  readFile(rec: MessageRecord, scratch = false, withTime = false): { data: Buffer; mtime: number } | undefined {
    const fd = this.openRecord(rec);
    if (fd === undefined) return undefined;
    try {
      let start = 0;
      if (scratch && !withTime) {
        start = fs.readSync(fd, scratchFile, 0, SCRATCH_OCTETS, 0);
        if (start < SCRATCH_OCTETS) {
          if (rec.size < 0) rec.size = start;
          return { data: scratchFile.subarray(0, start), mtime: UNKNOWN_TIME };
        }
      }
      const stat = fs.fstatSync(fd);
      const data = scratch && start === 0 && stat.size <= SCRATCH_OCTETS ? scratchFile.subarray(0, stat.size) : Buffer.allocUnsafe(stat.size);
      // a large file's first octets are in the scratch buffer already
      let read = start && scratchFile.copy(data, 0, 0, Math.min(start, stat.size));
      while (read < stat.size) {
        const n = fs.readSync(fd, data, read, stat.size - read, read);
        if (n === 0) break;
        read += n;
      }
      if (rec.size < 0) rec.size = stat.size;
      return { data: read === stat.size ? data : data.subarray(0, read), mtime: stat.mtimeMs };
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * A message's INTERNALDATE: its file's modification time (maildir(5), as dovecot uses it). An
   * entry built by a read without a stat has it UNKNOWN_TIME: the file is looked at the first
   * time something asks (FETCH INTERNALDATE, SEARCH SINCE), and the entry kept with it.
   * Undefined when the file is gone (another session renamed or removed it).
   */
  internalDate(rec: MessageRecord, entry: IndexEntry): number | undefined {
    if (entry.mtime !== UNKNOWN_TIME) return entry.mtime;
    let mtime: number;
    try {
      mtime = fs.statSync(this.pathOf(rec)).mtimeMs;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    entry.mtime = mtime;
    // written with the next save (the later line of a base name is the one read back)
    this.index.put(rec.base, entry);
    return mtime;
  }

  /**
   * A message's index entry, built from the file (and kept) when missing or stale; `withTime`
   * for a caller that asks for INTERNALDATE too (FETCH ALL), so that the file's time comes with
   * it rather than by a stat of its name after.
   */
  entryOf(rec: MessageRecord, withTime = false, withStructure = false): IndexEntry | undefined {
    const known = this.index.get(rec.base, rec.size);
    if (known) return !withStructure || this.addStructure(rec, known) ? known : undefined;
    // the bytes are read, made CRLF and summed up into strings, then dropped: into two buffers
    // kept for it, not 2 x 5,000 new ones for a cold FETCH ENVELOPE (a fifth of its time went
    // to the collector)
    const read = this.readFile(rec, true, withTime);
    if (!read) return undefined;
    return this.build(rec, read, read.data.length <= SCRATCH_OCTETS ? scratchCrlf : undefined, withStructure).entry;
  }

  /**
   * A message's index entry from its bytes (kept in the index) and the bytes as IMAP sends them
   * (written into `into` when given and large enough: then they are only good until the next call).
   * BODYSTRUCTURE and BODY only `withStructure` (see message-summary.ts).
   */
  private build(rec: MessageRecord, read: { data: Buffer; mtime: number }, into?: Buffer, withStructure = false): { entry: IndexEntry; crlf: Buffer } {
    const { summary, crlf } = summarizeCrlf(read.data, this.addressForms, into, withStructure);
    const entry: IndexEntry = { ...summary, size: read.data.length, mtime: read.mtime };
    // POP3's size of it while the bytes are here (every line CRLF, a last line given its CRLF):
    // a maildrop opened after an IMAP session has read the folder need not read it again
    if (rec.pop3Size < 0) rec.pop3Size = read.data.length === 0 ? 0 : crlf.length + (read.data[read.data.length - 1] === 0x0a ? 0 : 2);
    this.index.put(rec.base, entry);
    // the header too, while its bytes are here: a FETCH of the headers after the one that built
    // the index (a mail program's ENVELOPE, then BODY.PEEK[HEADER]) opens no file
    this.headers.put(rec.base, entry, crlf.subarray(0, entry.headerSize));
    return { entry, crlf };
  }

  /**
   * An entry's BODYSTRUCTURE and BODY, made the first time a FETCH asks for them: from the
   * message's CRLF bytes when the caller has them, else from its file. The entry stays the same
   * object (the header kept with it stays good) and is written again with the next save. False
   * if the file is gone.
   */
  private addStructure(rec: MessageRecord, entry: IndexEntry, crlf?: Buffer): boolean {
    if (entry.bodystructure !== null && entry.body !== null) return true;
    let bytes = crlf;
    if (!bytes) {
      const read = this.readFile(rec, true);
      if (!read) return false;
      bytes = toCrlf(read.data, read.data.length <= SCRATCH_OCTETS ? scratchCrlf : undefined);
    }
    const { bodystructure, body } = structureSummary(bytes);
    entry.bodystructure = bodystructure;
    entry.body = body;
    this.index.put(rec.base, entry);
    return true;
  }

  /**
   * The message as IMAP sends it (CRLF line ends) with its entry (`withStructure`: with its
   * BODYSTRUCTURE and BODY); undefined if gone.
   */
  content(rec: MessageRecord, withStructure = false): { data: Buffer; entry: IndexEntry } | undefined {
    const read = this.readFile(rec);
    if (!read) return undefined;
    const known = this.index.get(rec.base, rec.size);
    if (!known) {
      // first read of this message: the bytes made CRLF for the index are the ones sent
      const built = this.build(rec, read, undefined, withStructure);
      return { data: built.crlf, entry: built.entry };
    }
    const data = known.lf ? toCrlf(read.data) : read.data;
    if (withStructure) this.addStructure(rec, known, data);
    return { data, entry: known };
  }

  /** Write index entries built since the last time (after a FETCH or SEARCH). */
  saveIndex(): Promise<void> {
    // the folder's records are the live names (no copy of 5,000 keys for every FETCH)
    return this.index.flush(this.byBase);
  }

  /** A session starts using this folder: watch it for other writers. */
  acquire(): void {
    if (this.users++ > 0) return;
    for (const sub of ['new', 'cur']) {
      try {
        const watcher = fs.watch(path.join(this.dir, sub), { persistent: false }, (_event, name) => {
          // the news of a move claimRecent made itself says nothing new: no look for it
          if (typeof name === 'string' && this.ownMoves.delete(name)) return;
          this.requestSync();
        });
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // the folder is gone; sync() will say so
      }
    }
  }

  /**
   * The host's MailStore delivered a file into new/: sessions watching this folder (IDLE) hear
   * of it at once, without waiting for fs.watch. A folder nobody watches is not read for it.
   */
  noteDelivery(): void {
    if (this.users > 0) this.requestSync();
  }

  release(): void {
    if (--this.users > 0) return;
    this.users = 0;
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** Stop watching and forget every listener (the store is closing). */
  shutdown(): void {
    this.users = 1;
    this.release();
    this.removeAllListeners();
  }

  /** Something changed on disk: look soon, once for a burst of events. */
  requestSync(): void {
    if (this.syncRequested) return;
    this.syncRequested = true;
    setImmediate(() => {
      this.syncRequested = false;
      this.sync().catch((err) => {
        if (err instanceof MaildirMissingError) this.emit('reset');
      });
    });
  }

  /** STATUS figures (RFC 3501 section 6.3.10). */
  status(): { messages: number; recent: number; uidNext: number; uidValidity: number; unseen: number } {
    let unseen = 0;
    for (const m of this.messages) if (!m.letters.includes('S')) unseen++;
    return { messages: this.messages.length, recent: this.unclaimedRecent.size, uidNext: this.uidNext, uidValidity: this.uidValidity, unseen };
  }
}

/**
 * How message files are opened for reading: without updating their access time (Linux's
 * O_NOATIME), which nothing in a Maildir uses; the first read of a file since it was written
 * would otherwise write its inode back to the journal (relatime). 5,000 letters just delivered,
 * each opened, read and closed: 36-46 ms -> 30-36 ms. O_NOATIME is only for the files' owner
 * (or root): after one EPERM, files are opened as usual.
 */
let readFlags = fs.constants.O_RDONLY | (fs.constants.O_NOATIME ?? 0);

/** A message file's descriptor, or undefined when another session removed or renamed it. */
function openIfPresent(file: string): number | undefined {
  try {
    return fs.openSync(file, readFlags);
  } catch (err) {
    if (isMissing(err)) return undefined;
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' || readFlags === fs.constants.O_RDONLY) throw err;
    readFlags = fs.constants.O_RDONLY;
    return openIfPresent(file);
  }
}
