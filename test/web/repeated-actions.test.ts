import { describe, it, expect } from 'vitest';
import { RepeatedActions } from '../../lab/web/repeated-actions.ts';

describe('RepeatedActions', () => {
  it('keeps an answer for its time and its count, then does the action again', async () => {
    const kept = new RepeatedActions({ keepMs: 1000, most: 2 });
    let runs = 0;
    const act = async () => ({ status: 200, body: String(++runs) });
    expect(await kept.once('aaaaaaaa', '/api/flush', '{}', act, 0)).toEqual({ status: 200, body: '1' });
    expect(await kept.once('aaaaaaaa', '/api/flush', '{}', act, 999)).toEqual({ status: 200, body: '1' });
    // past its time it is forgotten: the same ID is a new action
    expect(await kept.once('aaaaaaaa', '/api/flush', '{}', act, 1000)).toEqual({ status: 200, body: '2' });
    // at most two kept: a third ID pushes out the oldest
    await kept.once('bbbbbbbb', '/api/flush', '{}', act, 1001);
    await kept.once('cccccccc', '/api/flush', '{}', act, 1002);
    expect(kept.size).toBe(2);
    expect(await kept.once('bbbbbbbb', '/api/flush', '{}', act, 1003)).toEqual({ status: 200, body: '3' });
    expect(await kept.once('aaaaaaaa', '/api/flush', '{}', act, 1004)).toEqual({ status: 200, body: '5' });
    expect(await kept.once('cccccccc', '/api/flush', '{}', act, 1005)).toEqual({ status: 200, body: '4' });
    // the same ID with another body is refused, not run
    expect(() => kept.once('aaaaaaaa', '/api/flush', '{"host":"Server"}', act, 1006)).toThrow(/was the ID of another action/);
    expect(runs).toBe(5);
  });

  it('reads the header: none, or 8 to 64 of A-Z a-z 0-9 - _', () => {
    expect(RepeatedActions.idOf(undefined)).toBeUndefined();
    expect(RepeatedActions.idOf('0123456789abcdef01234567')).toBe('0123456789abcdef01234567');
    expect(() => RepeatedActions.idOf('short')).toThrow(/8 to 64 letters/);
    expect(() => RepeatedActions.idOf('x'.repeat(65))).toThrow(/8 to 64 letters/);
  });
});
