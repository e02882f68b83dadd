import fs from 'node:fs';
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
  private pending: string[] = [];
  private lines = 0;
  private loaded = false;
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
    this.pending.push(JSON.stringify({ b: base, ...entry }));
  }

  forget(base: string): void {
    this.entries.delete(base);
  }

  /** Append the entries built since the last flush; rewrite when mostly dead lines. */
  flush(live?: Set<string>): void {
    if (live && this.lines > 256 && this.lines > live.size * 2) {
      for (const base of [...this.entries.keys()]) if (!live.has(base)) this.entries.delete(base);
      this.rewrite();
      return;
    }
    if (this.pending.length === 0) return;
    if (!fs.existsSync(this.file)) {
      // missing (first build, or deleted under us): write all we know
      this.rewrite();
      return;
    }
    const text = `${this.pending.join('\n')}\n`;
    try {
      fs.appendFileSync(this.file, text);
      this.lines += this.pending.length;
    } catch {
      // the folder went away (deleted): nothing to keep
    }
    this.pending = [];
  }

  private rewrite(): void {
    const lines = [JSON.stringify({ format: FORMAT, v: VERSION })];
    for (const [b, entry] of this.entries) lines.push(JSON.stringify({ b, ...entry }));
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, `${lines.join('\n')}\n`);
      fs.renameSync(tmp, this.file);
      this.lines = this.entries.size;
    } catch {
      // as above
    }
    this.pending = [];
  }
}
