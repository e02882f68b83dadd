// node:fs, node:util and node:crypto for the lab's modules, by require rather than by an ES
// import. Node builds an ES module's view of a built-in by reading every one of its exports, and
// the lazy ones load modules of their own: importing node:util loaded 14 (parseArgs, diff, the
// terminal colours, worker_threads and its locks), node:crypto its webcrypto, node:fs its
// `promises` (node:fs/promises, which loads readline, the file watchers and the file streams),
// none of which the lab uses at start. By require only what is asked for is loaded (an idle
// lab: see bench/HISTORY.md, the eighth and ninth sittings). The promise calls of the
// file system are in fs-async.ts. node:crypto comes at its first use.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const fs = require('node:fs') as typeof import('node:fs');
export const util = require('node:util') as typeof import('node:util');

type Crypto = typeof import('node:crypto');
let realCrypto: Crypto | undefined;
/**
 * node:crypto, loaded at its first use: a queue ID, a DNS query's ID, a login. Loaded, it holds
 * about 2 MB of memory (OpenSSL's code and its JavaScript), which an idle lab has no use for.
 */
export const crypto: Crypto = new Proxy({} as Crypto, { get: (_target, key) => (realCrypto ??= require('node:crypto') as Crypto)[key as keyof Crypto] });
