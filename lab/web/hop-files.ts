import { fs } from '../node-builtins.ts';
import path from 'node:path';
import type { TraceBus } from '../trace/trace-bus.ts';
import type { HopEvent } from '../trace/hop-event.ts';

/** A file a hop touched, as it was right after the hop. */
export interface HopFile {
  /** relative to the data folder: Server-B/queue/qfqkB1JQM0006H3 */
  path: string;
  /** the host whose folder it is in (the first part of path) */
  host: string;
  /** what it is, in the seed's words */
  kind: 'qf' | 'df' | 'maildir' | 'other';
  size: number;
  /** the text, when it was still there (a queue file goes once the letter has left) */
  content?: string;
  /** the file was longer than what is kept */
  cut?: boolean;
  /** it was gone before it could be read */
  gone?: boolean;
}

const KEEP_BYTES = 256 * 1024;

/**
 * Keeps the content of the files each hop touched, read when the hop is reported: the queue
 * files of a letter are gone a few milliseconds after its relay, and a Maildir file moves from
 * new/ to cur/ when it is read, so reading them later, when a student clicks the hop, would show
 * nothing. The read is synchronous on purpose: the bus calls its listeners while the role waits,
 * so the file is exactly as the hop left it (a few small files from the page cache, and only
 * while the page is on). Only files under the data folder are read.
 */
export class HopFiles {
  private readonly bySeq = new Map<number, HopFile[]>();
  private readonly keep: number;
  private readonly off: () => void;
  dataDir: string;
  /** a hop's file name -> the file on this computer (the containers runtime's hosts name /data/<Host>/...) */
  localFile: (file: string) => string;

  constructor(trace: TraceBus, dataDir: string, localFile: (file: string) => string = (f) => f, keep = 5_000) {
    this.dataDir = dataDir;
    this.localFile = localFile;
    this.keep = keep;
    for (const event of trace.events) this.record(event);
    this.off = trace.on((event) => this.record(event));
  }

  private record(event: HopEvent): void {
    if (!event.files?.length) return;
    this.bySeq.set(event.seq, event.files.map((file) => readHopFile(this.dataDir, this.localFile(file))).filter((f): f is HopFile => f !== undefined));
    if (this.bySeq.size > this.keep) this.bySeq.delete(this.bySeq.keys().next().value!);
  }

  files(seq: number): HopFile[] {
    return this.bySeq.get(seq) ?? [];
  }

  close(): void {
    this.off();
  }
}

/** A path inside the data folder, or undefined for anything outside it (../, absolute elsewhere, symlinks out). */
export function insideData(dataDir: string, file: string): string | undefined {
  const root = path.resolve(dataDir);
  const full = path.resolve(root, file);
  if (full !== root && !full.startsWith(root + path.sep)) return undefined;
  try {
    const real = fs.realpathSync(full);
    const realRoot = fs.realpathSync(root);
    if (!real.startsWith(realRoot + path.sep)) return undefined;
    return real;
  } catch {
    return full; // not there (any more): still inside, the caller says it is gone
  }
}

export function fileKind(file: string): HopFile['kind'] {
  const base = path.basename(file);
  if (/^qf/.test(base) && file.includes(`${path.sep}queue${path.sep}`)) return 'qf';
  if (/^df/.test(base) && file.includes(`${path.sep}queue${path.sep}`)) return 'df';
  if (/[/\\](new|cur)[/\\][^/\\]+$/.test(file) && file.includes(`${path.sep}mail${path.sep}`)) return 'maildir';
  return 'other';
}

function readHopFile(dataDir: string, file: string): HopFile | undefined {
  const full = insideData(dataDir, file);
  if (!full) return undefined;
  const rel = path.relative(path.resolve(dataDir), full).split(path.sep).join('/');
  const entry: HopFile = { path: rel, host: rel.split('/')[0], kind: fileKind(full), size: 0 };
  let fd: number | undefined;
  try {
    fd = fs.openSync(full, 'r');
    const size = fs.fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, KEEP_BYTES));
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    entry.size = size;
    entry.content = buffer.subarray(0, read).toString('utf8');
    if (size > KEEP_BYTES) entry.cut = true;
  } catch {
    entry.gone = true;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return entry;
}
