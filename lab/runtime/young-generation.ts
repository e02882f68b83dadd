// V8's young generation (where new objects are made) doubles its size whenever many of them
// survive a collection, and never gives the pages back on its own in the first seconds. Loading
// the lab is exactly that: hundreds of modules, schemas and zones that all survive. So a process
// that runs a lab keeps the young generation at its first size while the lab loads and starts
// (process-tuning.ts holds it), and lets it grow as usual once the lab is up (startLab releases
// it), when traffic makes garbage that dies young. An idle lab measured 52 -> 45 MB of anonymous
// memory with it (node bench/start-cost.ts); once it is up, V8 grows it as it always does.
import v8 from 'node:v8';

/** V8's default --semi-space-growth-factor */
const DEFAULT_GROWTH = 2;
let held = false;

export function holdYoungGeneration(): void {
  held = true;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/** Only undoes holdYoungGeneration(): a process that never held it keeps its own flags. */
export function releaseYoungGeneration(): void {
  if (!held) return;
  held = false;
  v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
}
