/**
 * The host's clock as an idle timer uses it (HostContext.clock). The lab's clock counts its own
 * time in elapsed() and runs setTimeout() on it, both standing still while a hop is held in
 * --step mode; a clock with only now() is read as it is.
 */
export interface IdleClock {
  now(): number;
  elapsed?(): number;
  setTimeout?(fn: () => void, ms: number): { clear(): void; unref(): unknown };
}

/**
 * An inactivity time-out measured on the host's clock: while the lab's clock stands still,
 * nobody is logged out for waiting. Activity is what the session says it is (a whole command
 * line, not a byte: a client trickling a line one byte at a time is idle too). A timer wakes it
 * to look at the clock; a touch only notes the time, so a busy session costs no timer churn.
 */
export class IdleTimer {
  private readonly clock: IdleClock;
  private readonly onIdle: () => void;
  private limitMs: number;
  private last: number;
  private timer: { clear(): void } | undefined;
  private stopped = false;
  /** suspended (a hop held at the step gate): looks go on, nothing times out */
  private suspended = false;

  constructor(clock: IdleClock, limitMs: number, onIdle: () => void) {
    this.clock = clock;
    this.limitMs = limitMs;
    this.onIdle = onIdle;
    this.last = this.time();
    this.schedule(limitMs);
  }

  /** the clock's own time (held time left out) when it has one, else its date */
  private time(): number {
    return this.clock.elapsed ? this.clock.elapsed() : this.clock.now();
  }

  get ms(): number {
    return this.limitMs;
  }

  /** The session did something: the time-out counts from now. */
  touch(): void {
    this.last = this.time();
  }

  /** Another limit from now on (a login moves a session to a longer one); starts a stopped timer. */
  setLimit(limitMs: number): void {
    this.limitMs = limitMs;
    this.stopped = false;
    this.touch();
    this.schedule(limitMs);
  }

  /** No time-out while a hop is held; resume() counts from zero again. No timer is made for it. */
  suspend(): void {
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    this.touch();
  }

  /** No time-out any more (the session ended), until setLimit. */
  stop(): void {
    this.stopped = true;
    this.timer?.clear();
    this.timer = undefined;
  }

  private schedule(inMs: number): void {
    if (this.stopped) return;
    this.timer?.clear();
    // at most a second between looks, so a clock that stood still and then jumps is noticed
    const ms = Math.max(1, Math.min(inMs, 1000));
    const check = () => this.check();
    if (this.clock.setTimeout) {
      const timer = this.clock.setTimeout(check, ms);
      timer.unref();
      this.timer = timer;
    } else {
      const timer = setTimeout(check, ms).unref();
      this.timer = { clear: () => clearTimeout(timer) };
    }
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const idle = this.suspended ? 0 : this.time() - this.last;
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
