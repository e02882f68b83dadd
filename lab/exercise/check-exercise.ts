// `npm run exercise -- check N`: a fresh lab on the student's files (ports the OS chooses, a data
// folder of its own, removed afterwards), the exercise's checks in order, and the report.
import { fs } from '../node-builtins.ts';
import os from 'node:os';
import { startLab, type Lab } from '../runtime/lab.ts';
import type { Bilingual } from '../trace/hop-event.ts';
import type { Exercise } from './load.ts';
import { toMs, type Check } from './schema.ts';
import { CheckFailure, runAction, runCheck, type CheckContext, type Outcome } from './checks.ts';
import { loadStudentTopology } from './student-topology.ts';
import type { CheckReport, Report } from './report.ts';

export interface CheckOptions {
  student?: string;
  /** the work folder as the report names it (default: as given) */
  shownWork?: string;
}

export async function checkExercise(exercise: Exercise, workDir: string, options: CheckOptions = {}): Promise<Report> {
  if (!fs.existsSync(workDir)) throw new Error(`no work folder ${workDir}; run "npm run exercise -- start ${exercise.number}" first`);
  const dir = fs.realpathSync(workDir);
  const loaded = loadStudentTopology(dir, exercise.topology);
  const checks: CheckReport[] = [];
  let lab: Lab | undefined;
  let labError: Bilingual | undefined;
  const ctx: Partial<CheckContext> & { sent: Map<number, string> } = { exercise, dir, sent: new Map() };

  // later checks point at the loads check rather than repeating its error
  const loadsCheck = exercise.checks.findIndex((c) => c.loads) + 1;
  const notLoaded: Bilingual | undefined = loaded.ok
    ? undefined
    : loadsCheck
      ? { ko: `파일을 읽지 못했습니다 (${loadsCheck}번 확인)`, en: `the files do not load (see check ${loadsCheck})` }
      : { ko: `파일을 읽지 못했습니다: ${loaded.error.message}`, en: `the files do not load: ${loaded.error.message}` };
  try {
    for (const [i, check] of exercise.checks.entries()) {
      const number = i + 1;
      let outcome: Outcome;
      if (check.loads) {
        outcome = loadsOutcome(loaded.ok ? undefined : loaded.error.message, loaded.ok ? loaded.topology.zones.map((z) => z.origin) : []);
      } else if (check.answer) {
        outcome = await guarded(check, () => runCheck(ctx as CheckContext, check, number));
      } else if (notLoaded || labError) {
        outcome = { ok: false, expected: expectedOf(check), seen: notRun(notLoaded ?? labError!) };
      } else {
        if (!lab && loaded.ok) {
          try {
            lab = await startLab({ topology: loaded.topology, ports: 'auto', retry: exercise.retry, dnsTimeoutMs: toMs(exercise.dnsTimeout), failedLoginDelayMs: 20 });
            Object.assign(ctx, { lab, topology: loaded.topology });
          } catch (err) {
            labError = { ko: `실습망을 시작하지 못함: ${(err as Error).message}`, en: `the lab could not start: ${(err as Error).message}` };
          }
        }
        outcome = labError ? { ok: false, expected: expectedOf(check), seen: notRun(labError) } : await guarded(check, () => withActions(ctx as CheckContext, check, () => runCheck(ctx as CheckContext, check, number)));
      }
      checks.push({
        number,
        title: check.title,
        points: check.points,
        got: outcome.ok ? check.points : 0,
        ok: outcome.ok,
        expected: outcome.expected,
        seen: outcome.seen,
        ...(outcome.ok || !check.hint ? {} : { hint: check.hint }),
      });
    }
  } finally {
    await lab?.stop();
  }
  const score = checks.reduce((n, c) => n + c.got, 0);
  const max = checks.reduce((n, c) => n + c.points, 0);
  return {
    exercise: exercise.number,
    name: exercise.name,
    title: exercise.title,
    student: options.student ?? studentName(),
    work: options.shownWork ?? workDir,
    at: new Date().toISOString(),
    score,
    max,
    passed: checks.every((c) => c.ok),
    checks,
  };
}

function loadsOutcome(error: string | undefined, zones: string[]): Outcome {
  const expected = { ko: '토폴로지와 존 파일을 BIND와 실습망이 읽을 수 있음', en: 'the topology and its zone files load, as BIND and the lab load them' };
  return error
    ? { ok: false, expected, seen: both(error) }
    : { ok: true, expected, seen: { ko: `읽음 (존: ${zones.join(', ') || '없음'})`, en: `loaded (zones: ${zones.join(', ') || 'none'})` } };
}

/** before, the check, after (after runs even when the check failed, so the next one starts clean). */
async function withActions(ctx: CheckContext, check: Check, run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    for (const action of check.before) {
      try {
        await runAction(ctx.lab, action);
      } catch (err) {
        throw new CheckFailure({ ko: `준비 동작 ${Object.keys(action)[0]} 실패: ${(err as Error).message}`, en: `the step before the check (${Object.keys(action)[0]}) failed: ${(err as Error).message}` });
      }
    }
    return await run();
  } finally {
    for (const action of check.after) await runAction(ctx.lab, action).catch(() => undefined);
  }
}

/** A check that throws is a failed check that says why; it never ends the run. */
async function guarded(check: Check, run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (err) {
    const seen = err instanceof CheckFailure ? err.seen : both((err as Error).message);
    return { ok: false, expected: expectedOf(check), seen };
  }
}

/** What a check expected, when it could not run far enough to say so itself. */
function expectedOf(check: Check): Bilingual {
  return check.title;
}

function notRun(why: Bilingual): Bilingual {
  return { ko: `확인하지 못함: ${why.ko}`, en: `not run: ${why.en}` };
}

const both = (text: string): Bilingual => ({ ko: text, en: text });

function studentName(): string {
  try {
    return process.env.MAIL_LAB_STUDENT || os.userInfo().username;
  } catch {
    return 'student';
  }
}
