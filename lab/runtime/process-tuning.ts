// Settings for a process that runs a lab, made before the lab's modules load and before anything
// uses libuv's thread pool. Imported first by lab/cli.ts and by any driver that runs a whole lab.
import module from 'node:module';
import { holdHeapGrowth } from './heap-growth.ts';

// Every queue and Maildir write ends in fsync, which runs on libuv's pool, and its default of
// four threads is what limited the MTA under load (361 -> 684 letters/s with 16, measured
// with bench/smtp-load.ts on this machine class).
process.env.UV_THREADPOOL_SIZE ??= '16';

// Node's compile cache (NODE_COMPILE_CACHE, or node-compile-cache in the OS temp folder) keeps
// the lab's modules with their TypeScript already stripped: from the second start on, the
// stripper (a WebAssembly module, about 11 MB) is not even loaded. An idle lab measured
// about 95 -> 68 MB PSS and 1.1 -> 0.7 s of start-up CPU with it (node bench/start-cost.ts).
module.enableCompileCache?.();

// The young generation stays small while the lab loads; startLab() lets it grow, up to 8 MB, and
// lets the old generation grow to 1.5 times what survives, not four times (heap-growth.ts).
holdHeapGrowth();
