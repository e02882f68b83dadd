// How far V8 lets the heap of a lab process grow before it collects. Left to itself, on a
// machine with memory to spare, V8 grows both generations far past what the lab keeps alive:
// - the young generation (new space, where new objects are made) doubles whenever many objects
//   survive a collection, up to 64 MB a semi-space, and does not give the pages back. Loading
//   the lab (hundreds of modules, schemas and zones that all survive) makes it grow for nothing;
//   so a process that runs a lab (process-tuning.ts) holds it at its first size while the lab
//   loads and starts (an idle lab: 52 -> 45 MB of anonymous memory, node bench/start-cost.ts);
// - under a burst of letters, 128 MB of the lab's resident memory was new space, most of it
//   garbage. So once the lab is up (startLab releases the hold) new space may grow only up to a
//   cap, 8 MB (LAB_YOUNG_GEN_MB; 0 leaves V8's own growth): after each minor collection growth
//   stays on while new space is below the cap and is turned off (growth factor 1) at it. Two
//   hops of 5,000 letters, 3 rounds of 16, 8 and 4 MB in turn (bench/smtp-peak.sh): peak PSS
//   119-127, 110-111 and 106-112 MB; CPU 10.3/12.2/13.7, 9.7/12.8/12.8 and 12.9/13.9/14.9 s:
//   8 MB costs nothing the noise shows, 4 MB a tenth more;
// - the old generation: after each full collection V8 sets the next one at up to 4 times what
//   survived, when the process allocates fast. Under 5,000 letters by smtp-source, 36 MB
//   survived a full collection while the heap stood at 100 MB, with 40 MB more of dead Buffers
//   outside it that only a full collection frees. From the release on, the next full
//   collection comes at 1.5 times what survived (LAB_OLD_GROWTH_PERCENT, 50; 0 leaves V8's own
//   factor). Two hops of that load, runs alternating with V8's factor (bench/smtp-peak.sh):
//   peak PSS 195-242 -> 168-171 MB at twice, CPU 16.0-21.7 s (median 17.8 of 9) -> 16.6-19.3 s
//   (18.7 of 3). Twice stayed the default while the trace held 5,000 events: 1.3 and 1.5 times
//   then gave 150-157 MB, for CPU (median 20.1 and 21.1 s of 3) that may have been a tenth more.
//   With the trace at 1,000 (less survives, so each full collection is cheaper), 3 rounds of
//   twice / 1.5 times: two hops' peak 111-118 -> 102-104 MB, CPU 14.0-15.1 -> 12.1-15.5 s; with
//   reused connections 118-121 -> 112 MB, 10.0-10.9 -> 9.0-10.9 s; a cold IMAP session's CPU
//   0.57-0.75 -> 0.63-0.66 s; dnsperf's queries/s within the noise, RSS the same.
// V8 reads both factors at each growth, so they can be set while the process runs (the size
// flags cannot, and flags given at start would also miss Node's compile cache, whose folder is
// keyed by them). Collections get more frequent, not longer.
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const MB = 1024 * 1024;
/** V8's default --semi-space-growth-factor */
const DEFAULT_GROWTH = 2;
let held = false;

export function holdHeapGrowth(): void {
  held = true;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // Two of V8's compilers of machine code wait too: TurboFan and Sparkplug (V8's baseline
  // compiler). Most of what runs while a lab loads runs once (each module's body, Node's
  // resolution of each module), and the code they would have made is never needed again. While
  // the lab loads, Node's path code runs once for every module resolved, more the longer the
  // checkout's path: with the checkout in /tmp/wt-after it got hot enough to be optimised, and
  // TurboFan's own code, paged in from the node binary, was 4.5-5.5 MB more of an idle lab than
  // with it in /tmp/wt-c (the same commit, 68.8-69.1 against 62.9-63.4 MB RSS). Sparkplug
  // waiting as well: an idle lab 60.7 -> 60.2 MB PSS, its start as quick as before (the ninth
  // sitting). Maglev does not wait: held with them (59.7 MB), two hops of 5,000 letters took
  // longer once the lab was up, 8.9-11.0 s (median 10.2 of 8) against 8.8-10.7 (9.8) without it
  // and 8.8-10.6 (9.8) before (smtp-source's load of the side-by-side bench, each run on a fresh
  // ext4, alternating). The release gives both back, before any load comes.
  v8.setFlagsFromString('--no-turbofan');
  v8.setFlagsFromString('--no-sparkplug');
}

/**
 * Only undoes holdHeapGrowth(), and from then on keeps both generations near what is alive: a
 * process that never held it (a test calling startLab) keeps V8's own flags.
 */
export function releaseHeapGrowth(capMb = Number(process.env.LAB_YOUNG_GEN_MB ?? 8), oldGrowthPercent = Number(process.env.LAB_OLD_GROWTH_PERCENT ?? 50)): void {
  if (!held) return;
  held = false;
  v8.setFlagsFromString('--sparkplug');
  v8.setFlagsFromString('--turbofan');
  if (oldGrowthPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(oldGrowthPercent)}`);
  markWhenRoomIsUsed(Number(process.env.LAB_MARK_SOFT ?? 0), Number(process.env.LAB_MARK_HARD ?? 0));
  if (!(capMb > 0)) {
    v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
    return;
  }
  capYoungGeneration(capMb);
}

/**
 * When a full collection starts marking. V8's own rule starts it as soon as the old generation's
 * room (its limit less its size) is smaller than new space, which with a 16 MB cap was always so
 * while less than about 32 MB survives, as in a lab of 12 MB: marking then starts again right
 * after each full collection ends. A fresh lab's POP3 session of 5,000 RETRs ran 17-18 full
 * collections (--trace-gc). With these triggers marking starts when that share of the room is
 * used (soft: by a task; hard: at once). With LAB_MARK_SOFT=50 LAB_MARK_HARD=80: 5-7
 * collections, retr_all 0.76-0.84 -> 0.63 s, and the peaks stayed as they were, as the limit did
 * not move (two hops 165-170 -> 169-174 MB, the mail phase's steps 174-181 -> 163-170 MB). But a
 * cold IMAP session, whose index build keeps 5,000 entries alive, paid for the later marking:
 * FETCH HEADER after it 0.100-0.104 -> 0.113-0.121 s, ENVELOPE 0.216-0.225 -> 0.223-0.235 s (3
 * alternating runs, /tmp/ix/imapcold.sh; 25/60 the same). So both are 0 by default, V8's own
 * rule; a lab that serves mostly POP3 sessions of thousands of letters may set them.
 */
function markWhenRoomIsUsed(softPercent: number, hardPercent: number): void {
  if (softPercent > 0) v8.setFlagsFromString(`--incremental-marking-soft-trigger=${Math.round(softPercent)}`);
  if (hardPercent > 0) v8.setFlagsFromString(`--incremental-marking-hard-trigger=${Math.round(hardPercent)}`);
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
