// sendmail's access table for computers outside the lab (issue 11): `Connect:127.0.0.1 RELAY`
// lets a program on this machine relay through Server-B, matched by its real address, as a
// student's PC on the classroom LAN would be with `Connect:10.0.0 RELAY`. swaks and Postfix's
// smtp-source, from 127.0.0.1, relay to lee at Server; Server, whose table names only the lab
// subnet, still refuses them.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/runtime/lab.ts';
import { startEditedLab } from './yaml-lab.ts';

const run = promisify(execFile);
const has = (tool: string, ...args: string[]) => {
  try {
    execFileSync(tool, args, { stdio: 'ignore' });
    return true;
  } catch (err) {
    // smtp-source has no --version: it answers a usage line with status 1
    return (err as { status?: number }).status === 1 && tool === 'smtp-source';
  }
};
const hasSwaks = has('swaks', '--version');
const hasSmtpSource = has('smtp-source');

let lab: Lab;
beforeAll(async () => {
  lab = await startEditedLab((doc) => {
    doc.hosts['Server-B'].mail.relay = ['192.168.111', '127.0.0.1'];
  });
});
afterAll(() => lab?.stop());

describe('relay from outside by the real address', () => {
  it.skipIf(!hasSwaks)('swaks from 127.0.0.1 relays through Server-B (relay: ["192.168.111", "127.0.0.1"]) to lee at Server', async () => {
    const { stdout } = await run('swaks', ['--server', `127.0.0.1:${lab.port('Server-B', 'smtp')}`, '--helo', 'pc.classroom', '--from', 'student@example.com', '--to', 'lee@naver.com', '--header', 'Subject: relayed from outside'], { timeout: 30_000 });
    expect(stdout).toMatch(/<-\s+250 2\.0\.0 \S+ Message accepted for delivery/);
    const got = await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'relayed from outside');
    // the outside peer is written with its real address; Server saw Server-B
    expect(got.headers).toContain('Received: from pc.classroom ([127.0.0.1])\r\n\tby mail.daum.net (192.168.111.200)');
    expect(got.headers).toMatch(/from mail\.daum\.net \(mail\.daum\.net \[192\.168\.111\.200\]\)/);
  });

  it.skipIf(!hasSwaks)('Server, whose access table names only 192.168.111, still refuses swaks: 550 5.7.1', async () => {
    const denied = await run('swaks', ['--server', `127.0.0.1:${lab.port('Server', 'smtp')}`, '--from', 'student@example.com', '--to', 'kim@daum.net'], { timeout: 30_000 }).catch((err: { stdout: string }) => err);
    expect(denied.stdout).toContain('<** 550 5.7.1 <kim@daum.net>... Relaying denied');
  });

  it.skipIf(!hasSmtpSource)("Postfix's smtp-source, a load tool on 127.0.0.1, relays 20 letters over 4 sessions", async () => {
    const before = (await lab.mailbox('Server', 'lee')).length;
    const since = lab.trace.events.at(-1)?.seq ?? 0;
    await run('smtp-source', ['-s', '4', '-m', '20', '-l', '2048', '-f', 'load@example.com', '-t', 'lee@naver.com', '-M', 'loadtool.example', `127.0.0.1:${lab.port('Server-B', 'smtp')}`], { timeout: 60_000 });
    // each letter: accepted by Server-B (from outside, relay by 127.0.0.1), relayed, written by Server's MDA
    let delivered = 0;
    await lab.waitFor((e) => {
      if (e.seq > since && e.kind === 'mda' && e.from === 'Server' && e.status === 'ok' && e.detail?.recipient === 'lee@naver.com') delivered++;
      return delivered >= 20;
    }, 30_000, '20 deliveries to lee');
    const letters = await lab.mailbox('Server', 'lee');
    expect(letters.length - before).toBeGreaterThanOrEqual(20);
    expect(letters.filter((l) => /^Received: from loadtool\.example \(\[127\.0\.0\.1\]\)/m.test(l.headers))).toHaveLength(20);
  });
});
