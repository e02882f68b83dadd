// lab/random-hex.ts: the random part of a Maildir file's name and of a queue file's temporary
// suffix, sliced from a pool that node:crypto refills 4 KB at a time.
import { describe, expect, it } from 'vitest';
import { randomHex } from '../../lab/random-hex.ts';

describe('randomHex', () => {
  it('gives hex of the length asked, and no value twice, across several refills of the pool', () => {
    const seen = new Set<string>();
    // 3,000 x 8 bytes: the 4 KB pool is refilled five times
    for (let i = 0; i < 3000; i++) {
      const hex = randomHex(8);
      expect(hex).toMatch(/^[0-9a-f]{16}$/);
      seen.add(hex);
    }
    expect(seen.size).toBe(3000);
    expect(randomHex(4)).toMatch(/^[0-9a-f]{8}$/);
  });
});
