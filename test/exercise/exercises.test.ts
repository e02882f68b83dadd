// Every shipped exercise fails its checks on its starting files and passes on the reference
// solution in test/exercise/solutions/; a failed check says what it expected and what it saw.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { listExercises, type Exercise } from '../../lab/exercise/load.ts';
import { startWork, workFolder } from '../../lab/exercise/work-folder.ts';
import { checkExercise } from '../../lab/exercise/check-exercise.ts';
import { renderReport } from '../../lab/exercise/report.ts';
import { parseZone } from '../../lab/topology/zone-file.ts';

const SOLUTIONS = path.join(import.meta.dirname, 'solutions');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-exercises-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const exercises = listExercises();

/**
 * BIND loads a zone whose MX host lacks its final dot (with a warning) and answers the name as it
 * read it; a loader that refuses such a zone stops the lab at the first check instead.
 */
const loadsLikeBind = (() => {
  try {
    parseZone(fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'exercises', '02-mx-final-dot', 'zones', 'naver.com.zone'), 'utf8'), 'naver.com');
    return true;
  } catch {
    return false;
  }
})();

/** What each exercise's starting files must fail, by check number (the planted mistake shows). */
const FAILS_AT_START: Record<string, number[]> = {
  '01-third-domain': [2, 3, 4, 5],
  '02-mx-final-dot': loadsLikeBind ? [2, 4] : [1, 2, 3, 4],
  '03-relay-rules': [2, 4, 6],
  '04-add-user': [2, 3],
  '05-imap-keep': [2, 4],
  '06-dns-down': [2, 3, 4, 5],
  '07-backup-mx': [2, 3, 5, 6],
  '08-broken-zone': [1, 2, 3],
};

it('ships at least eight exercises, each with a reference solution', () => {
  expect(exercises.length).toBeGreaterThanOrEqual(8);
  for (const e of exercises) expect(fs.existsSync(path.join(SOLUTIONS, e.name)), e.name).toBe(true);
  expect(exercises.map((e) => e.name).sort()).toEqual(Object.keys(FAILS_AT_START).sort());
});

function copySolution(exercise: Exercise, dir: string): void {
  fs.cpSync(path.join(SOLUTIONS, exercise.name), dir, { recursive: true });
}

describe.concurrent('each exercise', () => {
  for (const exercise of exercises) {
    it(`${exercise.name}: fails on its starting files, passes on the reference solution`, async () => {
      const dir = workFolder(exercise, root);
      expect(startWork(exercise, dir)).toBe(true);
      for (const file of Object.keys(exercise.start)) expect(fs.existsSync(path.join(dir, file)), file).toBe(true);

      const before = await checkExercise(exercise, dir, { student: 'test' });
      expect(before.passed).toBe(false);
      const failed = before.checks.filter((c) => !c.ok).map((c) => c.number);
      // the planted mistake fails exactly where the exercise says it does
      expect(failed, renderReport(before, 'en')).toEqual(FAILS_AT_START[exercise.name]);
      expect(before.score).toBeLessThan(before.max);
      for (const c of before.checks.filter((x) => !x.ok)) {
        // a failed check names what it expected and what it saw, in both languages
        for (const lang of ['ko', 'en'] as const) {
          expect(c.expected[lang].length, `${exercise.name} #${c.number} expected`).toBeGreaterThan(0);
          expect(c.seen[lang].length, `${exercise.name} #${c.number} seen`).toBeGreaterThan(0);
          expect(c.seen[lang]).not.toBe(c.expected[lang]);
        }
      }

      copySolution(exercise, dir);
      const after = await checkExercise(exercise, dir, { student: 'test' });
      expect(after.passed, renderReport(after, 'en')).toBe(true);
      expect(after.score).toBe(after.max);
    });
  }
});

describe('what the reports say', () => {
  it('02 (no final dot): the answer seen beside the one expected, and the bounce or the load error', async () => {
    const exercise = exercises.find((e) => e.name === '02-mx-final-dot')!;
    const dir = path.join(root, 'say-02');
    startWork(exercise, dir);
    const report = await checkExercise(exercise, dir, { student: 'test' });
    const mx = report.checks[1];
    if (loadsLikeBind) {
      expect(mx.expected.en).toBe("Server's name server answers naver.com MX: 10 mail.naver.com.");
      expect(mx.seen.en).toBe('naver.com MX: 10 mail.naver.com.naver.com.');
      expect(report.checks[3].seen.en).toMatch(/^bounced by Server-B: 550 5\.1\.2 naver\.com: Host unknown/);
    } else {
      expect(report.checks[0].seen.en).toMatch(/^zones\/naver\.com\.zone:8: MX host mail\.naver\.com\.naver\.com /);
      expect(mx.seen.en).toBe('not run: the files do not load (see check 1)');
    }
    expect(mx.hint?.ko).toContain('mail.naver.com.naver.com');
  });

  it('03 (relay rules): the refusal as the server gave it', async () => {
    const exercise = exercises.find((e) => e.name === '03-relay-rules')!;
    const dir = path.join(root, 'say-03');
    startWork(exercise, dir);
    const report = await checkExercise(exercise, dir, { student: 'test' });
    expect(report.checks[1]).toMatchObject({
      ok: false,
      expected: { en: 'WinClient through Server-B sends a letter to lee@naver.com: taken (250)' },
      seen: { en: 'refused: 550 5.7.1 <lee@naver.com>... Relaying denied', ko: '거부: 550 5.7.1 <lee@naver.com>... Relaying denied' },
    });
    // AUTH is not offered while plaintextAuth is false: the refusal of the AUTH command itself
    expect(report.checks[3].seen.en).toMatch(/^refused: AUTH: 5\d\d /);
    const text = renderReport(report, 'ko');
    expect(text).toContain('✗ 2. 실습망의 WinClient는 Server-B를 통해 naver.com으로 보낼 수 있다  (0/2)');
    expect(text).toContain('     기대: WinClient (메일 서버 Server-B): lee@naver.com 앞 메일을 보내면 서버가 받음 (250)');
    expect(text).toContain('     힌트: Server-B의 relay: 에는');
    expect(text).toMatch(/점수: 3\/8 {2}통과하지 못한 확인 3개/);
  });

  it('06 (name server down): the letter seen waiting in the queue, with the reason', async () => {
    const exercise = exercises.find((e) => e.name === '06-dns-down')!;
    const dir = path.join(root, 'say-06');
    startWork(exercise, dir);
    const report = await checkExercise(exercise, dir, { student: 'test' });
    expect(report.checks[4].seen.en).toMatch(/^waiting in Server-B's mail queue: 451 4\.4\.3 naver\.com: Host name lookup failure/);
    expect(report.checks[4].seen.ko).toMatch(/^Server-B의 메일 큐에서 기다림: 451 4\.4\.3/);
    expect(report.checks[1].seen.en).toBe('no answer under where');
  });
});
