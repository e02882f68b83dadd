// A message arriving by DATA, kept as it comes in: the first bytes in memory, the rest in a
// file of the spool folder (xf<id>), and nothing at all once it passes the size limit (RFC 1870:
// the rest is only counted, then 552). So a 200 MB DATA against a 10 MB limit costs the lab
// a few hundred kilobytes of memory, not 200 MB. A crash leaves at most an xf file, which the
// queue removes at its next start.
import { crypto, fs } from '../node-builtins.ts';
import type { WriteStream } from 'node:fs';
import fsp from '../fs-async.ts';
import path from 'node:path';

/** Bytes kept in memory before the message goes to a file. */
const IN_MEMORY = 256 * 1024;

export type SpoolResult = { exceeded: false; message: Buffer } | { exceeded: true; size: number };

export class DataSpool {
  /** bytes received so far, kept or not */
  size = 0;
  private readonly dir: string;
  private readonly limit: number;
  private chunks: Buffer[] = [];
  private kept = 0;
  private file: WriteStream | undefined;
  private fileName: string | undefined;
  private failure: Error | undefined;

  constructor(dir: string, limit: number) {
    this.dir = dir;
    this.limit = limit;
  }

  get exceeded(): boolean {
    return this.size > this.limit;
  }

  /**
   * Take a chunk. Returns a promise when the caller should wait before the next one (the file
   * is behind: back-pressure for the client), undefined when it may go on at once.
   */
  push(chunk: Buffer): Promise<void> | undefined {
    this.size += chunk.length;
    if (this.exceeded) {
      this.drop();
      return undefined;
    }
    if (!this.file && this.kept + chunk.length <= IN_MEMORY) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return undefined;
    }
    if (!this.file) {
      this.fileName = path.join(this.dir, `xf${Date.now().toString(36)}${crypto.randomBytes(4).toString('hex')}`);
      this.file = fs.createWriteStream(this.fileName, { flags: 'wx' });
      this.file.on('error', (err) => (this.failure ??= err));
      for (const kept of this.chunks) this.file.write(kept);
      this.chunks = [];
      this.kept = 0;
    }
    if (this.file.write(chunk)) return undefined;
    const file = this.file;
    return new Promise((resolve) => {
      const done = () => {
        file.off('drain', done);
        file.off('close', done);
        resolve();
      };
      file.once('drain', done);
      file.once('close', done);
    });
  }

  /** The whole message, or how big it was when it passed the limit. */
  async finish(): Promise<SpoolResult> {
    if (this.exceeded) {
      this.drop();
      return { exceeded: true, size: this.size };
    }
    if (!this.file) return { exceeded: false, message: Buffer.concat(this.chunks, this.kept) };
    const file = this.file;
    await new Promise<void>((resolve) => file.end(() => resolve()));
    if (this.failure) {
      this.drop();
      throw this.failure;
    }
    try {
      return { exceeded: false, message: await fsp.readFile(this.fileName!) };
    } finally {
      this.drop();
    }
  }

  /** Let go of everything kept (the client went away, or the message is too big). */
  drop(): void {
    this.chunks = [];
    this.kept = 0;
    if (this.file) {
      const name = this.fileName!;
      this.file.destroy();
      this.file = undefined;
      void fsp.rm(name, { force: true });
    }
  }
}
