// The teacher's table: the latest report per student and exercise, CSV a spreadsheet opens safely.
import { describe, it, expect } from 'vitest';
import { reportCsv, reportTable } from '../../lab/exercise/report.ts';

const report = (student: string, exercise: number, score: number, at: string) => ({
  file: `${student}.json`, exercise, name: `0${exercise}-x`, title: { ko: '연습', en: 'ex' }, student, at, score, max: 8, passed: score === 8,
  checks: [{ number: 1, ok: score === 8, title: { ko: '하나', en: 'one' } }],
});

describe('report DIR', () => {
  it('keeps each student\'s latest report of an exercise and adds up the total', () => {
    const table = reportTable([report('kim', 1, 3, '2025-01-01T10:00:00Z'), report('kim', 1, 8, '2025-01-02T10:00:00Z'), report('kim', 2, 5, '2025-01-01T10:00:00Z'), report('이순신', 2, 8, '2025-01-01T10:00:00Z')], 'en');
    // Korean names take two columns each in a terminal: the columns still line up
    expect(table.split('\n')).toEqual([
      'student  ex 1   ex 2   total',
      '-------  -----  -----  -----',
      'kim      8/8 ✓  5/8    13/16',
      '이순신   -      8/8 ✓  8/8',
      '',
    ]);
  });

  it('CSV quotes what needs quoting and defuses spreadsheet formulas', () => {
    const csv = reportCsv([report('=HYPERLINK("x")', 1, 8, '2025-01-01T10:00:00Z'), report('park, jiwon', 1, 2, '2025-01-01T10:00:00Z')]);
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe(`"'=HYPERLINK(""x"")",1,01-x,8,8,yes,,2025-01-01T10:00:00Z`);
    expect(lines[2]).toBe('"park, jiwon",1,01-x,2,8,no,1,2025-01-01T10:00:00Z');
  });
});
