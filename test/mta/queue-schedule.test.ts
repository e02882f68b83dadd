// The retry schedule, written as data (Haraka's "1m, 5m*2, 1h*3").
import { describe, it, expect } from 'vitest';
import { parseSchedule, retryDelay, formatDuration, ScheduleError } from '../../lab/mta/retry-schedule.ts';
import { mailSchema } from '../../lab/topology/schema.ts';

describe('retry schedule', () => {
  it('reads intervals with units and repeats', () => {
    expect(parseSchedule('5s, 30s*2, 2m*3')).toEqual([5000, 30_000, 30_000, 120_000, 120_000, 120_000]);
    expect(parseSchedule('20ms*3')).toEqual([20, 20, 20]);
    expect(parseSchedule(' 1h ,1d')).toEqual([3_600_000, 86_400_000]);
    expect(parseSchedule('1.5s')).toEqual([1500]);
    expect(parseSchedule('')).toEqual([]);
    expect(parseSchedule('none')).toEqual([]);
  });

  it('reads the classroom default of the topology schema', () => {
    const def = mailSchema.parse({ domains: ['naver.com'] }).retry;
    expect(parseSchedule(def).length).toBeGreaterThan(0);
  });

  it('refuses what it cannot read, saying what to write', () => {
    expect(() => parseSchedule('5 seconds')).toThrow(ScheduleError);
    expect(() => parseSchedule('5s,,1m')).toThrow(/cannot read ""/);
    expect(() => parseSchedule('5x')).toThrow(/units ms, s, m, h, d/);
    expect(() => parseSchedule('1s*0')).toThrow(/zero times/);
    expect(() => parseSchedule('1s*100000')).toThrow(/more than 1000/);
  });

  it('gives the wait after each failed attempt, and nothing once it runs out', () => {
    const s = parseSchedule('10ms, 1s*2');
    expect([1, 2, 3, 4].map((n) => retryDelay(s, n))).toEqual([10, 1000, 1000, undefined]);
    expect(retryDelay([], 1)).toBeUndefined();
  });

  it('prints durations the way the schedule is written', () => {
    expect([20, 5000, 90_000, 120_000, 3_600_000, 5_400_000].map(formatDuration)).toEqual(['20ms', '5s', '1m30s', '2m', '1h', '1h30m']);
  });
});
