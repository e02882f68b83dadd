import { fs } from '../node-builtins.ts';
import fsp from '../fs-async.ts';
import path from 'node:path';
import type { MessageSummary } from './message-summary.ts';

// The header and envelope index of one folder: for each message file (by its base name, which
// never changes; a Maildir file's content never changes either) its summary: ENVELOPE,
// BODYSTRUCTURE (once a FETCH asked for it; \N before), sizes, the header fields SEARCH looks
// at. Like dovecot.index.cache: FETCH ENVELOPE of a large folder reads this instead of every
// file. It is a cache: missing, of another version, or disagreeing with a file's size, it is
// rebuilt from the files.
//
// On disk: a header line (INDEX_HEADER), then one line per message, fields separated by
// tabs (\t, \n, \r and \ escaped with a backslash, \N for none). ENVELOPE strings are full of
// quotes, which JSON would escape one by one; this keeps writing 5,000 entries cheap. Lines are
// appended as entries are built; the file is rewritten without dead lines when they outnumber
// the live ones.

export const INDEX_FILE = 'mail-lab.index';
// version 3: SEARCH's address fields are parsed addresses, its subject decoded
export const INDEX_HEADER = 'mail-lab-index 3';
const FIELDS = 17;

export interface IndexEntry extends MessageSummary {
  /** the file's size on disk when indexed (checked against ,S= in its name) */
  size: number;
  /**
   * its modification time: the INTERNALDATE (maildir(5), as dovecot uses it); UNKNOWN_TIME (-1)
   * until asked for, when the entry was built without a stat (Maildir.internalDate)
   */
  mtime: number;
}

const NONE = '\\N';

function esc(value: string | null): string {
  if (value === null) return NONE;
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

function unesc(value: string): string | null {
  if (value === NONE) return null;
  return value.includes('\\') ? value.replace(/\\([\\tnr])/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\')) : value;
}

const num = (value: number | null) => (value === null ? NONE : String(value));
const unnum = (value: string) => (value === NONE ? null : Number(value));

/** One entry as a line (no line break). */
export function encodeEntry(base: string, e: IndexEntry): string {
  return [
    esc(base), e.size, e.mtime, e.vsize, e.lf, e.headerSize, num(e.sentMs), num(e.sentDay), esc(e.messageId),
    esc(e.search[0]), esc(e.search[1]), esc(e.search[2]), esc(e.search[3]), esc(e.search[4]),
    esc(e.envelope), esc(e.bodystructure), esc(e.body),
  ].join('\t');
}

/** A line back to its entry; undefined for a line that is not one (cut short by a crash). */
export function decodeEntry(line: string): [string, IndexEntry] | undefined {
  const f = line.split('\t');
  if (f.length !== FIELDS) return undefined;
  const size = Number(f[1]);
  const mtime = Number(f[2]);
  if (!Number.isFinite(size) || !Number.isFinite(mtime)) return undefined;
  const envelope = unesc(f[14]);
  // none until a FETCH asked for them (message-summary.ts)
  const bodystructure = unesc(f[15]);
  const body = unesc(f[16]);
  if (envelope === null) return undefined;
  return [
    unesc(f[0]) ?? '',
    {
      size,
      mtime,
      vsize: Number(f[3]),
      lf: f[4] === '1' ? 1 : 0,
      headerSize: Number(f[5]),
      sentMs: unnum(f[6]),
      sentDay: unnum(f[7]),
      messageId: unesc(f[8]),
      search: [unesc(f[9]) ?? '', unesc(f[10]) ?? '', unesc(f[11]) ?? '', unesc(f[12]) ?? '', unesc(f[13]) ?? ''],
      envelope,
      bodystructure,
      body,
    },
  ];
}

export class HeaderIndex {
  readonly file: string;
  private readonly entries = new Map<string, IndexEntry>();
  /** base names of entries built since the last flush */
  private pending: string[] = [];
  private lines = 0;
  private loaded = false;
  private writing: Promise<void> = Promise.resolve();
  /** a full write is on its way: later entries are appended after it, not written twice */
  private rewriteQueued = false;
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
    if (lines[0] !== INDEX_HEADER) {
      this.rebuilt = 'stale';
      fs.rmSync(this.file, { force: true });
      return;
    }
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]) continue;
      const decoded = decodeEntry(lines[i]);
      if (decoded) this.entries.set(decoded[0], decoded[1]);
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
  flush(live?: { has(base: string): boolean; readonly size: number }): Promise<void> {
    let job: () => Promise<void>;
    if (live && this.lines > 256 && this.lines > live.size * 2) {
      for (const base of [...this.entries.keys()]) if (!live.has(base)) this.entries.delete(base);
      job = this.rewriteJob();
    } else if (this.pending.length === 0) {
      return this.writing;
    } else if (!this.rewriteQueued && !fs.existsSync(this.file)) {
      // missing (first build, or deleted under us): write all we know
      job = this.rewriteJob();
    } else {
      let text = '';
      let count = 0;
      for (const b of this.pending) {
        const entry = this.entries.get(b);
        if (!entry) continue;
        text += `${encodeEntry(b, entry)}\n`;
        count++;
      }
      this.pending = [];
      job = async () => {
        await fsp.appendFile(this.file, text);
        this.lines += count;
      };
    }
    this.writing = this.writing.then(job).catch(() => undefined); // a folder deleted meanwhile: nothing to keep
    return this.writing;
  }

  private rewriteJob(): () => Promise<void> {
    this.rewriteQueued = true;
    let text = `${INDEX_HEADER}\n`;
    for (const [b, entry] of this.entries) text += `${encodeEntry(b, entry)}\n`;
    const count = this.entries.size;
    this.pending = [];
    const tmp = `${this.file}.${process.pid}.tmp`;
    return async () => {
      try {
        await fsp.writeFile(tmp, text);
        await fsp.rename(tmp, this.file);
        this.lines = count;
      } finally {
        this.rewriteQueued = false;
      }
    };
  }
}
