// `npm run mailq` from a second terminal while a lab runs: --flush shows the queue after the
// retry, --host with a name that is not there names the mail servers that are.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT, startCli } from './cli-helpers.ts';

const run = promisify(execFile);
const MAILQ = path.join(ROOT, 'lab', 'mta', 'mailq.ts');

describe('npm run mailq while the lab runs', () => {
  it('--flush lists the queue after the retry; --host Nope names the hosts', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-mailq-'));
    // bind9 is down: the letter waits, deferred, in Server-B's queue
    const lab = startCli(['--scenario', 'dns-down', '--ports', 'auto', '--data', data, '--lang', 'en']);
    try {
      const up = await lab.waitFor(/The lab is up/);
      // the running lab's address table names the matching mailq command
      expect(lab.stdout.slice(0, up.end)).toContain(`npm run mailq -- --data ${data}`);
      const flushed = await run(process.execPath, [MAILQ, '--data', data, '--flush', '--host', 'Server-B'], { cwd: ROOT });
      expect(flushed.stdout).toMatch(/^Server-B: flushed; every letter was tried again$/m);
      // the listing after it: the second attempt is in
      const attempts = /\(Deferred: 451 4\.4\.3 naver\.com: Host name lookup failure .*; (\d+) attempts\)/.exec(flushed.stdout);
      expect(attempts, flushed.stdout).not.toBeNull();
      expect(Number(attempts![1])).toBeGreaterThanOrEqual(2);
      const nope: { code?: number; stderr: string } = await run(process.execPath, [MAILQ, '--data', data, '--host', 'Nope'], { cwd: ROOT }).catch((err) => err as { code: number; stderr: string });
      expect(nope.code).toBe(2);
      expect(nope.stderr).toMatch(/no mail server "Nope" in .*; the mail servers there: Server, Server-B/);
    } finally {
      lab.child.kill('SIGINT');
      await lab.exited;
    }
  });
});
