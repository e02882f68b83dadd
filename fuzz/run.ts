// `npm run fuzz`: every target in turn, each in a process of its own, seeded and bounded in
// time; a table of what it found. A failing case is written to a reproduction file (var/fuzz/)
// and can be run again alone.
//
//   npm run fuzz                         a short run: a few seconds per target
//   npm run fuzz -- --long               100,000 cases per target (at most 10 minutes each)
//   npm run fuzz -- --cases 5000         that many cases per target
//   npm run fuzz -- --only smtp,imap     only those targets
//   npm run fuzz -- --seed 42            another seed (default mail-lab); the same seed gives the same cases
//   npm run fuzz -- --replay FILE        run one reproduction file again
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TARGETS } from './targets.ts';
import type { TargetResult } from './fuzz-target.ts';

const CHILD = path.join(import.meta.dirname, 'fuzz-target.ts');
/** A target process that prints nothing for this long is stuck: killed and reported as a hang. */
const SILENCE_MS = 60_000;

const { values } = parseArgs({
  options: {
    long: { type: 'boolean' },
    cases: { type: 'string' },
    seconds: { type: 'string' },
    only: { type: 'string' },
    seed: { type: 'string', default: 'mail-lab' },
    out: { type: 'string', default: path.join(import.meta.dirname, '..', 'var', 'fuzz') },
    replay: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write(fs.readFileSync(import.meta.filename, 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
  process.exit(0);
}

function runChild(args: string[]): Promise<{ code: number | null; result?: TargetResult; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let result: TargetResult | undefined;
    let watchdog = setTimeout(() => child.kill('SIGKILL'), SILENCE_MS);
    const heard = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => child.kill('SIGKILL'), SILENCE_MS);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      heard();
      output += d;
      for (const line of d.split('\n')) if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
      if (values.replay) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => {
      clearTimeout(watchdog);
      resolve({ code, result, output });
    });
  });
}

if (values.replay) {
  const { code } = await runChild(['--replay', values.replay]);
  process.exit(code ?? 1);
}

const names = values.only ? values.only.split(',').map((s) => s.trim()) : TARGETS.map((t) => t.name);
for (const name of names) if (!TARGETS.some((t) => t.name === name)) {
  process.stderr.write(`no fuzz target "${name}"; the targets are ${TARGETS.map((t) => t.name).join(', ')}\n`);
  process.exit(2);
}
const cases = values.cases ?? (values.long ? '100000' : undefined);
const seconds = values.seconds ?? (values.long || values.cases ? '600' : '3');

const rows: TargetResult[] = [];
let failed = false;
for (const name of names) {
  const args = ['--target', name, '--seed', values.seed!, '--seconds', seconds, '--out', values.out!];
  if (cases) args.push('--cases', cases);
  const { code, result, output } = await runChild(args);
  if (!result) {
    // killed by the watchdog or dead without a word: a hang or a crash of the whole process
    failed = true;
    rows.push({ target: name, seed: values.seed!, cases: Number(/PROGRESS (\d+)\s*$/.exec(output)?.[1] ?? 0), valid: 0, mutated: 0, crashes: code === null ? 0 : 1, hangs: code === null ? 1 : 0, unresponsive: 0, unexpectedErrors: 0, maxRssKb: 0, seconds: 0, failures: [] });
    continue;
  }
  if (code !== 0) failed = true;
  rows.push(result);
  process.stdout.write(`${name}: ${result.cases} cases in ${result.seconds} s\n`);
}

const table = [
  ['target', 'cases', 'valid', 'mutated', 'crashes', 'hangs', 'unresponsive', 'unexpected errors', 'largest RSS', 'seconds', 'cases/s'],
  ...rows.map((r) => [r.target, String(r.cases), String(r.valid), String(r.mutated), String(r.crashes), String(r.hangs), String(r.unresponsive), String(r.unexpectedErrors), `${Math.round(r.maxRssKb / 1024)} MB`, String(r.seconds), r.seconds ? String(Math.round(r.cases / r.seconds)) : '-']),
];
const widths = table[0].map((_c, i) => Math.max(...table.map((row) => row[i].length)));
process.stdout.write(`\nseed ${values.seed}\n${table.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n')}\n`);
const failures = rows.flatMap((r) => r.failures);
if (failures.length) process.stdout.write(`\nreproduction files (npm run fuzz -- --replay FILE):\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
fs.mkdirSync(values.out!, { recursive: true });
fs.writeFileSync(path.join(values.out!, 'summary.json'), `${JSON.stringify({ seed: values.seed, cases, seconds, rows }, null, 2)}\n`);
process.exit(failed ? 1 : 0);
