#!/usr/bin/env node
// `npm run lab`. Node's compile cache (kept in the OS temp folder) is switched on before the lab's
// modules load, so a second start skips most of the TypeScript stripping and compiling: it is
// what keeps a cold start of the whole lab within a few hundred milliseconds.
import module from 'node:module';
import './runtime/process-tuning.ts';

module.enableCompileCache?.();
await import('./cli-main.ts');
