import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.join(import.meta.dirname, '..', '..');
export const CLI = path.join(ROOT, 'lab', 'cli.ts');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node lab/cli.ts ARGS` to the end. */
export function runCli(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

export type Match = RegExpExecArray & { end: number };

/** Start the CLI and let a test talk to it: wait for text on stdout, type lines. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; from: number; resolve: (m: Match) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const re = new RegExp(w.re.source, w.re.flags.replace('g', ''));
      const m = re.exec(stdout.slice(w.from));
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(Object.assign(m, { end: w.from + m.index + m[0].length }));
      }
    }
  };
  child.stdout.on('data', (d) => {
    stdout += d;
    check();
  });
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    /** Resolve when stdout from offset `from` on matches; `end` is the offset just past the match. */
    waitFor(re: RegExp, from = 0): Promise<Match> {
      return new Promise((resolve, reject) => {
        waiters.push({ re, from, resolve });
        check();
        exited.then(() => reject(new Error(`the lab exited before printing ${re}; it printed:\n${stdout}\n${stderr}`)));
      });
    },
    type(line: string): void {
      child.stdin.write(`${line}\n`);
    },
  };
}
