import type { Lesson } from './lesson.ts';
import type { HopPreview } from '../trace/trace-bus.ts';
import { BadRequest } from './bad-request.ts';

/** Why the containers runtime has no step mode (the page says the same in its toolbar). */
export const STEP_UNAVAILABLE = {
  en: 'step mode holds the mail inside the roles, which the containers runtime runs in containers of their own; use the embedded runtime (the default, without --runtime)',
  ko: '단계별 실행은 메일을 센드메일 서비스와 dovecot 서비스 안에서 붙잡아 두는데, 컨테이너 실행에서는 이 서비스들이 각자의 컨테이너에서 돕니다. 내장 실행(기본값, --runtime 없이)으로 시작하세요',
};

/** Step mode as the page sees it. */
export interface StepState {
  /** the runtime can hold hops (embedded: the roles run in this process) */
  available: boolean;
  on: boolean;
  /** the hop held right now, before it happens (the oldest, when several wait) */
  held?: HopPreview;
  heldId?: number;
  /** how many hops wait */
  waiting: number;
  /** ms between two hops while playing; 0: not playing */
  playing: number;
}

/**
 * The page's step mode: on/off, Next, Play. The hold itself is the trace's StepHold
 * (lab/trace/step-hold.ts), which the terminal prompt drives too: both see the same held hops,
 * and whichever lets a hop go first wins (release() of a hop already gone returns undefined).
 * Play releases each held hop after the chosen time, on the real clock (the lab's own clock
 * stands still while a hop is held).
 */
export class StepControl {
  private readonly lesson: Lesson;
  private readonly changed: (state: StepState) => void;
  private readonly off: () => void;
  private interval = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(lesson: Lesson, changed: (state: StepState) => void) {
    this.lesson = lesson;
    this.changed = changed;
    this.off = lesson.trace.stepHold.on((news) => {
      if (news.type === 'quit') this.stopPlaying();
      this.schedule();
      this.changed(this.state());
    });
  }

  private get hold() {
    return this.lesson.trace.stepHold;
  }

  get available(): boolean {
    return this.lesson.lab.runtime.kind === 'embedded';
  }

  state(): StepState {
    const held = this.hold.held();
    return { available: this.available, on: this.hold.stepMode, held: held[0]?.preview, heldId: held[0]?.id, waiting: held.length, playing: this.interval };
  }

  setOn(on: boolean): StepState {
    if (on && !this.available) {
      throw new BadRequest(STEP_UNAVAILABLE, 409);
    }
    if (!on) this.stopPlaying();
    this.hold.setStepMode(on, 'web');
    return this.state();
  }

  /** Let the held hop go on (the oldest); nothing happens if none waits. */
  next(): StepState {
    this.hold.release(undefined, 'web');
    return this.state();
  }

  /** Release each held hop after `interval` ms; 0 stops. Playing turns step mode on. */
  play(interval: number): StepState {
    if (interval === 0) {
      this.stopPlaying();
      this.changed(this.state());
      return this.state();
    }
    this.interval = interval;
    if (!this.hold.stepMode) this.setOn(true);
    this.schedule();
    this.changed(this.state());
    return this.state();
  }

  private schedule(): void {
    if (!this.interval || this.timer || !this.hold.held().length) return;
    const id = this.hold.held()[0].id;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.hold.release(id, 'web');
      this.schedule();
    }, this.interval);
  }

  private stopPlaying(): void {
    this.interval = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stopPlaying();
    this.off();
  }
}
