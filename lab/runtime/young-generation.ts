// V8's young generation (new space, where new objects are made) doubles whenever many objects
// survive a collection, up to 64 MB a semi-space on a machine with memory to spare, and does not
// give the pages back on its own. Two moments of a lab process make it grow for nothing:
// - loading the lab: hundreds of modules, schemas and zones that all survive. So a process that
//   runs a lab (process-tuning.ts) holds the young generation at its first size while the lab
//   loads and starts (an idle lab: 52 -> 45 MB of anonymous memory, node bench/start-cost.ts);
// - a burst of letters: 128 MB of the lab's resident memory was new space, most of it garbage.
//   So once the lab is up (startLab releases the hold) it may grow only up to a cap, 16 MB
//   (LAB_YOUNG_GEN_MB; 0 leaves V8's own growth): after each minor collection growth stays on
//   while new space is below the cap and is turned off (growth factor 1) at it.
// V8 reads the growth factor at each growth, so it can be set while the process runs (the size
// flags cannot). Scavenges get more frequent, not longer; the cap trades a little CPU for memory.
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const MB = 1024 * 1024;
/** V8's default --semi-space-growth-factor */
const DEFAULT_GROWTH = 2;
let held = false;

export function holdYoungGeneration(): void {
  held = true;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Only undoes holdYoungGeneration(), and from then on keeps the young generation under its cap:
 * a process that never held it (a test calling startLab) keeps V8's own flags.
 */
export function releaseYoungGeneration(capMb = Number(process.env.LAB_YOUNG_GEN_MB ?? 16)): void {
  if (!held) return;
  held = false;
  if (!(capMb > 0)) {
    v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
    return;
  }
  capYoungGeneration(capMb);
}

function capYoungGeneration(capMb: number): void {
  let growing: boolean | undefined;
  const check = () => {
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (!space) return;
    const grow = space.space_size < capMb * MB;
    if (grow === growing) return;
    growing = grow;
    v8.setFlagsFromString(`--semi-space-growth-factor=${grow ? DEFAULT_GROWTH : 1}`);
  };
  check();
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) check();
  });
  observer.observe({ entryTypes: ['gc'] });
}
