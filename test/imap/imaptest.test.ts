// Dovecot's imaptest against the lab's IMAP server (Server, lee@naver.com): the 71 scripted test
// groups, and a short stress run of concurrent random sessions that checks every reply for
// consistency. Dovecot 2.3 on this machine: 0 failed, 0 errors; so must we. imaptest is built
// once into ~/.cache (test/imap/imaptest/imaptest.sh); where it cannot be built (no dovecot-dev,
// dovecot-core or compiler: .ci/run installs them) both are skipped with the reason.
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { startLab } from '../../lab/index.ts';

const SCRIPT = path.join(import.meta.dirname, 'imaptest', 'imaptest.sh');
/** seconds and clients of the stress run: short, so the suite's time stays bounded */
const STRESS_SECS = 5;
const STRESS_CLIENTS = 5;

function buildImaptest(): string {
  const built = spawnSync('bash', [SCRIPT, 'build'], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, IMAPTEST_INSTALL: '0' } });
  if (built.error) return `imaptest build did not run: ${built.error.message}`;
  if (built.status !== 0) return (built.stderr.trim().split('\n').at(-1) ?? '') || `imaptest build failed (${built.status})`;
  return '';
}

const notBuilt = buildImaptest();
// vitest has no skip reason: it goes in the test's name
const skipped = notBuilt ? ` [skipped: ${notBuilt}]` : '';

function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve(`${stdout}${stderr}${err && err.killed ? '\n(imaptest killed: time-out)' : ''}`);
    });
  });
}

describe('Dovecot imaptest', () => {
  it.skipIf(Boolean(notBuilt))(`scripted: every test group passes${skipped}`, { timeout: 120_000 }, async () => {
    const lab = await startLab({ ports: 'auto', failedLoginDelayMs: 1 });
    try {
      const out = await run(['scripted', String(lab.port('Server', 'imap'))], 90_000);
      const summary = /imaptest scripted: (\d+) test groups: (\d+) failed/.exec(out);
      expect(summary, out).not.toBeNull();
      expect(Number(summary![1])).toBeGreaterThanOrEqual(71);
      expect(summary![2], out).toBe('0');
    } finally {
      await lab.stop();
    }
  });

  it.skipIf(Boolean(notBuilt))(`stress: ${STRESS_SECS} s of ${STRESS_CLIENTS} concurrent sessions, no error${skipped}`, { timeout: 120_000 }, async () => {
    const lab = await startLab({ ports: 'auto', failedLoginDelayMs: 1 });
    try {
      const out = await run(['stress', String(lab.port('Server', 'imap')), 'lee@naver.com', '1234', String(STRESS_SECS), String(STRESS_CLIENTS)], (STRESS_SECS + 60) * 1000);
      const errors = /imaptest stress \(.*\) errors: (\d+)/.exec(out);
      expect(errors, out).not.toBeNull();
      expect(errors![1], out).toBe('0');
      // and it did work: logins and fetches were counted in its table
      expect(out).toMatch(/Logi List/);
    } finally {
      await lab.stop();
    }
  });
});
