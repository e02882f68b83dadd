import type { Lesson } from './lesson.ts';
import type { HopPreview } from '../trace/trace-bus.ts';
import { BadRequest } from './requests.ts';

/** Step mode as the page sees it. */
export interface StepState {
  /** the runtime can hold hops (embedded) */
  available: boolean;
  on: boolean;
  /** the hop held right now, before it happens */
  held?: HopPreview;
  /** ms between two hops while playing; 0: not playing */
  playing: number;
}

/**
 * The page's step mode: on/off, Next, Play. The hold itself is the trace's step hold
 * (lab/trace/step-hold.ts), shared with the terminal prompt; this only drives it.
 */
export class StepControl {
  private readonly lesson: Lesson;
  private readonly changed: (state: StepState) => void;

  constructor(lesson: Lesson, changed: (state: StepState) => void) {
    this.lesson = lesson;
    this.changed = changed;
  }

  state(): StepState {
    return { available: false, on: false, playing: 0 };
  }

  setOn(_on: boolean): StepState {
    throw new BadRequest('step mode from the page needs the shared step hold (lab/trace/step-hold.ts)', 409);
  }

  next(): StepState {
    return this.setOn(true);
  }

  play(_interval: number): StepState {
    return this.setOn(true);
  }

  close(): void {
    void this.lesson;
    void this.changed;
  }
}
