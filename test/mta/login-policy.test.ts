// One login policy per host (lab/host/login-policy.ts): SMTP AUTH, POP3 and IMAP ask the same
// policy, so plaintextAuth: false stops all three, a PLAIN response is decoded and judged the
// same way everywhere, and every failed login waits the same delay on the host's clock.
import net from 'node:net';
import { LabClock } from '../../lab/trace/lab-clock.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../lab/host/host-context.ts';
import { startPop3Server } from '../../lab/pop3/pop3-server.ts';
import { startImapServer } from '../../lab/imap/imap-server.ts';
import { Pop3Client } from '../../lab/client/pop3-client.ts';
import { createLab, startMailHost, SmtpTestClient, type Lab, type LabOptions } from './lab-fixture.ts';
import { imapLines as imapSession } from './imap-line-client.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * A clock that records the failed-login waits (the policy's 750 ms) and skips them; other waits
 * (the SMTP listener's slow-client deadline) run in real time.
 */
/** The lab's clock, with every failed-login delay (750 ms here) recorded instead of waited. */
function recordingClock() {
  const waits: number[] = [];
  const clock = new LabClock();
  const sleep = clock.sleep.bind(clock);
  clock.sleep = (ms: number) => {
    if (ms !== 750) return sleep(ms);
    waits.push(ms);
    return Promise.resolve();
  };
  return Object.assign(clock, { waits });
}

async function pop3Session(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const client = new Pop3Client(socket);
  await client.greeting();
  return client;
}

/** Server's SMTP, POP3 and IMAP on one host context: one login policy behind all three. */
function threeServices(options: LabOptions) {
  let lab: Lab | undefined;
  const services: Service[] = [];
  return {
    async start() {
      lab = await createLab(options);
      const mail = await startMailHost(lab, 'Server');
      const pop3 = await startPop3Server(lab.Server, { port: 0 });
      const imap = await startImapServer(lab.Server, { port: 0 });
      services.push(mail, pop3, imap);
      return { smtp: mail.port, pop3: pop3.port, imap: imap.port };
    },
    async stop() {
      await Promise.all(services.map((s) => s.close()));
      await lab?.cleanup();
    },
  };
}

describe('plaintextAuth: false stops SMTP AUTH, POP3 USER/PASS and AUTH PLAIN, and IMAP LOGIN alike', () => {
  let smtp: number, pop3: number, imap: number;
  const servers = threeServices({ edit: (file) => (file.hosts.Server.mail.plaintextAuth = false) });
  beforeAll(async () => ({ smtp, pop3, imap } = await servers.start()));
  afterAll(() => servers.stop());

  it('SMTP: no AUTH in EHLO, AUTH refused', async () => {
    const { client } = await SmtpTestClient.fromOutside(smtp);
    const ehlo = await client.command('EHLO outside.example');
    expect(ehlo.lines.some((l) => l.startsWith('AUTH'))).toBe(false);
    expect((await client.command(`AUTH PLAIN ${b64('\0lee\x001234')}`)).code).toBeGreaterThanOrEqual(500);
    await client.quit();
  });

  it('POP3: CAPA offers neither USER nor SASL; USER and AUTH PLAIN get -ERR [AUTH]', async () => {
    const client = await pop3Session(pop3);
    const capa = await client.capa();
    expect(capa).not.toContain('USER');
    expect(capa.some((c) => c.startsWith('SASL'))).toBe(false);
    const user = await client.command('USER lee', 'single');
    expect(user.status).toMatch(/^-ERR \[AUTH\] plaintext logins are disabled on mail\.naver\.com/);
    const pass = await client.command('PASS 1234', 'single');
    expect(pass.ok).toBe(false);
    const plain = await client.command(`AUTH PLAIN ${b64('\0lee\x001234')}`, 'single');
    expect(plain.status).toMatch(/^-ERR \[AUTH\] plaintext logins are disabled/);
    // still not logged in
    expect((await client.command('STAT', 'single')).ok).toBe(false);
    await client.quit();
  });

  it('IMAP: LOGINDISABLED; LOGIN and AUTHENTICATE PLAIN get NO [PRIVACYREQUIRED]', async () => {
    const session = await imapSession(imap);
    expect(session.greeting).toContain('LOGINDISABLED');
    expect(await session.command('a', 'LOGIN lee 1234')).toMatch(/^a NO \[PRIVACYREQUIRED\]/m);
    expect(await session.command('b', `AUTHENTICATE PLAIN ${b64('\0lee\x001234')}`)).toMatch(/^b NO \[PRIVACYREQUIRED\]/m);
    session.close();
  });
});

describe('one policy: the same decoding, the same rule, the same delay on the host clock', () => {
  const clock = recordingClock();
  let smtp: number, pop3: number, imap: number;
  const servers = threeServices({ clock, failedLoginDelayMs: 750 });
  beforeAll(async () => ({ smtp, pop3, imap } = await servers.start()));
  afterAll(() => servers.stop());

  it('a wrong password waits the policy\'s delay on the host clock, in SMTP, POP3 and IMAP', async () => {
    clock.waits.length = 0;
    const { client } = await SmtpTestClient.fromOutside(smtp);
    await client.command('EHLO outside.example');
    expect((await client.command(`AUTH PLAIN ${b64('\0lee\0wrong')}`)).raw).toBe('535 5.7.8 Authentication credentials invalid');
    // AUTH LOGIN, both lines after the 334s
    expect((await client.command('AUTH LOGIN')).code).toBe(334);
    expect((await client.command(b64('lee'))).code).toBe(334);
    expect((await client.command(b64('wrong'))).code).toBe(535);
    await client.quit();
    expect(clock.waits).toEqual([750, 750]);

    const pop = await pop3Session(pop3);
    await pop.command('USER lee', 'single');
    expect((await pop.command('PASS wrong', 'single')).status).toBe('-ERR [AUTH] invalid user name or password');
    expect((await pop.command(`AUTH PLAIN ${b64('\0lee\0wrong')}`, 'single')).status).toBe('-ERR [AUTH] invalid user name or password');
    await pop.quit();
    expect(clock.waits).toEqual([750, 750, 750, 750]);

    const session = await imapSession(imap);
    expect(await session.command('a', 'LOGIN lee wrong')).toMatch(/^a NO \[AUTHENTICATIONFAILED\]/m);
    expect(await session.command('b', `AUTHENTICATE PLAIN ${b64('\0lee\0wrong')}`)).toMatch(/^b NO \[AUTHENTICATIONFAILED\]/m);
    session.close();
    expect(clock.waits).toEqual([750, 750, 750, 750, 750, 750]);
  });

  it('no service lets one user log in as another (a PLAIN authzid naming someone else)', async () => {
    const asOther = b64('kim\0lee\x001234');
    const { client } = await SmtpTestClient.fromOutside(smtp);
    await client.command('EHLO outside.example');
    expect((await client.command(`AUTH PLAIN ${asOther}`)).code).toBe(535);
    expect((await client.command(`AUTH PLAIN ${b64('lee\0lee\x001234')}`)).code).toBe(235);
    await client.quit();
    const pop = await pop3Session(pop3);
    expect((await pop.command(`AUTH PLAIN ${asOther}`, 'single')).status).toMatch(/^-ERR \[AUTH\] logging in as another user/);
    await pop.quit();
    const session = await imapSession(imap);
    expect(await session.command('a', `AUTHENTICATE PLAIN ${asOther}`)).toMatch(/^a NO \[AUTHORIZATIONFAILED\]/m);
    expect(await session.command('b', `AUTHENTICATE PLAIN ${b64('\0lee\x001234')}`)).toMatch(/^b OK/m);
    session.close();
  });

  it('a PLAIN response that is not base64 is refused by every service without a login attempt', async () => {
    clock.waits.length = 0;
    const { client } = await SmtpTestClient.fromOutside(smtp);
    await client.command('EHLO outside.example');
    expect((await client.command('AUTH PLAIN @@@')).code).toBeGreaterThanOrEqual(500);
    await client.quit();
    const pop = await pop3Session(pop3);
    expect((await pop.command('AUTH PLAIN @@@', 'single')).status).toBe('-ERR [AUTH] the PLAIN response is not valid base64');
    await pop.quit();
    const session = await imapSession(imap);
    expect(await session.command('a', 'AUTHENTICATE PLAIN @@@')).toMatch(/^a BAD .*not valid base64/m);
    session.close();
  });
});

describe('SMTP AUTH responses judged by the policy', () => {
  let lab: Lab;
  let smtp: Service;
  beforeAll(async () => {
    lab = await createLab();
    smtp = await startMailHost(lab, 'Server');
  });
  afterAll(async () => {
    await smtp?.close();
    await lab?.cleanup();
  });

  it('a bad response after the 334 ends the exchange: the next line is a command again', async () => {
    const { client } = await SmtpTestClient.fromOutside(smtp.port);
    await client.command('EHLO outside.example');
    expect((await client.command('AUTH PLAIN')).code).toBe(334);
    expect((await client.command('not base64 at all!')).raw).toMatch(/^501 5\.5\.2 the PLAIN response is not valid base64/);
    expect((await client.command('NOOP')).code).toBe(250);
    expect((await client.command('AUTH LOGIN')).code).toBe(334);
    expect((await client.command('%%%')).raw).toMatch(/^501 5\.5\.2 the LOGIN response is not valid base64/);
    expect((await client.command(`AUTH PLAIN ${b64('\0lee\x001234')}`)).code).toBe(235);
    await client.quit();
  });
});
