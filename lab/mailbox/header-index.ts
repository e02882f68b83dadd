import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { MessageSummary } from './message-summary.ts';

// The header and envelope index of one folder: for each message file (by its base name, which
// never changes; a Maildir file's content never changes either) its summary: ENVELOPE,
// BODYSTRUCTURE, sizes, decoded search fields. Like dovecot.index.cache: FETCH ENVELOPE of a
// large folder reads this instead of every file. It is a cache: missing, of another version,
// or disagreeing with a file's size, it is rebuilt from the files.
//
// On disk: JSON lines, a header line, then one line per entry, appended as entries are built;
// rewritten without the dead lines when they outnumber the live ones.

export const INDEX_FILE = 'mail-lab.index';
const FORMAT = 'mail-lab-index';
const VERSION = 1;

export interface IndexEntry extends MessageSummary {
  /** the file's size on disk when indexed (checked against ,S= in its name) */
  size: number;
  /** its modification time: the INTERNALDATE (maildir(5), as dovecot uses it) */
  mtime: number;
}

export class HeaderIndex {
  readonly file: string;
  private readonly entries = new Map<string, IndexEntry>();
  /** base names of entries built since the last flush */
  private pending: string[] = [];
  private lines = 0;
  private loaded = false;
  private writing: Promise<void> = Promise.resolve();
  /** why the index was rebuilt at the last load, for the log and the tests */
  rebuilt: 'missing' | 'stale' | undefined;

  constructor(dir: string) {
    this.file = path.join(dir, INDEX_FILE);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Read the file once; an unreadable or foreign one is dropped and rebuilt as messages are read. */
  load(): void {
    if (this.loaded) return;
    this.loaded = true;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      this.rebuilt = 'missing';
      return;
    }
    const lines = text.split('\n');
    let header: { format?: string; v?: number } | undefined;
    try {
      header = JSON.parse(lines[0]);
    } catch {
      header = undefined;
    }
    if (header?.format !== FORMAT || header.v !== VERSION) {
      this.rebuilt = 'stale';
      fs.rmSync(this.file, { force: true });
      return;
    }
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]) continue;
      try {
        const { b, ...entry } = JSON.parse(lines[i]) as IndexEntry & { b: string };
        if (typeof b === 'string' && typeof entry.envelope === 'string') this.entries.set(b, entry);
      } catch {
        // a line cut short by a crash: that message is indexed again when needed
      }
      this.lines++;
    }
  }

  /** The entry for a file, if it is there and still matches the file's size. */
  get(base: string, size: number): IndexEntry | undefined {
    const entry = this.entries.get(base);
    if (!entry) return undefined;
    if (size >= 0 && entry.size !== size) {
      this.entries.delete(base); // stale: the file is not the one indexed
      return undefined;
    }
    return entry;
  }

  put(base: string, entry: IndexEntry): void {
    this.entries.set(base, entry);
    this.pending.push(base);
  }

  forget(base: string): void {
    this.entries.delete(base);
  }

  /**
   * Append the entries built since the last flush; rewrite the file when it is missing or
   * mostly dead lines. The text is made now, the writing is asynchronous and one at a time.
   */
  flush(live?: Set<string>): Promise<void> {
    let job: () => Promise<void>;
    if (live && this.lines > 256 && this.lines > live.size * 2) {
      for (const base of [...this.entries.keys()]) if (!live.has(base)) this.entries.delete(base);
      job = this.rewriteJob();
    } else if (this.pending.length === 0) {
      return this.writing;
    } else if (!this.onDisk()) {
      // missing (first build, or deleted under us): write all we know
      job = this.rewriteJob();
    } else {
      const lines: string[] = [];
      for (const b of this.pending) {
        const entry = this.entries.get(b);
        if (entry) lines.push(JSON.stringify({ b, ...entry }));
      }
      const text = `${lines.join('\n')}\n`;
      const count = lines.length;
      this.pending = [];
      job = async () => {
        await fsp.appendFile(this.file, text);
        this.lines += count;
      };
    }
    this.writing = this.writing.then(job).catch(() => undefined); // a folder deleted meanwhile: nothing to keep
    return this.writing;
  }

  private onDisk(): boolean {
    return fs.existsSync(this.file);
  }

  private rewriteJob(): () => Promise<void> {
    const lines = [JSON.stringify({ format: FORMAT, v: VERSION })];
    for (const [b, entry] of this.entries) lines.push(JSON.stringify({ b, ...entry }));
    const text = `${lines.join('\n')}\n`;
    const count = this.entries.size;
    this.pending = [];
    const tmp = `${this.file}.${process.pid}.tmp`;
    return async () => {
      await fsp.writeFile(tmp, text);
      await fsp.rename(tmp, this.file);
      this.lines = count;
    };
  }
}
