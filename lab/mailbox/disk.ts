// Writing a file so that it survives a crash, as the queue and the Maildir delivery do: open,
// write, fsync, close. Only the fsync waits on the disk (milliseconds); it runs on libuv's
// thread pool. The open, the write of a letter of a few KB, the close, a rename and an unlink
// are each a few microseconds of the kernel's page cache, and are made on the main thread:
// through the thread pool each would cost a hand-over to a worker and a wake-up back (a futex
// and an eventfd), more than the call itself, about a dozen times per relayed letter.
import { fs } from '../node-builtins.ts';

/** fsync on the thread pool (the one call that waits on the disk). */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Write all of `bytes` at the descriptor's position (writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
}

/** Create `file` (flags 'wx': it must not exist) with `data`, fsynced before this resolves. */
export async function writeFileSynced(file: string, data: Buffer | string, flags: 'wx' = 'wx'): Promise<void> {
  const fd = fs.openSync(file, flags);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync a folder (or a file) by its path: makes the names made in a folder durable. */
export async function fsyncPath(p: string): Promise<void> {
  const fd = fs.openSync(p, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}
