/**
 * The step-through hold (--step), apart from whoever drives it.
 *
 * Every numbered hop a role is about to make is announced with `trace.hold(preview)`. While step
 * mode is on, the role waits there: the mail really stays where it is (in Server-B's queue, not
 * yet in lee's mailbox) until a controller lets the hop go. The controllers are the terminal
 * prompt (step-prompt.ts), the browser page (lab/web) and tests, all equal: each sees the same
 * news, any of them may release, and the first to release a hop wins. While anything is held
 * the lab's clock stands still (lab-clock.ts), so no wait or time-out runs out during a hold,
 * however long the class talks.
 *
 * API (kept stable; a change is announced in a commit message that begins `step-hold:`):
 *
 *   trace.stepHold                  the lab's one StepHold (the TraceBus makes it)
 *   .stepMode                       true: numbered hops wait here
 *   .setStepMode(on, by)            switch while the lab runs; off lets every held hop go
 *   .holdOnly(match)                which previews wait (default every numbered one; the CLI's
 *                                   --filter passes only those it shows); undefined: all again
 *   .held()                         what waits right now, oldest first (for a late listener,
 *                                   such as a page reloaded)
 *   .release(id?, by)               the hop with that id (or, without one, the oldest) goes on;
 *                                   returns it, or undefined if it went on already, so two
 *                                   controllers pressing "next" at once move one hop, not two
 *   .releaseAll(by)                 step mode off and everything held goes on
 *   .quit(by)                       a controller asks the lab to stop: news { type: 'quit' };
 *                                   the held hops, and any hold after, fail with HoldAborted
 *                                   so the roles unwind (the runner of the lab stops it)
 *   .on(listener)                   HoldNews, in order, for every listener; returns "off"
 *   .clock                          the LabClock it stops while anything is held
 *
 *   HeldHop  = { id, preview, since }   id counts from 1 in a lab; since: lab ms (clock.elapsed())
 *   HoldNews = { type: 'held', hop, held }             hop is waiting now; held: all that waits
 *            | { type: 'released', hop, by, held }     hop went on; by: 'terminal', 'web', ...
 *            | { type: 'step-mode', on, by }
 *            | { type: 'quit', by }
 *
 * `by` names the controller ('terminal', 'web', 'lab', 'test'), so each can say who moved on.
 */
import { EventEmitter } from 'node:events';
import type { HopPreview } from './trace-bus.ts';
import type { LabClock } from './lab-clock.ts';

export interface HeldHop {
  id: number;
  preview: HopPreview;
  /** lab time (ms, without held time) when it began waiting */
  since: number;
}

export type HoldNews =
  | { type: 'held'; hop: HeldHop; held: HeldHop[] }
  | { type: 'released'; hop: HeldHop; by: string; held: HeldHop[] }
  | { type: 'step-mode'; on: boolean; by: string }
  | { type: 'quit'; by: string };

/** What a held role gets when the lab stops instead of moving on. */
export class HoldAborted extends Error {
  readonly code = 'EHOLDABORTED';
  constructor(by: string) {
    super(`the lab was stopped (by the ${by}) while this hop was held`);
  }
}

interface Waiting extends HeldHop {
  go: () => void;
  abort: (err: Error) => void;
}

export class StepHold {
  readonly clock: LabClock;
  private readonly emitter = new EventEmitter();
  private readonly waiting: Waiting[] = [];
  private only: ((preview: HopPreview) => boolean) | undefined;
  private mode = false;
  private quitBy: string | undefined;
  private nextId = 0;

  constructor(clock: LabClock) {
    this.clock = clock;
    this.emitter.setMaxListeners(0);
  }

  get stepMode(): boolean {
    return this.mode;
  }

  setStepMode(on: boolean, by = 'lab'): void {
    if (on === this.mode) return;
    this.mode = on;
    this.emit({ type: 'step-mode', on, by });
    if (!on) while (this.waiting.length) this.release(undefined, by);
  }

  holdOnly(match: ((preview: HopPreview) => boolean) | undefined): void {
    this.only = match;
  }

  held(): HeldHop[] {
    return this.waiting.map(({ id, preview, since }) => ({ id, preview, since }));
  }

  /** Called by TraceBus.hold: resolves at once unless step mode holds this hop. */
  hold(preview: HopPreview): Promise<void> {
    if (this.quitBy !== undefined) return Promise.reject(new HoldAborted(this.quitBy));
    if (!this.mode || !preview.steps || (this.only && !this.only(preview))) return Promise.resolve();
    return new Promise<void>((go, abort) => {
      const hop: Waiting = { id: ++this.nextId, preview, since: Math.round(this.clock.elapsed()), go, abort };
      this.waiting.push(hop);
      this.clock.pause();
      this.emit({ type: 'held', hop: plain(hop), held: this.held() });
    });
  }

  release(id?: number, by = 'lab'): HeldHop | undefined {
    const i = id === undefined ? 0 : this.waiting.findIndex((h) => h.id === id);
    const hop = this.waiting[i];
    if (i < 0 || !hop) return undefined;
    this.waiting.splice(i, 1);
    if (!this.waiting.length) this.clock.resume();
    this.emit({ type: 'released', hop: plain(hop), by, held: this.held() });
    hop.go();
    return plain(hop);
  }

  releaseAll(by = 'lab'): void {
    this.setStepMode(false, by);
    while (this.waiting.length) this.release(undefined, by);
  }

  quit(by = 'lab'): void {
    if (this.quitBy !== undefined) return;
    this.quitBy = by;
    this.mode = false;
    this.emit({ type: 'quit', by });
    const waiting = this.waiting.splice(0);
    this.clock.resume();
    for (const hop of waiting) hop.abort(new HoldAborted(by));
  }

  /** True once a controller asked the lab to stop. */
  get quitting(): boolean {
    return this.quitBy !== undefined;
  }

  on(listener: (news: HoldNews) => void): () => void {
    this.emitter.on('news', listener);
    return () => this.emitter.off('news', listener);
  }

  private emit(news: HoldNews): void {
    this.emitter.emit('news', news);
  }
}

function plain({ id, preview, since }: HeldHop): HeldHop {
  return { id, preview, since };
}
