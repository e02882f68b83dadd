import { store, update, toast, visibleEvents } from 'lab-page/store.ts';
import type { Source } from 'lab-page/source.ts';

// Back, Next and Play, as Packet Tracer's simulation mode has them. The cursor walks the hops
// in the list; Next at the newest hop releases the held one (step mode), so the real lab goes
// on; Back only shows an earlier hop again. Play walks on by itself at the chosen speed: over
// the recorded hops in the page, and in the running lab by releasing each held hop in turn.

let source: Source;
let timer: ReturnType<typeof setInterval> | undefined;

export function usePlayer(s: Source): void {
  source = s;
}

function visibleIndexes(): number[] {
  const s = store.state;
  const shown = new Set(visibleEvents(s));
  return s.events.map((e, i) => (shown.has(e) ? i : -1)).filter((i) => i >= 0);
}

export function select(index: number, following = false): void {
  update((s) => ({ cursor: Math.max(-1, Math.min(index, s.events.length - 1)), following }));
}

export function back(): void {
  const shown = visibleIndexes();
  const before = shown.filter((i) => i < store.state.cursor);
  if (before.length) select(before.at(-1)!);
  else if (shown.length) select(shown[0]);
}

export async function next(): Promise<void> {
  const s = store.state;
  const after = visibleIndexes().filter((i) => i > s.cursor);
  if (after.length) {
    const i = after[0];
    select(i, i === s.events.length - 1);
    return;
  }
  if (source.live && s.step.held) {
    update(() => ({ following: true }));
    try {
      await source.post('/api/next');
    } catch (err) {
      toast((err as Error).message, false);
    }
  }
}

/** Play at `interval` ms per hop, or stop with 0. */
export async function play(interval: number): Promise<void> {
  clearInterval(timer);
  timer = undefined;
  update(() => ({ replaying: interval }));
  if (interval > 0) {
    timer = setInterval(() => {
      const s = store.state;
      const behind = visibleIndexes().some((i) => i > s.cursor);
      if (behind) void next();
      else if (!source.live) void play(0);
    }, interval);
  }
  if (source.live && store.state.step.on) {
    try {
      await source.post('/api/play', { interval });
    } catch (err) {
      toast((err as Error).message, false);
    }
  }
}

export function togglePlay(): void {
  void play(store.state.replaying || store.state.step.playing ? 0 : Number(localStorage.getItem('mail-lab.speed') ?? 1500));
}
