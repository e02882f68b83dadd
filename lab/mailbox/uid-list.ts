import { fs } from '../node-builtins.ts';
import type { Stats } from 'node:fs';
import fsp from '../fs-async.ts';
import path from 'node:path';

// The persistent UID list of one Maildir folder, in the shape of dovecot's dovecot-uidlist
// (version 3): a header "3 V<uidvalidity> N<nextuid>" and one "<uid> :<base name>" line per
// message. UIDs are strictly ascending and never reused (RFC 3501 section 2.3.1.1); while the
// file lives, UIDVALIDITY stays. New lines are appended; the file is rewritten when it holds
// many lines for messages that are gone. Writers take dovecot-uidlist.lock (O_EXCL), so two
// processes on one Maildir do not hand out the same UID.

export const UIDLIST = 'dovecot-uidlist';
const LOCK = 'dovecot-uidlist.lock';
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

let lastValidity = 0;

/** A fresh UIDVALIDITY: the time in seconds, strictly above any this process handed out. */
export function newUidValidity(): number {
  lastValidity = Math.max(Math.floor(Date.now() / 1000), lastValidity + 1);
  return lastValidity;
}

export class UidList {
  readonly file: string;
  readonly dir: string;
  uidValidity = 0;
  nextUid = 1;
  /** base name -> UID */
  readonly uids = new Map<string, number>();
  /** what we read of the file: its inode and length, to see another writer's changes */
  private seen: { ino: number; size: number } | undefined;
  private lines = 0;

  constructor(dir: string) {
    this.dir = dir;
    this.file = path.join(dir, UIDLIST);
  }

  /**
   * Read the file again if someone changed it: the new tail when it only grew, all of it when
   * it was replaced. A missing file keeps what we know (and is written again on the next
   * change); with nothing known yet it starts a new UIDVALIDITY.
   */
  async refresh(): Promise<void> {
    let stat: Stats;
    try {
      stat = await fsp.stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!this.uidValidity) this.uidValidity = newUidValidity();
      this.seen = undefined;
      return;
    }
    if (this.seen && this.seen.ino === stat.ino && this.seen.size === stat.size) return;
    const sameFile = this.seen && this.seen.ino === stat.ino && stat.size > this.seen.size;
    const text = await fsp.readFile(this.file, 'utf8');
    const start = sameFile ? this.seen!.size : 0;
    if (!sameFile) {
      this.uids.clear();
      this.lines = 0;
    }
    const readable = this.parse(text.slice(start), !sameFile);
    // an unreadable list is written again (with the new UIDVALIDITY) on the next change
    this.seen = readable ? { ino: stat.ino, size: Buffer.byteLength(text) } : undefined;
  }

  private parse(text: string, withHeader: boolean): boolean {
    const lines = text.split('\n');
    let i = 0;
    if (withHeader) {
      const header = /^3 V(\d+) N(\d+)/.exec(lines[0] ?? '');
      if (!header) {
        // not a list we can read: start over with a new UIDVALIDITY (clients resynchronise)
        this.uidValidity = newUidValidity();
        this.nextUid = 1;
        return false;
      }
      this.uidValidity = Number(header[1]);
      this.nextUid = Math.max(1, Number(header[2]));
      i = 1;
    }
    for (; i < lines.length; i++) {
      const m = /^(\d+)(?: [^:]*)?:(.+)$/.exec(lines[i]);
      if (!m) continue;
      const uid = Number(m[1]);
      this.uids.set(m[2], uid);
      this.lines++;
      if (uid >= this.nextUid) this.nextUid = uid + 1;
    }
    return true;
  }

  /** Give UIDs to base names not yet in the list, in the order given; returns every name's UID. */
  async assign(bases: string[]): Promise<Map<string, number>> {
    return this.locked(async () => {
      await this.refresh();
      const result = new Map<string, number>();
      const added: string[] = [];
      for (const base of bases) {
        let uid = this.uids.get(base);
        if (uid === undefined) {
          uid = this.nextUid++;
          this.uids.set(base, uid);
          added.push(`${uid} :${base}\n`);
        }
        result.set(base, uid);
      }
      if (added.length) {
        if (!this.seen) await this.rewrite(undefined);
        else {
          const text = added.join('');
          await fsp.appendFile(this.file, text);
          this.seen.size += Buffer.byteLength(text);
          this.lines += added.length;
        }
      }
      return result;
    });
  }

  /**
   * Write the whole list again, keeping only the given base names (all when undefined), when
   * the file is missing or holds more dead lines than live ones.
   */
  async compact(liveCount: number, live: () => Set<string>): Promise<void> {
    if (this.seen && this.lines <= Math.max(64, liveCount * 2)) return;
    await this.locked(async () => {
      await this.refresh();
      await this.rewrite(live());
    });
  }

  private async rewrite(live: Set<string> | undefined): Promise<void> {
    if (!this.uidValidity) this.uidValidity = newUidValidity();
    if (live) for (const base of [...this.uids.keys()]) if (!live.has(base)) this.uids.delete(base);
    const entries = [...this.uids.entries()].sort((a, b) => a[1] - b[1]);
    const text = `3 V${this.uidValidity} N${this.nextUid}\n${entries.map(([base, uid]) => `${uid} :${base}\n`).join('')}`;
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, text);
    await fsp.rename(tmp, this.file);
    const stat = await fsp.stat(this.file);
    this.seen = { ino: stat.ino, size: stat.size };
    this.lines = entries.length;
  }

  /** Run fn holding the lock file; a lock older than STALE_LOCK_MS is taken as left by a crash. */
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const lock = path.join(this.dir, LOCK);
    const started = Date.now();
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      try {
        fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await fsp.stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > STALE_LOCK_MS) await fsp.rm(lock, { force: true });
        else if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`${lock} is held by another process`);
        else await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    try {
      return await fn();
    } finally {
      await fsp.rm(lock, { force: true });
    }
  }
}
