// The fuzzer's randomness: seeded and splittable, so that case N of a target is the same on
// every run with the same seed, whatever ran before it (a failure can be made again by its
// seed and number alone, and is also written out whole).

/** A small fast PRNG (sfc32), seeded from a string. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    // cyrb128: four 32-bit words from the seed text
    let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
    for (let i = 0; i < seed.length; i++) {
      const k = seed.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
    this.a = (h1 ^ h2 ^ h3 ^ h4) >>> 0;
    this.b = (h2 ^ h1) >>> 0;
    this.c = (h3 ^ h1) >>> 0;
    this.d = (h4 ^ h1) >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The generator of one case: independent of every other case. */
  static forCase(seed: number | string, target: string, index: number): Random {
    return new Random(`${seed}/${target}/${index}`);
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Mostly small, sometimes large: lengths and counts that find limits. */
  size(max: number): number {
    const r = this.next();
    if (r < 0.6) return this.int(0, Math.min(max, 8));
    if (r < 0.9) return this.int(0, Math.min(max, 300));
    return this.int(0, max);
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** A word of printable ASCII, sometimes with UTF-8 or control characters in it. */
  word(max = 12): string {
    const n = this.int(1, max);
    let out = '';
    for (let i = 0; i < n; i++) {
      const r = this.next();
      if (r < 0.85) out += String.fromCharCode(this.int(0x61, 0x7a));
      else if (r < 0.92) out += String.fromCharCode(this.int(0x30, 0x39));
      else if (r < 0.97) out += this.pick(['김', '유', '신', 'é', 'ß', '😀']);
      else out += this.pick(['.', '-', '_', '%', '!', '"', '\\', '@', '+', '=', ' ']);
    }
    return out;
  }
}
