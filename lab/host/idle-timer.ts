import type { HostContext } from './host-context.ts';

/**
 * An inactivity time-out measured on the host's clock (HostContext.clock): while the lab's clock
 * stands still (a hop held in --step mode), nobody is logged out for waiting. Activity is what
 * the session says it is (a whole command line, not a byte: a client trickling a line one byte
 * at a time is idle too). A real timer wakes it to look at the clock; a touch only notes the
 * time, so a busy session costs no timer churn.
 */
export class IdleTimer {
  private readonly clock: HostContext['clock'];
  private readonly onIdle: () => void;
  private limitMs: number;
  private last: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(clock: HostContext['clock'], limitMs: number, onIdle: () => void) {
    this.clock = clock;
    this.limitMs = limitMs;
    this.onIdle = onIdle;
    this.last = clock.now();
    this.schedule(limitMs);
  }

  get ms(): number {
    return this.limitMs;
  }

  /** The session did something: the time-out counts from now. */
  touch(): void {
    this.last = this.clock.now();
  }

  /** Another limit from now on (a login moves a session to a longer one); starts a stopped timer. */
  setLimit(limitMs: number): void {
    this.limitMs = limitMs;
    this.stopped = false;
    this.touch();
    this.schedule(limitMs);
  }

  /** No time-out until setLimit (a hop held at the step gate); then it counts from zero. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(inMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    // at most a second between looks, so a clock that stood still and then jumps is noticed
    this.timer = setTimeout(() => this.check(), Math.max(1, Math.min(inMs, 1000)));
    this.timer.unref();
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const idle = this.clock.now() - this.last;
    if (idle >= this.limitMs) {
      this.stopped = true;
      this.onIdle();
    } else this.schedule(this.limitMs - idle);
  }
}

/** A duration as a time-out message says it: "10 minutes", "150 ms". */
export function spanText(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1) return `${Math.round(minutes * 10) / 10} minute${minutes === 1 ? '' : 's'}`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${ms} ms`;
}
