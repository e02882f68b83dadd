// The queue runner's retry schedule, written as data in Haraka's style (outbound
// "temp_fail_intervals": '1m, 5m*2, 1h*3'): the waits between attempts, in order. After the
// first attempt fails the runner waits the first interval, and so on; when the list runs out,
// the message bounces. '5s, 30s*2, 2m*3' means 7 attempts in all over about 7 minutes.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The most intervals a schedule may list (a typo like *100000 would otherwise eat memory). */
const MAX_INTERVALS = 1000;

export class ScheduleError extends Error {}

/** '5s, 30s*2, 2m*3' -> [5000, 30000, 30000, 120000, 120000, 120000] (ms). '' -> [] (no retries). */
export function parseSchedule(text: string): number[] {
  const out: number[] = [];
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return out;
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*(?:\*\s*(\d+))?$/.exec(item);
    if (!m) {
      throw new ScheduleError(`retry schedule "${text}": cannot read "${item}"; write intervals such as 5s, 30s*2, 2m*3 (units ms, s, m, h, d)`);
    }
    const ms = Math.round(Number(m[1]) * UNITS[m[2]]);
    const times = m[3] === undefined ? 1 : Number(m[3]);
    if (times < 1) throw new ScheduleError(`retry schedule "${text}": "${item}" repeats zero times`);
    if (out.length + times > MAX_INTERVALS) throw new ScheduleError(`retry schedule "${text}": more than ${MAX_INTERVALS} intervals`);
    for (let i = 0; i < times; i++) out.push(ms);
  }
  return out;
}

/**
 * How long to wait after a failed attempt, given how many attempts were made so far (1 after
 * the first), or undefined when the schedule is used up and the message must bounce.
 */
export function retryDelay(schedule: readonly number[], attempts: number): number | undefined {
  if (attempts < 1) return 0;
  return schedule[attempts - 1];
}

/** 20 -> '20ms', 5000 -> '5s', 90000 -> '1m30s'. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}
