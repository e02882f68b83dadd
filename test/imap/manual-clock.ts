import type net from 'node:net';

// A host clock the test moves by hand (HostContext.clock): time stands still until advance(),
// as the lab's clock does while a hop is held in --step mode. Every look at it is counted, so a
// test can wait for the server's idle timer to have looked (an event) instead of sleeping. It
// has the lab clock's shape (now, elapsed, setTimeout, sleep, track); its timers wake on real
// time and find the time where the test put it.
/** A timer of the manual clock, shaped as the lab clock's timers are. */
export interface ManualTimer {
  clear(): void;
  unref(): ManualTimer;
}

export class ManualClock {
  private time = Date.now();
  private looks = 0;
  private waiters: Array<{ at: number; resolve: () => void }> = [];

  now(): number {
    this.looks++;
    const ready = this.waiters.filter((w) => w.at <= this.looks);
    this.waiters = this.waiters.filter((w) => w.at > this.looks);
    for (const w of ready) w.resolve();
    return this.time;
  }

  elapsed(): number {
    return this.now();
  }

  setTimeout(fn: () => void, ms: number): ManualTimer {
    const timer = setTimeout(fn, ms);
    const handle: ManualTimer = {
      clear: () => clearTimeout(timer),
      unref: () => {
        timer.unref();
        return handle;
      },
    };
    return handle;
  }

  track(_socket: net.Socket): void {
    // sockets' own time-outs are not used by the roles under test here
  }

  advance(ms: number): void {
    this.time += ms;
  }

  /** The host's waits (a failed-login delay) run in real time; only now() is driven by hand. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  /** Resolves once the clock has been looked at n more times. */
  looked(n: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ at: this.looks + n, resolve }));
  }
}

/**
 * A client trickling a command line under an idle limit of 200 ms: its first bytes at once, one
 * more once 150 ms have passed, then the clock goes on to 250 ms after the start. The session is
 * idle by then, unless the server took a byte for activity (then it would count from 150).
 */
export async function trickle(clock: ManualClock, write: (text: string) => void, first: string, second: string): Promise<void> {
  write(first);
  await clock.looked(2);
  clock.advance(150);
  write(second);
  await clock.looked(2);
  clock.advance(100);
}
