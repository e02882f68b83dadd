// SMTP as RFC 5321, 6531 and 3461 ask it of sendmail, through a whole lab: postmaster always
// accepted (section 4.5.1), SMTPUTF8 and a Korean user (김유신@daum.net) end to end, and DSN
// (NOTIFY, RET, ENVID, ORCPT) kept in the queue, passed on by the relay and honoured.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Lab } from '../../lab/runtime/lab.ts';
import { letter, SmtpTestClient } from './lab-fixture.ts';
import { startEditedLab, smtpFromHost, b64 } from './yaml-lab.ts';

let lab: Lab;
beforeAll(async () => {
  lab = await startEditedLab((doc) => {
    // a second user on Server, who reads postmaster's mail; a Korean user on Server-B
    doc.hosts.Server.mail.users.admin = { password: 'admin-pw' };
    doc.hosts.Server.mail.postmaster = 'admin';
    doc.hosts['Server-B'].mail.users['김유신'] = { password: '비밀번호', name: '김유신' };
  });
});
afterAll(() => lab?.stop());

/** EHLO, MAIL, RCPT..., DATA; each reply checked. */
async function send(client: SmtpTestClient, mail: string, rcpts: string[], message: string) {
  expect((await client.command(`MAIL FROM:${mail}`)).code).toBe(250);
  for (const r of rcpts) expect((await client.command(`RCPT TO:${r}`)).raw).toMatch(/^250 /);
  return client.data(message);
}

describe('postmaster (RFC 5321 section 4.5.1)', () => {
  it('takes postmaster with or without the domain, in any case, from outside, into the mailbox the topology names', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    await client.command('EHLO outside.example');
    const reply = await send(client, '<someone@example.com>', ['<postmaster>', '<PostMaster@NAVER.COM>'], letter({ to: 'postmaster@naver.com', subject: 'to the postmaster' }));
    expect(reply.code).toBe(250);
    await client.quit();
    const got = await lab.waitForLetter('Server', 'admin', (l) => l.subject === 'to the postmaster');
    expect(got.headers).toMatch(/^Delivered-To: postmaster@naver\.com$/m);
    expect(await lab.mailbox('Server', 'lee')).toHaveLength(0);
  });

  it('defaults to the first user where the topology names none (Server-B: kim)', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server-B', 'smtp'));
    await client.command('EHLO outside.example');
    expect((await send(client, '<someone@example.com>', ['<postmaster@daum.net>'], letter({ subject: 'postmaster of daum.net' }))).code).toBe(250);
    await client.quit();
    await lab.waitForLetter('Server-B', 'kim', (l) => l.subject === 'postmaster of daum.net');
  });
});

describe('SMTPUTF8 (RFC 6531)', () => {
  it('refuses a non-ASCII address without the SMTPUTF8 parameter: 553 5.6.7, at MAIL and at RCPT', async () => {
    const { client } = await smtpFromHost(lab, 'WinClient', 'Server-B');
    const ehlo = await client.command('EHLO winclient.lab');
    expect(ehlo.lines).toContain('SMTPUTF8');
    expect((await client.command('MAIL FROM:<김유신@daum.net>')).raw).toMatch(/^553 5\.6\.7 /);
    expect((await client.command('MAIL FROM:<kim@daum.net>')).code).toBe(250);
    expect((await client.command('RCPT TO:<김유신@daum.net>')).raw).toMatch(/^553 5\.6\.7 /);
    await client.quit();
  });

  it('writes "with UTF8SMTP" in Received for an SMTPUTF8 session, and UTF8SMTPA after AUTH', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server-B', 'smtp'));
    await client.command('EHLO outside.example');
    expect((await send(client, '<kim@daum.net> SMTPUTF8', ['<김유신@daum.net>'], letter({ to: '김유신@daum.net', subject: 'utf8 plain' }))).code).toBe(250);
    expect((await client.command(`AUTH PLAIN ${b64('\0kim\x001234')}`)).code).toBe(235);
    expect((await send(client, '<kim@daum.net> SMTPUTF8', ['<김유신@daum.net>'], letter({ to: '김유신@daum.net', subject: 'utf8 auth' }))).code).toBe(250);
    await client.quit();
    const plain = await lab.waitForLetter('Server-B', '김유신', (l) => l.subject === 'utf8 plain');
    expect(plain.headers).toMatch(/by mail\.daum\.net \(192\.168\.111\.200\) with UTF8SMTP id /);
    expect(plain.headers).toContain('for <김유신@daum.net>');
    const auth = await lab.waitForLetter('Server-B', '김유신', (l) => l.subject === 'utf8 auth');
    expect(auth.headers).toMatch(/with UTF8SMTPA id /);
  });

  it('김유신@daum.net is a real user end to end: SMTP in at Server, the relay out with SMTPUTF8, the MDA at Server-B', async () => {
    const { client } = await smtpFromHost(lab, 'Client', 'Server');
    await client.command('EHLO client.lab');
    const subject = '김유신 장군께';
    const message = ['From: lee@naver.com', 'To: 김유신 <김유신@daum.net>', `Subject: ${subject}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', '안녕하세요, 장군님.', ''].join('\r\n');
    expect((await send(client, '<lee@naver.com> SMTPUTF8', ['<김유신@daum.net>'], message)).code).toBe(250);
    await client.quit();
    const got = await lab.waitForLetter('Server-B', '김유신', (l) => l.subject === subject);
    expect(got.headers).toMatch(/^Delivered-To: 김유신@daum\.net$/m);
    expect(got.headers).toMatch(/^Return-Path: <lee@naver\.com>$/m);
    // the relay asked the next hop for SMTPUTF8 (RFC 6531 section 3.4)
    const relay = lab.trace.events.find((e) => e.kind === 'relay' && e.from === 'Server' && (e.detail?.recipients as string[] | undefined)?.includes?.('김유신@daum.net'));
    expect(relay?.transcript?.map((l) => l.line)).toContainEqual(expect.stringMatching(/^MAIL FROM:<lee@naver\.com> .*SMTPUTF8/));
    // both hops are written in the Received fields, the last one with UTF8SMTP
    expect(got.headers).toMatch(/by mail\.daum\.net \(192\.168\.111\.200\) with UTF8SMTP id /);
    expect((await simpleParser(got.raw)).text?.trim()).toBe('안녕하세요, 장군님.');
  });

  // POP3 and IMAP take UTF-8 logins (the dovecot branch: RFC 6856 UTF8 USER, RFC 6855 UTF8=ACCEPT).
  it('김유신 reads the letter by POP3 and IMAP with a UTF-8 login', async () => {
    const { Pop3Client } = await import('../../lab/client/pop3-client.ts');
    const net = await import('node:net');
    const socket = net.connect(lab.port('Server-B', 'pop3'), '127.0.0.1');
    const pop3 = new Pop3Client(socket);
    await pop3.greeting();
    await pop3.authPlain('김유신', '비밀번호');
    const list = await pop3.list();
    const subjects = await Promise.all(list.map(async ({ number }) => (await simpleParser(await pop3.retr(number))).subject));
    expect(subjects).toContain('김유신 장군께');
    await pop3.quit();
    const { ImapFlow } = await import('imapflow');
    const imap = new ImapFlow({ host: '127.0.0.1', port: lab.port('Server-B', 'imap'), secure: false, logger: false, auth: { user: '김유신@daum.net', pass: '비밀번호' } });
    await imap.connect();
    const lock = await imap.getMailboxLock('INBOX');
    try {
      const subjects: string[] = [];
      for await (const m of imap.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
      expect(subjects).toContain('김유신 장군께');
    } finally {
      lock.release();
      await imap.logout();
    }
  });
});

describe('DSN (RFC 3461)', () => {
  it('advertises DSN and SIZE in EHLO', async () => {
    const { client } = await smtpFromHost(lab, 'WinClient', 'Server-B');
    const ehlo = await client.command('EHLO winclient.lab');
    expect(ehlo.lines).toContain('DSN');
    expect(ehlo.lines).toContain('SIZE 10485760');
    await client.quit();
  });

  it('NOTIFY=SUCCESS: a success notice from the final host, with ENVID and ORCPT, and RET=HDRS (headers only); all carried through queue and relay', async () => {
    const { client } = await smtpFromHost(lab, 'WinClient', 'Server-B');
    await client.command('EHLO winclient.lab');
    const reply = await send(client, '<kim@daum.net> RET=HDRS ENVID=kim+2Denv+2D42', ['<lee@naver.com> NOTIFY=SUCCESS ORCPT=rfc822;lee@naver.com'], letter({ subject: 'tell me when it arrives', body: 'the body stays home' }));
    expect(reply.code).toBe(250);
    const queueId = /2\.0\.0 (\S+) /.exec(reply.raw)![1];
    await client.quit();
    // Server-B's relay passed every parameter on (RFC 3461 section 6.2.1)
    const relay = await lab.waitFor((e) => e.kind === 'relay' && e.queueId === queueId && e.from === 'Server-B' && e.status === 'ok');
    const said = [...lab.trace.events.filter((e) => e.kind === 'relay' && e.queueId === queueId).flatMap((e) => e.transcript ?? []).map((l) => l.line)];
    expect(said).toContainEqual(expect.stringMatching(/^MAIL FROM:<kim@daum\.net> .*RET=HDRS ENVID=kim-env-42/));
    expect(said).toContainEqual('RCPT TO:<lee@naver.com> NOTIFY=SUCCESS ORCPT=rfc822;lee@naver.com');
    expect(relay.status).toBe('ok');
    // Server delivered and told kim: the notice comes back to kim's mailbox on Server-B
    await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'tell me when it arrives');
    const notice = await lab.waitForLetter('Server-B', 'kim', (l) => /Successful Mail Delivery Report/.test(l.subject));
    const status = notice.raw.toString('utf8');
    expect(status).toMatch(/^Reporting-MTA: dns; mail\.naver\.com$/m);
    expect(status).toMatch(/^Original-Envelope-Id: kim-env-42$/m);
    expect(status).toMatch(/^Original-Recipient: rfc822;lee@naver\.com$/m);
    expect(status).toMatch(/^Action: delivered$/m);
    expect(status).toMatch(/^Status: 2\.0\.0$/m);
    expect(status).toMatch(/^Content-Type: text\/rfc822-headers$/m);
    expect(status).not.toMatch(/^Content-Type: message\/rfc822$/m);
    expect(status).toContain('Subject: tell me when it arrives');
    expect(notice.raw.toString()).not.toContain('the body stays home');
    // and Server-B itself sent no "relayed" notice: the next hop speaks DSN
    expect((await lab.mailbox('Server-B', 'kim')).filter((l) => /Delivery Report/.test(l.subject))).toHaveLength(1);
  });

  it('NOTIFY=NEVER: no bounce at all; RET=FULL on a failure returns the whole message', async () => {
    const before = (await lab.mailbox('Server-B', 'kim')).length;
    const { client } = await smtpFromHost(lab, 'WinClient', 'Server-B');
    await client.command('EHLO winclient.lab');
    const never = await send(client, '<kim@daum.net>', ['<nobody@naver.com> NOTIFY=NEVER'], letter({ to: 'nobody@naver.com', subject: 'never tell me' }));
    const neverId = /2\.0\.0 (\S+) /.exec(never.raw)![1];
    const full = await send(client, '<kim@daum.net> RET=FULL', ['<nobody@naver.com> NOTIFY=FAILURE'], letter({ to: 'nobody@naver.com', subject: 'return it all', body: 'every word of the body' }));
    const fullId = /2\.0\.0 (\S+) /.exec(full.raw)![1];
    await client.quit();
    const dropped = await lab.waitFor((e) => e.kind === 'bounce' && e.queueId === neverId);
    expect(dropped.status).toBe('failed');
    expect(dropped.detail).toMatchObject({ dropped: true, notify: ['NEVER'] });
    await lab.waitFor((e) => e.kind === 'bounce' && e.queueId === fullId && e.status === 'bounced');
    const bounce = await lab.waitForLetter('Server-B', 'kim', (l) => /Returned mail/.test(l.subject) && l.raw.toString().includes('return it all'));
    expect(bounce.raw.toString()).toMatch(/^Content-Type: message\/rfc822$/m);
    expect(bounce.raw.toString()).toContain('every word of the body');
    // only the RET=FULL one came back
    const after = await lab.mailbox('Server-B', 'kim');
    expect(after.filter((l) => l.raw.toString().includes('never tell me'))).toHaveLength(0);
    expect(after.length).toBe(before + 1);
  });

  it('NOTIFY=DELAY: a delay notice at the first deferral (Action: delayed, a 4.x.x status), and the mail still goes', async () => {
    await lab.hostDown('Server');
    let id = '';
    try {
      const { client } = await smtpFromHost(lab, 'WinClient', 'Server-B');
      await client.command('EHLO winclient.lab');
      const reply = await send(client, '<kim@daum.net> ENVID=late-1', ['<lee@naver.com> NOTIFY=DELAY,FAILURE'], letter({ subject: 'a late letter' }));
      id = /2\.0\.0 (\S+) /.exec(reply.raw)![1];
      await client.quit();
      const notice = await lab.waitForLetter('Server-B', 'kim', (l) => l.subject.includes('Warning: could not send message'));
      const text = notice.raw.toString('utf8');
      expect(text).toMatch(/^Action: delayed$/m);
      // Server is the name server too: the MX lookup is what fails (4.4.3)
      expect(text).toMatch(/^Status: 4\.4\.3$/m);
      expect(text).toMatch(/^Original-Envelope-Id: late-1$/m);
      expect(notice.subject).toMatch(/^메일 배달 지연 \/ Warning: could not send message for past /);
    } finally {
      await lab.hostUp('Server');
    }
    await lab.flush('Server-B');
    await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'a late letter');
    // one notice only: the second deferral (if any) and the delivery tell nothing more
    const notices = (await lab.mailbox('Server-B', 'kim')).filter((l) => l.raw.toString().includes(`X-Queue-ID: ${id}`));
    expect(notices).toHaveLength(1);
  });

  it('keeps NOTIFY, ORCPT, RET and ENVID in the control file while the mail waits in the queue', async () => {
    await lab.hostDown('Server');
    try {
      const { client } = await smtpFromHost(lab, 'WinClient', 'Server-B');
      await client.command('EHLO winclient.lab');
      const reply = await send(client, '<kim@daum.net> RET=HDRS ENVID=waiting', ['<lee@naver.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;lee@naver.com'], letter({ subject: 'waits in the queue' }));
      const id = /2\.0\.0 (\S+) /.exec(reply.raw)![1];
      await client.quit();
      await lab.waitFor((e) => e.kind === 'queue' && e.queueId === id && e.status === 'deferred');
      const control = JSON.parse(await fs.readFile(path.join(lab.dataDir, 'Server-B', 'queue', `qf${id}`), 'utf8'));
      expect(control.envelope.dsn).toEqual({ ret: 'HDRS', envid: 'waiting' });
      expect(control.recipients[0]).toMatchObject({ address: 'lee@naver.com', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;lee@naver.com' });
    } finally {
      await lab.hostUp('Server');
    }
    await lab.flush('Server-B');
    await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'waits in the queue');
  });
});
