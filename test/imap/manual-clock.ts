// A host clock the test moves by hand (HostContext.clock): time stands still until advance(),
// as the lab's clock does while a hop is held in --step mode. Every look at it is counted, so a
// test can wait for the server's idle timer to have looked (an event) instead of sleeping.
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

  advance(ms: number): void {
    this.time += ms;
  }

  /** Resolves once the clock has been looked at n more times. */
  looked(n: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ at: this.looks + n, resolve }));
  }
}
