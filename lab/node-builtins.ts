// node:fs, node:util and node:crypto for the lab's modules, by require rather than by an ES
// import. Node builds an ES module's view of a built-in by reading every one of its exports, and
// the lazy ones load modules of their own: importing node:util loaded 14 (parseArgs, diff, the
// terminal colours, worker_threads and its locks), node:crypto its webcrypto, node:fs its
// `promises` (node:fs/promises, which loads readline, the file watchers and the file streams),
// none of which the lab uses at start. By require only what is asked for is loaded (an idle
// lab: see the README's benchmarks, the eighth and ninth sittings). The promise calls of the
// file system are in fs-async.ts.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const fs = require('node:fs') as typeof import('node:fs');
export const util = require('node:util') as typeof import('node:util');
export const crypto = require('node:crypto') as typeof import('node:crypto');
