// V8 lets its young generation (new space) grow to 64 MB a semi-space on a machine with memory
// to spare, and under a burst of letters it does: 128 MB of the lab's resident memory was new
// space, most of it garbage. The growth is held at a cap instead: after each minor collection,
// growth stays on while new space is below the cap and is turned off (growth factor 1) at it.
// V8 reads this flag at each growth, so it can be set while the process runs (the size flags
// cannot). Scavenges get more frequent, not longer; the cap trades a little CPU for the memory.
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const MB = 1024 * 1024;

export function capYoungGeneration(capMb = Number(process.env.LAB_YOUNG_GEN_MB ?? 16)): void {
  if (!(capMb > 0)) return;
  let growing = true;
  const check = () => {
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (!space) return;
    const grow = space.space_size < capMb * MB;
    if (grow === growing) return;
    growing = grow;
    v8.setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  };
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) check();
  });
  observer.observe({ entryTypes: ['gc'] });
}
