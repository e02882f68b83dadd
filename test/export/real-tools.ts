// The real checkers of the exported files, where this machine has them (.ci/run installs them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, command);
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

export const namedCheckconf = onPath('named-checkconf');
export const namedCheckzone = onPath('named-checkzone');
export const doveconf = onPath('doveconf');
export const m4 = onPath('m4');
/** sendmail-cf's m4 files: what `m4 sendmail.mc` includes */
export const CF_M4 = '/usr/share/sendmail/cf/m4/cf.m4';
export const hasSendmailCf = fs.existsSync(CF_M4);

/**
 * makemap is in sendmail-bin, whose install starts a sendmail daemon; .ci/run unpacks the package
 * into the cache instead. Usable only if it runs (its libraries are there).
 */
export const makemap = ((): string | undefined => {
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mail-lab', 'sendmail-bin', 'usr', 'libexec', 'sendmail', 'makemap');
  for (const candidate of [process.env.MAIL_LAB_MAKEMAP, onPath('makemap'), cache]) {
    if (!candidate || !fs.existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['-l'], { encoding: 'utf8' });
    if (probe.status === 0 && /hash/.test(probe.stdout)) return candidate;
  }
  return undefined;
})();

export function run(command: string, args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: options.cwd, input: options.input, env: options.env ?? process.env });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
