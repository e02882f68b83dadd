// One fuzz target in a process of its own (so that its memory is its own and a crash ends only
// it): run cases from a seed until the case count or the time is reached, each followed by a
// probe (a valid command on a fresh connection must be answered), and print the result.
//
//   node fuzz/fuzz-target.ts --target smtp --seed mail-lab --cases 100000 --seconds 600 --out var/fuzz
//   node fuzz/fuzz-target.ts --replay var/fuzz/smtp-mail-lab-1234.json
//
// Prints "PROGRESS <cases>" now and then, and at the end "RESULT <json>".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from './random.ts';
import { targetNamed } from './targets.ts';
import type { FuzzCase, Harness, Outcome } from './target.ts';

export interface TargetResult {
  target: string;
  seed: string;
  cases: number;
  valid: number;
  mutated: number;
  crashes: number;
  hangs: number;
  unresponsive: number;
  unexpectedErrors: number;
  /** peak resident set of the target's process, KB */
  maxRssKb: number;
  seconds: number;
  /** reproduction files written */
  failures: string[];
}

/** Cases between resets of the world (lee's Maildir emptied and seeded again). */
const RESET_EVERY = 500;

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    seed: { type: 'string', default: 'mail-lab' },
    cases: { type: 'string', default: '1000000000' },
    seconds: { type: 'string', default: '3' },
    out: { type: 'string', default: path.join(import.meta.dirname, '..', 'var', 'fuzz') },
    replay: { type: 'string' },
  },
});

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-fuzz-'));
const cleanup = () => fs.rmSync(workDir, { recursive: true, force: true });

function writeRepro(out: string, c: FuzzCase, outcome: Outcome & { ok: false }, phase: 'case' | 'probe' | 'process'): string {
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${c.target}-${c.seed}-${c.index}.json`.replace(/[^A-Za-z0-9._-]/g, '_'));
  fs.writeFileSync(file, `${JSON.stringify({ ...c, failure: outcome.failure, phase, detail: outcome.detail, replay: `npm run fuzz -- --replay ${path.relative(process.cwd(), file)}` }, null, 2)}\n`);
  return file;
}

async function replay(file: string): Promise<void> {
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as FuzzCase;
  const harness = await targetNamed(c.target).setup(workDir);
  const run = await harness.run(c);
  const probe = await harness.probe();
  await harness.close();
  process.stdout.write(`REPLAY ${JSON.stringify({ target: c.target, index: c.index, run, probe })}\n`);
  cleanup();
  process.exit(run.ok && probe.ok ? 0 : 1);
}

async function fuzz(): Promise<void> {
  const target = targetNamed(values.target ?? '');
  const seed = values.seed!;
  const maxCases = Number(values.cases);
  const deadline = performance.now() + Number(values.seconds) * 1000;
  const out = path.resolve(values.out!);
  const result: TargetResult = { target: target.name, seed, cases: 0, valid: 0, mutated: 0, crashes: 0, hangs: 0, unresponsive: 0, unexpectedErrors: 0, maxRssKb: 0, seconds: 0, failures: [] };
  const started = performance.now();
  const inflight = new Map<number, FuzzCase>();
  const finish = (code: number) => {
    result.maxRssKb = process.resourceUsage().maxRSS;
    result.seconds = Math.round((performance.now() - started) / 100) / 10;
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    cleanup();
    process.exit(code);
  };
  // a crash of the server: every case in flight is written out (one of them did it)
  const crashed = (err: unknown) => {
    result.crashes++;
    const detail = (err as Error)?.stack ?? String(err);
    for (const c of inflight.values()) result.failures.push(writeRepro(out, c, { ok: false, failure: 'crash', detail }, 'process'));
    process.stderr.write(`fuzz ${values.target}: the process crashed: ${detail}\n`);
    finish(1);
  };
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);

  const harness: Harness = await target.setup(workDir);
  // a server that does not close, or a reset that never ends, is a hang of the server too
  const bounded = async (what: string, work: Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 30_000)));
    const done = await Promise.race([work.then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (done === 'late') {
      result.hangs++;
      process.stderr.write(`fuzz ${target.name}: ${what} did not finish within 30 s (after ${result.cases} cases)\n`);
    }
  };
  const note = (c: FuzzCase, outcome: Outcome, phase: 'case' | 'probe') => {
    if (outcome.ok) return;
    if (outcome.failure === 'hang') result.hangs++;
    else if (outcome.failure === 'unresponsive') result.unresponsive++;
    else if (outcome.failure === 'unexpected-error') result.unexpectedErrors++;
    else result.crashes++;
    if (result.failures.length < 50) result.failures.push(writeRepro(out, c, outcome, phase));
  };
  let next = 0;
  let lastProgress = performance.now();
  while (next < maxCases && performance.now() < deadline) {
    const batch = Math.min(RESET_EVERY, maxCases - next);
    const end = next + batch;
    const slot = async () => {
      while (next < end && performance.now() < deadline) {
        const index = next++;
        const c = target.generate(Random.forCase(seed, target.name, index), index, seed);
        inflight.set(index, c);
        note(c, await harness.run(c), 'case');
        note(c, await harness.probe(), 'probe');
        inflight.delete(index);
        result.cases++;
        if (c.kind === 'valid') result.valid++;
        else result.mutated++;
        if (performance.now() - lastProgress > 2000) {
          lastProgress = performance.now();
          process.stdout.write(`PROGRESS ${result.cases}\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: target.concurrency }, slot));
    if (harness.reset) await bounded('putting the world back between batches', harness.reset());
  }
  await bounded('closing the server', harness.close());
  const failed = result.crashes + result.hangs + result.unresponsive + result.unexpectedErrors;
  finish(failed > 0 ? 1 : 0);
}

if (values.replay) await replay(values.replay);
else await fuzz();
