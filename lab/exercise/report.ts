// What `check` says: the score, each check passed or failed with what was expected and what was
// seen, and the hint of each failed one. Written for the terminal, or as JSON for the teacher,
// who gathers the students' JSON reports into one table (`report DIR`).
import { fs } from '../node-builtins.ts';
import path from 'node:path';
import { z } from 'zod';
import type { Bilingual } from '../trace/hop-event.ts';
import type { Lang } from '../trace/language.ts';

export interface CheckReport {
  number: number;
  title: Bilingual;
  points: number;
  /** points given: all of them or none */
  got: number;
  ok: boolean;
  expected: Bilingual;
  seen: Bilingual;
  hint?: Bilingual;
}

export interface Report {
  exercise: number;
  name: string;
  title: Bilingual;
  student: string;
  /** the work folder checked */
  work: string;
  at: string;
  score: number;
  max: number;
  passed: boolean;
  checks: CheckReport[];
}

const WORDS = {
  ko: { exercise: '연습', score: '점수', expected: '기대', seen: '실제', hint: '힌트', passed: '모든 확인을 통과했습니다', failed: (n: number) => `통과하지 못한 확인 ${n}개` },
  en: { exercise: 'Exercise', score: 'Score', expected: 'expected', seen: 'seen', hint: 'hint', passed: 'every check passed', failed: (n: number) => `${n} check${n === 1 ? '' : 's'} failed` },
};

export function renderReport(report: Report, lang: Lang): string {
  const w = WORDS[lang];
  const lines = [`${w.exercise} ${report.exercise}: ${report.title[lang]}  (${report.work})`, ''];
  for (const c of report.checks) {
    lines.push(`${c.ok ? '✓' : '✗'} ${c.number}. ${c.title[lang]}  (${c.got}/${c.points})`);
    // a check that could not run expects what its title says: no need to say it twice
    if (!c.ok && c.expected[lang] !== c.title[lang]) lines.push(`     ${w.expected}: ${c.expected[lang]}`);
    lines.push(`     ${w.seen}: ${c.seen[lang]}`);
    if (!c.ok && c.hint) lines.push(`     ${w.hint}: ${c.hint[lang]}`);
  }
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push('', `${w.score}: ${report.score}/${report.max}  ${failed ? w.failed(failed) : w.passed}`);
  return `${lines.join('\n')}\n`;
}

// ---- the teacher's table ------------------------------------------------------------------

const bilingual = z.object({ ko: z.string(), en: z.string() });
const reportSchema = z.object({
  exercise: z.number().int(),
  name: z.string().max(100),
  title: bilingual,
  student: z.string().max(100),
  at: z.string().max(40),
  score: z.number(),
  max: z.number(),
  passed: z.boolean(),
  checks: z.array(z.object({ number: z.number(), ok: z.boolean(), title: bilingual })).max(100),
});
type Gathered = z.infer<typeof reportSchema> & { file: string };

/** Every report in the folder (*.json, one level of sub-folders too); unreadable ones are named, not fatal. */
export function gatherReports(dir: string): { reports: Gathered[]; skipped: string[] } {
  const reports: Gathered[] = [];
  const skipped: string[] = [];
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.json')) files.push(path.join(dir, entry.name));
    if (entry.isDirectory()) {
      for (const inner of fs.readdirSync(path.join(dir, entry.name), { withFileTypes: true })) {
        if (inner.isFile() && inner.name.endsWith('.json')) files.push(path.join(dir, entry.name, inner.name));
      }
    }
  }
  for (const file of files.sort()) {
    try {
      if (fs.statSync(file).size > 1024 * 1024) throw new Error('larger than 1 MB');
      // a report saved through plain `npm run` starts with npm's own header lines: read from the first {
      const text = fs.readFileSync(file, 'utf8');
      const parsed = reportSchema.safeParse(JSON.parse(text.slice(Math.max(0, text.indexOf('{')))));
      if (!parsed.success) throw new Error(`not a check report (${parsed.error.issues[0].path.join('.') || 'the file'}: ${parsed.error.issues[0].message})`);
      reports.push({ ...parsed.data, file });
    } catch (err) {
      skipped.push(`${path.relative(dir, file)}: ${(err as Error).message}`);
    }
  }
  return { reports, skipped };
}

/** The latest report of each student for each exercise. */
function latest(reports: Gathered[]): Map<string, Map<number, Gathered>> {
  const table = new Map<string, Map<number, Gathered>>();
  for (const r of reports) {
    const row = table.get(r.student) ?? new Map<number, Gathered>();
    const old = row.get(r.exercise);
    if (!old || old.at < r.at) row.set(r.exercise, r);
    table.set(r.student, row);
  }
  return table;
}

/** Students down, exercises across: score/max per cell, the total at the end. */
export function reportTable(reports: Gathered[], lang: Lang): string {
  const table = latest(reports);
  const exercises = [...new Set(reports.map((r) => r.exercise))].sort((a, b) => a - b);
  const head = [lang === 'ko' ? '학생' : 'student', ...exercises.map((n) => `${lang === 'ko' ? '연습' : 'ex'} ${n}`), lang === 'ko' ? '합계' : 'total'];
  const rows = [...table.keys()].sort().map((student) => {
    const row = table.get(student)!;
    let score = 0;
    let max = 0;
    const cells = exercises.map((n) => {
      const r = row.get(n);
      if (!r) return '-';
      score += r.score;
      max += r.max;
      return `${r.score}/${r.max}${r.passed ? ' ✓' : ''}`;
    });
    return [student, ...cells, `${score}/${max}`];
  });
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i] - width(c))).join('  ').trimEnd();
  return `${[line(head), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n')}\n`;
}

/** Korean letters take two columns in a terminal. */
function width(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return n;
}

/** One row per student and exercise, for a spreadsheet. */
export function reportCsv(reports: Gathered[]): string {
  const rows = [['student', 'exercise', 'name', 'score', 'max', 'passed', 'failed_checks', 'at']];
  for (const [student, row] of [...latest(reports)].sort(([a], [b]) => a.localeCompare(b))) {
    for (const r of [...row.values()].sort((a, b) => a.exercise - b.exercise)) {
      rows.push([student, String(r.exercise), r.name, String(r.score), String(r.max), r.passed ? 'yes' : 'no', r.checks.filter((c) => !c.ok).map((c) => c.number).join(' '), r.at]);
    }
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function csvCell(value: string): string {
  // RFC 4180 quoting; a leading = + - @ would be a formula in a spreadsheet
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
