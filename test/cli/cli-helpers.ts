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
  return runNode([CLI, ...args], input, { NO_COLOR: '1', ...env });
}

/** Run `node ARGS` in the project's folder to the end, with stdin given (or closed). */
export function runNode(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
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

/**
 * A child process's output to wait on: `text()` is what to match (stdout, or a terminal's
 * screen); a match gives `end` (just past it) and `line` (where its line begins).
 */
export function watchOutput(child: ChildProcessWithoutNullStreams, text: (raw: string) => string = (raw) => raw) {
  let raw = '';
  let stderr = '';
  const waiters: { re: RegExp; from: number; resolve: (m: Match & { line: number }) => void }[] = [];
  const check = () => {
    const shown = text(raw);
    for (const w of [...waiters]) {
      const m = new RegExp(w.re.source, w.re.flags.replace('g', '')).exec(shown.slice(w.from));
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        const at = w.from + m.index;
        w.resolve(Object.assign(m, { end: at + m[0].length, line: shown.lastIndexOf('\n', at) + 1 }));
      }
    }
  };
  child.stdout.on('data', (d) => {
    raw += d;
    check();
  });
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    get raw() {
      return raw;
    },
    get stderr() {
      return stderr;
    },
    exited,
    /** Resolve when the output from offset `from` on matches. */
    waitFor(re: RegExp, from = 0): Promise<Match & { line: number }> {
      return new Promise((resolve, reject) => {
        waiters.push({ re, from, resolve });
        check();
        exited.then(() => reject(new Error(`the lab exited before printing ${re}; it printed:\n${text(raw)}\n${stderr}`)));
      });
    },
  };
}

/** Start the CLI and let a test talk to it: wait for text on stdout, type lines. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  const output = watchOutput(child);
  return {
    child,
    get stdout() {
      return output.raw;
    },
    get stderr() {
      return output.stderr;
    },
    exited: output.exited,
    waitFor: output.waitFor,
    type(line: string): void {
      child.stdin.write(`${line}\n`);
    },
  };
}
