// Clients no one here wrote: swaks from outside, and nodemailer on kim's PC sending through
// Server-B to lee at Server (two hops, with the lab's name server in between).
import { execFile, execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import type net from 'node:net';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, maildirFiles, startLabDns, startMailHost, type Lab } from './lab-fixture.ts';

type MailServer = Awaited<ReturnType<typeof startMailHost>>;

const run = promisify(execFile);
const hasSwaks = (() => {
  try {
    execFileSync('swaks', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let lab: Lab;
let server: MailServer;
let serverB: MailServer;
let dns: Awaited<ReturnType<typeof startLabDns>>;

beforeAll(async () => {
  lab = await createLab({ retry: '100ms*5' });
  dns = await startLabDns(lab);
  server = await startMailHost(lab, 'Server', { retry: '100ms*5' });
  serverB = await startMailHost(lab, 'Server-B', { retry: '100ms*5' });
});
afterAll(async () => {
  await Promise.all([server?.close(), serverB?.close()]);
  await dns?.close();
  await lab?.cleanup();
});

describe('swaks', () => {
  it.skipIf(!hasSwaks)('delivers a letter from outside to lee, and relays one after AUTH PLAIN', async () => {
    const before = await maildirFiles(lab, 'Server', 'lee');
    const { stdout } = await run('swaks', ['--server', `127.0.0.1:${server.port}`, '--helo', 'swaks.example', '--from', 'kim@daum.net', '--to', 'lee@naver.com', '--header', 'Subject: from swaks'], { timeout: 30_000 });
    const id = /<-\s+250 2\.0\.0 (\S+) Message accepted for delivery/.exec(stdout)?.[1];
    expect(id, stdout).toBeDefined();
    const after = await maildirFiles(lab, 'Server', 'lee');
    expect(after.length).toBe(before.length + 1);
    const text = await fsp.readFile(after.find((f) => !before.includes(f))!, 'utf8');
    expect(text).toContain('Subject: from swaks');
    expect(text).toContain(`Received: from swaks.example ([127.0.0.1])\r\n\tby mail.naver.com (192.168.111.100) with ESMTP id ${id}\r\n\tfor <lee@naver.com>;`);

    // Without AUTH swaks is refused for another domain; with AUTH PLAIN it may relay.
    const denied = await run('swaks', ['--server', `127.0.0.1:${server.port}`, '--from', 'lee@naver.com', '--to', 'kim@daum.net'], { timeout: 30_000 }).catch((err: { stdout: string }) => err);
    expect(denied.stdout).toContain('<** 550 5.7.1 <kim@daum.net>... Relaying denied');
    const relayed = await run('swaks', ['--server', `127.0.0.1:${server.port}`, '--from', 'lee@naver.com', '--to', 'kim@daum.net', '--auth', 'PLAIN', '--auth-user', 'lee', '--auth-password', '1234'], { timeout: 30_000 });
    expect(relayed.stdout).toContain('<-  235 2.7.0 Authentication successful');
    const relayedId = /<-\s+250 2\.0\.0 (\S+) Message accepted for delivery/.exec(relayed.stdout)![1];
    // ... and it really goes on to kim's mailbox on Server-B
    const arrived = await lab.trace.waitFor((e) => e.kind === 'mda' && e.from === 'Server-B' && e.status === 'ok' && typeof e.detail?.recipient === 'string' && e.detail.recipient === 'kim@daum.net');
    const kimText = await fsp.readFile(arrived.files![0], 'utf8');
    expect(kimText).toContain(`with ESMTPA id ${relayedId}`);
  });
});

describe("kim's letter, the lesson's two hops", () => {
  it('goes WinClient -> Server-B (queue) -> Server (MDA) and ends in lee\'s Maildir with a Received field per hop', async () => {
    const before = await maildirFiles(lab, 'Server', 'lee');
    const transport = nodemailer.createTransport({
      host: '192.168.111.200',
      port: 25,
      name: 'winclient.lab',
      ignoreTLS: true,
      getSocket: (_options: unknown, callback: (err: Error | null, info?: { connection: net.Socket }) => void) => {
        lab.net.connect('WinClient', '192.168.111.200', 25).then(
          (connection) => callback(null, { connection }),
          (err: Error) => callback(err),
        );
      },
    } as Parameters<typeof nodemailer.createTransport>[0]);
    const info = await transport.sendMail({
      from: { name: '김유신 (kim)', address: 'kim@daum.net' },
      to: 'lee@naver.com',
      subject: '안녕하세요',
      text: '이순신 님, 메일 서버 실습 잘 되나요?',
    });
    transport.close();
    const id = /^250 2\.0\.0 (\S+) Message accepted for delivery$/.exec(info.response)?.[1];
    expect(id, info.response).toBeDefined();

    const delivered = await lab.trace.waitFor((e) => e.kind === 'mda' && e.from === 'Server' && e.status === 'ok' && e.messageId === info.messageId, 20_000, "lee's delivery");
    const text = await fsp.readFile(delivered.files![0], 'utf8');
    expect((await maildirFiles(lab, 'Server', 'lee')).length).toBe(before.length + 1);
    const header = text.slice(0, text.indexOf('\r\n\r\n'));
    expect(header.startsWith('Return-Path: <kim@daum.net>\r\nDelivered-To: lee@naver.com\r\nReceived: from mail.daum.net (mail.daum.net [192.168.111.200])\r\n\tby mail.naver.com (192.168.111.100) with ESMTP id ')).toBe(true);
    expect(header).toContain(`Received: from winclient.lab ([192.168.111.132])\r\n\tby mail.daum.net (192.168.111.200) with ESMTP id ${id}\r\n\tfor <lee@naver.com>;`);
    expect(header.match(/^Received:/gm)).toHaveLength(2);
    expect(header).toContain(`Message-ID: ${info.messageId}`);

    // The sendmail steps of the lesson, each with from and to.
    const steps = lab.trace.events.filter((e) => e.steps && (e.queueId === id || e.messageId === info.messageId || e.seq === delivered.seq));
    const first = (label: string) => steps.find((e) => e.steps!.sendmail === label);
    expect(first('1')).toMatchObject({ from: 'WinClient', to: 'Server-B', kind: 'smtp' });
    expect(first('2')).toMatchObject({ from: 'Server-B', to: 'Server-B', kind: 'queue' });
    expect(first('6-7')).toMatchObject({ from: 'Server', to: 'Server', kind: 'mda' });
    expect(first('1')!.seq).toBeLessThan(first('2')!.seq);
    expect(first('2')!.seq).toBeLessThan(first('6-7')!.seq);
    // Server's side of the relay: reported with its transcript, without a step of its own
    const far = lab.trace.events.find((e) => e.kind === 'smtp' && e.from === 'Server-B' && e.to === 'Server' && e.status === 'ok');
    expect(far?.steps).toBeUndefined();
    expect(far?.transcript?.some((l) => l.line === 'RCPT TO:<lee@naver.com>')).toBe(true);
  });
});
