import { describe, it, expect } from 'vitest';
import { HeaderCache } from '../../lab/mailbox/header-cache.ts';
import type { IndexEntry } from '../../lab/mailbox/header-index.ts';

const entry = () => ({}) as IndexEntry;

describe('HeaderCache', () => {
  it('keeps copies up to its octets, the oldest going first, and only for the entry they were read with', () => {
    const cache = new HeaderCache(160);
    const e = [entry(), entry(), entry()];
    const scratch = Buffer.from('A'.repeat(10));
    cache.put('a', e[0], scratch);
    scratch.fill('Z'); // the caller's buffer is reused: the kept header is a copy
    expect(cache.get('a', e[0])!.toString()).toBe('A'.repeat(10));
    expect(cache.get('a', entry())).toBeUndefined();
    cache.put('b', e[1], Buffer.alloc(10, 'B'));
    cache.put('c', e[2], Buffer.alloc(10, 'C'));
    expect(cache.bytes).toBe(30);
    // more than a sixteenth of the room is not kept at all
    cache.put('big', entry(), Buffer.alloc(11));
    expect(cache.size).toBe(3);
    // past the room the oldest goes: 16 x 10 octets fit, the 17th pushes out "a"
    for (let i = 0; i < 14; i++) cache.put(`m${i}`, entry(), Buffer.alloc(10));
    expect(cache.bytes).toBe(160);
    expect(cache.get('a', e[0])).toBeUndefined();
    expect(cache.get('b', e[1])!.toString()).toBe('B'.repeat(10));
    // put again: replaced, counted once
    cache.put('b', e[1], Buffer.alloc(5, 'b'));
    expect(cache.bytes).toBe(155);
    cache.forget('b');
    expect(cache.bytes).toBe(150);
    expect(cache.get('b', e[1])).toBeUndefined();
  });
});
