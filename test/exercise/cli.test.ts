// `npm run exercise -- list | start N | check N [--json] | reset N | report DIR`, as a student
// and a teacher use it: Korean for a Korean locale, English otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';

const ROOT = path.join(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'lab', 'exercise', 'cli.ts');
const SOLUTIONS = path.join(import.meta.dirname, 'solutions');
let home: string;

const execFileP = promisify(execFile);

/** Run the exercise CLI as npm would: in the project folder, INIT_CWD where the student typed it. */
async function exercise(args: string[], lang: 'ko' | 'en' = 'en'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, INIT_CWD: home, LANG: lang === 'ko' ? 'ko_KR.UTF-8' : 'en_US.UTF-8', LC_ALL: '', LC_MESSAGES: '', NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    // a non-zero exit is an answer too: the status, and what was said
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-student-home-'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('npm run exercise', () => {
  it('list: every exercise with its points, in Korean for a Korean locale', async () => {
    const ko = await exercise(['list'], 'ko');
    expect(ko.code).toBe(0);
    expect(ko.stdout.trim().split('\n')).toHaveLength(8);
    expect(ko.stdout).toMatch(/^ 1 {2}01-third-domain +세 번째 도메인 nate\.com 만들기 {2}\(8점\)$/m);
    const en = await exercise(['list']);
    expect(en.stdout).toMatch(/^ 8 {2}08-broken-zone +Fix a zone file BIND refuses {2}\(8 points\)$/m);
  });

  it('start, check, a solution, check --json, report: a student\'s and a teacher\'s round', async () => {
    const started = await exercise(['start', '1'], 'ko');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain('연습 1: 세 번째 도메인 nate.com 만들기');
    expect(started.stdout).toContain('작업 폴더: work/01-third-domain');
    expect(started.stdout).toContain('고칠 파일: topology.yaml, zones/nate.com.zone');
    expect(started.stdout).toContain('채점: npm run exercise -- check 1');
    const work = path.join(home, 'work', '01-third-domain');
    expect(fs.readdirSync(work).sort()).toEqual(['topology.yaml', 'zones']);

    // starting again keeps the student's edits
    fs.appendFileSync(path.join(work, 'topology.yaml'), '# my notes\n');
    const again = await exercise(['start', '1'], 'ko');
    expect(again.stdout).toContain('이미 시작한 연습입니다');
    expect(fs.readFileSync(path.join(work, 'topology.yaml'), 'utf8')).toContain('# my notes');

    const failing = await exercise(['check', '1'], 'ko');
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('✗ 2. 네임 서버가 nate.com의 MX를 답한다  (0/2)');
    expect(failing.stdout).toContain('     기대: Server의 네임 서버가 nate.com MX에 답함: 10 mail.nate.com.');
    expect(failing.stdout).toContain('     실제: nate.com MX: REFUSED (이 네임 서버에 그 존이 없음)');
    expect(failing.stdout).toMatch(/     힌트: zones: 아래에/);
    expect(failing.stdout).toMatch(/점수: 1\/8 {2}통과하지 못한 확인 4개/);

    const reports = path.join(home, 'reports');
    fs.mkdirSync(reports);
    const lee = await exercise(['check', '1', '--json', '--student', 'lee']);
    expect(lee.code).toBe(1);
    fs.writeFileSync(path.join(reports, 'lee-1.json'), lee.stdout);
    expect(JSON.parse(lee.stdout)).toMatchObject({ exercise: 1, name: '01-third-domain', student: 'lee', score: 1, max: 8, passed: false });

    fs.cpSync(path.join(SOLUTIONS, '01-third-domain'), work, { recursive: true });
    const kim = await exercise(['check', '1', '--student', 'kim', '--out', 'reports/kim-1.json'], 'ko');
    expect(kim.code).toBe(0);
    expect(kim.stdout).toContain('보고서: reports/kim-1.json');
    // a report saved through plain npm run starts with npm's header: it is read all the same
    const park = JSON.parse(fs.readFileSync(path.join(reports, 'kim-1.json'), 'utf8'));
    fs.writeFileSync(path.join(reports, 'park-1.json'), `\n> mail-lab@0.1.0 exercise\n> node lab/exercise/cli.ts check 1 --json\n\n${JSON.stringify({ ...park, student: 'park' })}\n`);
    const text = await exercise(['check', '1']);
    expect(text.stdout).toMatch(/Score: 8\/8 {2}every check passed/);

    fs.writeFileSync(path.join(reports, 'junk.json'), '{"not": "a report"}');
    const table = await exercise(['report', 'reports', '--csv', 'grades.csv'], 'ko');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^학생 +연습 1 +합계$/m);
    expect(table.stdout).toMatch(/^kim +8\/8 ✓ +8\/8$/m);
    expect(table.stdout).toMatch(/^lee +1\/8 +1\/8$/m);
    expect(table.stdout).toMatch(/^park +8\/8 ✓ +8\/8$/m);
    expect(table.stderr).toMatch(/건너뜀: junk\.json: not a check report/);
    const csv = fs.readFileSync(path.join(home, 'grades.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('student,exercise,name,score,max,passed,failed_checks,at');
    expect(csv[1]).toMatch(/^kim,1,01-third-domain,8,8,yes,,\d{4}-/);
    expect(csv[2]).toMatch(/^lee,1,01-third-domain,1,8,no,2 3 4 5,\d{4}-/);
    expect(csv[3]).toMatch(/^park,1,01-third-domain,8,8,yes,,/);

    const reset = await exercise(['reset', '1']);
    expect(reset.code).toBe(0);
    expect(fs.existsSync(path.join(work, 'zones', 'nate.com.zone'))).toBe(false);
    expect(fs.readFileSync(path.join(work, 'topology.yaml'), 'utf8')).not.toContain('# my notes');
  });

  it('says what was wrong: no such exercise, no work folder yet, an unknown command', async () => {
    const none = await exercise(['check', '42']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no exercise "42"; give a number or a name from "npm run exercise -- list": 01-third-domain, /);
    const notStarted = await exercise(['check', '8'], 'ko');
    expect(notStarted.code).toBe(2);
    expect(notStarted.stderr).toContain('작업 폴더가 없습니다: work/08-broken-zone. 먼저 npm run exercise -- start 8');
    const unknown = await exercise(['grade', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "grade"; write one of list, start, check, reset, report');
    const help = await exercise(['--help'], 'ko');
    expect(help.stdout).toContain('사용법: npm run exercise -- <명령> [옵션]');
  });
});
