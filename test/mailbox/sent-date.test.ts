// The Date: field's time (SEARCH SENTBEFORE/SENTON/SENTSINCE, SORT by date): the common form is
// read by hand (commonDate), everything else by Date.parse (anyDate). Wherever the quick path
// answers, it must give what Date.parse gives; where it cannot, it must step aside.
import { describe, expect, it } from 'vitest';
import { anyDate, commonDate, parseSentDate } from '../../lab/mailbox/message-summary.ts';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'dec', 'DEC'];

/** A small deterministic generator, so a failure names the same date every run. */
function* dates(): Generator<string> {
  let seed = 12345;
  const pick = <T>(list: T[]): T => list[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % list.length];
  const num = (lo: number, hi: number) => lo + pick([...Array(hi - lo + 1).keys()]);
  const two = (n: number) => String(n).padStart(2, '0');
  for (let i = 0; i < 3000; i++) {
    const day = num(1, 31);
    const dayText = pick([String(day), two(day)]);
    const weekday = pick(['', `${pick(DAYS)}, `, `${pick(DAYS)},  `, `${pick(DAYS)},`]);
    const time = `${two(num(0, 23))}:${two(num(0, 59))}${pick(['', `:${two(num(0, 59))}`])}`;
    const zone = `${pick(['+', '-'])}${two(num(0, 14))}${pick(['00', '30', '45'])}`;
    const comment = pick(['', ' (UTC)', ' (KST)', '  ']);
    yield `${weekday}${dayText} ${pick(MONTHS)} ${num(1970, 2040)} ${time} ${zone}${comment}`;
  }
}

describe('the Date: field', () => {
  it('the quick path reads 3,000 generated dates in the common form, each as Date.parse does', () => {
    let quick = 0;
    for (const value of dates()) {
      const fast = commonDate(value);
      if (fast) quick++;
      expect(fast ?? anyDate(value), value).toEqual(anyDate(value));
    }
    expect(quick).toBe(3000);
  });

  it('steps aside for forms it does not read, which Date.parse still does', () => {
    for (const value of ['2 Dec 26 19:20:11 +0900', 'Wed, 2 Dec 2026 19:20:11 GMT', 'Wed, 2 Dec 2026 23:59:60 +0000', 'Wed, 2 Dec 2026 24:00:00 +0000', '2 December 2026 19:20 +0900', 'Wed 2 Dec 2026 19:20:11 +0900']) {
      expect(commonDate(value), value).toBeUndefined();
      expect(parseSentDate(value), value).toEqual(anyDate(value));
    }
    expect(parseSentDate('Wed, 2 Dec 2026 19:20:11 GMT')?.ms).toBe(Date.UTC(2026, 11, 2, 19, 20, 11));
  });

  it('the day is the one in the date\'s own zone; no date, or no sense, is undefined', () => {
    expect(parseSentDate('Thu, 3 Dec 2026 01:00:00 +0900')).toEqual({ ms: Date.UTC(2026, 11, 2, 16), day: Math.floor(Date.UTC(2026, 11, 3) / 86_400_000) });
    expect(parseSentDate(undefined)).toBeUndefined();
    expect(parseSentDate('someday')).toBeUndefined();
    expect(commonDate('Xyz, 2 Dec 2026 19:20:11 +0900')).toBeUndefined();
  });
});
