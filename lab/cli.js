#!/usr/bin/env node
// `npm run lab`, and `node lab/cli.ts` (lab/cli.ts is a link to this file). The entry is plain
// JavaScript so that Node has nothing to strip before the compile cache is on: node-version.cjs
// checks the Node version and switches the cache on, and from then on every module of the lab
// comes from the cache with its TypeScript already stripped, so the stripper (a WebAssembly
// module, about 65 ms of CPU and 15 MB) is never loaded. process-tuning.ts then sets libuv and
// V8 up before the lab's modules load; cli-main.ts loads only what the options ask for, the
// listeners first (see lab/runtime/process-tuning.ts).
import './node-version.cjs';

await import('./runtime/process-tuning.ts');
await import('./cli-main.ts');
