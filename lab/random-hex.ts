// Random hex for names that must not collide (a Maildir file's R part, a queue file's temporary
// suffix): from a pool that node:crypto fills 4 KB at a time. Each crypto.randomBytes call was
// about 11 µs of the main thread on this VM class (OpenSSL's generator, called once per letter and
// file); from the pool it is a slice.
import { crypto } from './node-builtins.ts';

const POOL = 4096;
let pool = Buffer.alloc(0);
let at = POOL;

/** `bytes` random bytes as hex (2 characters each). */
export function randomHex(bytes: number): string {
  if (at + bytes > pool.length) {
    pool = crypto.randomFillSync(Buffer.allocUnsafe(POOL));
    at = 0;
  }
  const hex = pool.toString('hex', at, at + bytes);
  at += bytes;
  return hex;
}
