#!/usr/bin/env node
// `npm run lab`. process-tuning.ts switches Node's compile cache on before the lab's modules load,
// so a second start skips the TypeScript stripping and most compiling; cli-main.ts loads only
// what the options ask for, the listeners first (see lab/runtime/process-tuning.ts).
import './runtime/process-tuning.ts';

await import('./cli-main.ts');
