// The lab in a pseudo-terminal, as a teacher runs it: util-linux `script` gives it a terminal
// 100 columns wide (stdin and stdout are TTYs, so --step reads single keys in raw mode), and
// the test types keys into it and reads what the terminal shows.
import { spawn, execFileSync } from 'node:child_process';
import { CLI, ROOT, watchOutput, type Match } from './cli-helpers.ts';

export const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `line`: the offset where the matched line begins (wait from there after a prompt: it is redrawn) */
export type PtyMatch = Match & { line: number };

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** What the screen shows: colours and line erasing applied, carriage returns resolved. */
export function screen(raw: string): string {
  return raw
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .split('\n')
    // a line ends in \r\n; a \r inside it (the prompt erased) starts the line afresh
    .map((line) => line.replace(/\r+$/, '').split('\r').at(-1)!)
    .join('\n');
}

export function startInPty(args: string[], env: NodeJS.ProcessEnv = {}, cols = 100) {
  const command = `stty cols ${cols} rows 50; exec ${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  // a prompt line is rewritten (erased, drawn again): wait from a match's `line` after a prompt
  const output = watchOutput(child, screen);
  return {
    child,
    get raw() {
      return output.raw;
    },
    get screen() {
      return screen(output.raw);
    },
    get stderr() {
      return output.stderr;
    },
    exited: output.exited,
    waitFor: output.waitFor as (re: RegExp, from?: number) => Promise<PtyMatch>,
    /** keys as the terminal sends them: '\r' is Enter, '\x03' Ctrl-C */
    press(keys: string): void {
      child.stdin.write(keys);
    },
  };
}
