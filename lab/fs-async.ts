// The file calls that the lab's servers wait on (a queue's read, a folder's listing, an index's
// save), as promises made on node:fs's callbacks rather than taken from node:fs/promises. That
// module, as it loads, loads readline (for FileHandle.readLines), the file watchers, the file
// streams and their UTF-8 writer: 1.1 MB of an idle lab that needs none of them (see bench/HISTORY.md,
// the ninth sitting). The mail path's own writes are in mailbox/disk.ts: synchronous
// calls, and only the fsync on libuv's pool. The web page, the export and the containers, loaded
// only when asked for, still use node:fs/promises.
import { fs, util } from './node-builtins.ts';

const { promisify } = util;

export const appendFile = promisify(fs.appendFile);
export const copyFile = promisify(fs.copyFile);
export const link = promisify(fs.link);
export const mkdir = promisify(fs.mkdir);
export const mkdtemp = promisify(fs.mkdtemp);
export const readdir = promisify(fs.readdir);
export const readFile = promisify(fs.readFile);
export const rename = promisify(fs.rename);
export const rm = promisify(fs.rm);
export const stat = promisify(fs.stat);
export const utimes = promisify(fs.utimes);
export const writeFile = promisify(fs.writeFile);

export default { appendFile, copyFile, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile };
