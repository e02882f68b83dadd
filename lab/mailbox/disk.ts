// Writing files so that they survive a crash, as the queue and the Maildir delivery do: created,
// written, fsynced, closed, renamed, and the folder fsynced. The calls are made by a thread of
// their own (disk-worker.cjs), one job per write of the queue or the Maildir: the main thread,
// which runs every server of the lab, only hands the job over and hears that it is done. Made on
// the main thread, each open, write, close, rename and unlink was tens of microseconds of it (on
// this VM class; the fsyncs already ran on libuv's pool), about a dozen times per relayed letter,
// while the second core stood mostly idle. The jobs of one turn of the event loop go over in
// one message, and their answers come back together too. The answer still comes only when
// every byte and name is on disk: a 250 still waits for it.
//
// The thread starts with the first job (an idle lab has none) and is one per process, shared by
// every lab in it; it keeps no process alive while nothing is being written.
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

interface Job {
  writes?: { file: string; data: Uint8Array | string }[];
  renames?: [string, string][];
  unlinks?: string[];
  fsyncs?: string[];
}

interface Answer {
  id: number;
  error?: { message: string; code?: string; index?: number };
}

/** A failed write: `index` is the file's place in the job's writes (undefined: a later step). */
export type DiskError = NodeJS.ErrnoException & { index?: number };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

function start(): Worker {
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  // the thread's JavaScript is a few calls per job: its heap is kept small
  const made = new Worker(new URL('./disk-worker.cjs', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
  made.unref();
  made.on('message', (answers: Answer[]) => {
    for (const answer of answers) {
      const job = pending.get(answer.id);
      if (!job) continue;
      pending.delete(answer.id);
      if (answer.error) job.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code, index: answer.error.index }));
      else job.resolve();
    }
    if (pending.size === 0) made.unref();
  });
  const gone = (why: string) => {
    if (worker === made) worker = undefined;
    const failed = [...pending.values()];
    pending.clear();
    for (const job of failed) job.reject(Object.assign(new Error(`the disk thread stopped (${why}) before the write was done`), { code: 'EIO' }));
  };
  made.on('error', (err: Error) => gone(err.message));
  made.on('exit', (code) => gone(`exit ${code}`));
  return made;
}

/** Jobs of this turn of the event loop, handed over together in its check phase. */
let outbox: (Job & { id: number })[] = [];

function flush(): void {
  const jobs = outbox;
  outbox = [];
  if (!worker) worker = start();
  worker.postMessage(jobs);
}

function send(job: Job): Promise<void> {
  const id = ++nextId;
  if (pending.size === 0) (worker ??= start()).ref();
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    if (outbox.push({ id, ...job }) === 1) setImmediate(flush);
  });
}

/**
 * What goes to the thread: a message's bytes are copied there with the whole memory they are a
 * view of, so a few KB that are a slice of much more are copied out first.
 */
function own(data: Buffer | string): Uint8Array | string {
  if (typeof data === 'string' || data.buffer.byteLength <= Math.max(64 * 1024, 2 * data.byteLength)) return data;
  return Uint8Array.prototype.slice.call(data);
}

/**
 * Create each file ('wx': it must not exist) with its bytes, fsynced (the fsyncs overlap); then,
 * if every one was written, make the renames in turn. Rejects with the first failure (a
 * DiskError: `index` names the write that failed, undefined for a rename).
 */
export function writeFilesSynced(writes: { file: string; data: Buffer | string }[], renames: [string, string][] = []): Promise<void> {
  return send({ writes: writes.map(({ file, data }) => ({ file, data: own(data) })), renames });
}

/** Create `file` ('wx': it must not exist) with `data`, fsynced before this resolves. */
export function writeFileSynced(file: string, data: Buffer | string): Promise<void> {
  return send({ writes: [{ file, data: own(data) }] });
}

/** Remove files in this order; one that is not there is no error. */
export function removeFiles(files: string[]): Promise<void> {
  return send({ unlinks: files });
}

/** fsync a folder (or a file) by its path: makes the names made in a folder durable. */
export function fsyncPath(p: string): Promise<void> {
  return send({ fsyncs: [p] });
}
