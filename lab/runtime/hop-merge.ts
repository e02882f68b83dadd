// Putting the hops of several containers into one trace, in the order they happened (containers
// runtime). Each server container's hop lines reach the runner on its own log stream, and a
// client PC's come all at once when its `docker exec` ends, so a hop from one host can arrive
// after a later hop from another. The containers share this machine's clock, and every line a
// source says carries the time it was said: a source that has said time T will say nothing
// earlier than T from then on (its lines come in order). So a hop is passed on once every open
// source has said a time at or after it: a hop line, a clock line (each server container prints
// one every CLOCK_MS while idle), or the start of the exec whose output is still to come.
// A log stream that says nothing for STALL_MS (a container frozen, or its stream lost) no longer
// holds the others back; an exec holds them until it ends, as the scenario waits for it anyway.
import type { HopEvent } from '../trace/hop-event.ts';

/** How often a server container prints its clock line while it has nothing else to say. */
export const CLOCK_MS = 40;
/** A log stream silent for this long no longer holds back the hops of the others. */
export const STALL_MS = 1_000;

export interface HopSource {
  readonly name: string;
  /** a log stream goes silent when its container is stuck; an exec is silent until it ends */
  readonly kind: 'stream' | 'exec';
  /** every later line of this source happened at or after this time (epoch ms) */
  said: number;
  /** when its last line arrived here (epoch ms, the runner's clock) */
  heard: number;
}

interface Pending {
  hop: HopEvent;
  time: number;
  order: number;
}

export class HopMerge {
  private readonly sources = new Set<HopSource>();
  private readonly pending: Pending[] = [];
  private arrivals = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pass: (hop: HopEvent, time: number) => void;
  private readonly now: () => number;

  constructor(pass: (hop: HopEvent, time: number) => void, now: () => number = Date.now) {
    this.pass = pass;
    this.now = now;
  }

  /** A container's log stream, or an exec whose output comes when it ends (`said` = its start). */
  open(name: string, kind: HopSource['kind'], said = this.now()): HopSource {
    const source: HopSource = { name, kind, said, heard: this.now() };
    this.sources.add(source);
    return source;
  }

  /** The source has said everything up to `time` (a clock or sync line). */
  clock(source: HopSource, time: number): void {
    this.hear(source, time);
    this.release();
  }

  hop(source: HopSource, hop: HopEvent, time: number): void {
    this.pending.push({ hop, time, order: this.arrivals++ });
    this.hear(source, time);
    this.release();
  }

  /** The source says no more: its stream ended, its container stopped, its exec finished. */
  close(source: HopSource): void {
    if (!this.sources.delete(source)) return;
    this.release();
  }

  /** Pass on every hop held, in time order (the runner knows nothing earlier is still coming). */
  flush(): void {
    this.release(Infinity);
  }

  /** Hops held back, waiting for a source to say a later time. */
  get held(): number {
    return this.pending.length;
  }

  private hear(source: HopSource, time: number): void {
    source.said = Math.max(source.said, time);
    source.heard = this.now();
  }

  /** The time up to which every source that still counts has spoken. */
  private safeUntil(): number {
    const now = this.now();
    let until = Infinity;
    for (const source of this.sources) {
      if (source.kind === 'stream' && now - source.heard >= STALL_MS) continue;
      until = Math.min(until, source.said);
    }
    return until;
  }

  private release(until = this.safeUntil()): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ready = this.pending.filter((p) => p.time <= until).sort((a, b) => a.time - b.time || a.order - b.order);
    if (ready.length > 0) {
      const left = this.pending.filter((p) => p.time > until);
      this.pending.splice(0, this.pending.length, ...left);
      for (const { hop, time } of ready) this.pass(hop, time);
    }
    // Something still held: look again once a silent stream would count as stalled.
    if (this.pending.length > 0) this.timer = setTimeout(() => this.release(), STALL_MS / 4).unref();
  }
}
