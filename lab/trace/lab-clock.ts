import type net from 'node:net';

/**
 * The lab's clock. Time stands still while a hop is held in --step mode (StepHold pauses it):
 * a teacher may talk for an hour at ③ and nothing in the lab times out meanwhile.
 *
 * - `now()` is the date (the wall clock, ms since the epoch): what a Received header, a queue
 *   file or mailq writes down must be true, held or not.
 * - `elapsed()` is the lab's own time, ms since it started without the time held: hop times.
 * - `setTimeout()` / `sleep()` count lab time: a 15 s wait that began before a hold still has
 *   the rest of its 15 s after it. Every time-out and wait of a role goes through these.
 * - `track(socket)`: a socket whose idle time-out (its own `setTimeout`, as smtp-server,
 *   nodemailer and imapflow use) is suspended while the clock stands still and armed again,
 *   afresh, when it goes on.
 */
export interface Clock {
  now(): number;
  elapsed(): number;
  setTimeout(fn: () => void, ms: number): LabTimer;
  sleep(ms: number): Promise<void>;
  track(socket: net.Socket): void;
}

export interface LabTimer {
  clear(): void;
  /** like a Node timer's: an unref'd timer does not keep the process alive */
  unref(): LabTimer;
}

interface Pending {
  fn: () => void;
  /** lab time (elapsed()) when it fires */
  due: number;
  real?: NodeJS.Timeout;
  unref: boolean;
}

export class LabClock implements Clock {
  private readonly startedAt: number;
  /** ms held before the current pause */
  private heldBefore = 0;
  /** performance.now() when the current pause began */
  private pausedAt: number | undefined;
  private readonly timers = new Set<Pending>();
  private readonly sockets = new Set<net.Socket>();
  /** idle time-outs suspended by the current pause, to arm again */
  private readonly suspended = new Map<net.Socket, number>();

  constructor(startedAt = performance.now()) {
    this.startedAt = startedAt;
  }

  now(): number {
    return Date.now();
  }

  elapsed(): number {
    const at = this.pausedAt ?? performance.now();
    return at - this.startedAt - this.heldBefore;
  }

  /** ms the clock has stood still so far */
  get heldMs(): number {
    return this.heldBefore + (this.pausedAt === undefined ? 0 : performance.now() - this.pausedAt);
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /** Time stands still: no lab timer fires, tracked sockets do not idle out. */
  pause(): void {
    if (this.pausedAt !== undefined) return;
    this.pausedAt = performance.now();
    for (const timer of this.timers) {
      clearTimeout(timer.real);
      timer.real = undefined;
    }
    for (const socket of this.sockets) {
      const ms = socket.timeout;
      if (!ms || socket.destroyed) continue;
      this.suspended.set(socket, ms);
      socket.setTimeout(0);
    }
  }

  /** Time goes on: timers fire after the rest of their time, idle time-outs start afresh. */
  resume(): void {
    if (this.pausedAt === undefined) return;
    this.heldBefore += performance.now() - this.pausedAt;
    this.pausedAt = undefined;
    for (const timer of this.timers) this.arm(timer);
    for (const [socket, ms] of this.suspended) if (!socket.destroyed) socket.setTimeout(ms);
    this.suspended.clear();
  }

  setTimeout(fn: () => void, ms: number): LabTimer {
    const timer: Pending = { fn, due: this.elapsed() + Math.max(0, ms), unref: false };
    this.timers.add(timer);
    if (!this.paused) this.arm(timer);
    const handle: LabTimer = {
      clear: () => {
        clearTimeout(timer.real);
        this.timers.delete(timer);
      },
      unref: () => {
        timer.unref = true;
        timer.real?.unref();
        return handle;
      },
    };
    return handle;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  track(socket: net.Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.suspended.delete(socket);
    });
  }

  private arm(timer: Pending): void {
    clearTimeout(timer.real);
    timer.real = setTimeout(() => {
      this.timers.delete(timer);
      timer.fn();
    }, Math.max(0, timer.due - this.elapsed()));
    if (timer.unref) timer.real.unref();
  }
}
