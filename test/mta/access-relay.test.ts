// Who may send what, through real SMTP sessions: relay from the lab subnet, relay denied from
// outside, relay after AUTH PLAIN and AUTH LOGIN, and every relay trick refused from outside.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, letter, maildirFiles, SmtpTestClient, startMailHost, type Lab } from './lab-fixture.ts';

type MailServer = Awaited<ReturnType<typeof startMailHost>>;

const queueIdOf = (reply: string) => /^250 2\.0\.0 (\S+) Message accepted for delivery$/.exec(reply)?.[1];
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let lab: Lab;
let server: MailServer;
let serverB: MailServer;

beforeAll(async () => {
  lab = await createLab({ retry: '1h' });
  server = await startMailHost(lab, 'Server', { retry: '1h' });
  serverB = await startMailHost(lab, 'Server-B', { retry: '1h' });
});
afterAll(async () => {
  lab.trace.setGate(undefined);
  await Promise.all([server?.close(), serverB?.close()]);
  await lab?.cleanup();
});

async function controlFiles(host: 'Server' | 'Server-B'): Promise<string[]> {
  try {
    return (await fsp.readdir(path.join(lab.root, host, 'queue'))).filter((f) => f.startsWith('qf'));
  } catch {
    return [];
  }
}

/** An outside session to a host, EHLO done and MAIL FROM given. */
async function outsideTransaction(port: number, from = 'spammer@example.com') {
  const { client } = await SmtpTestClient.fromOutside(port);
  expect((await client.command('EHLO outside.example')).code).toBe(250);
  expect((await client.command(`MAIL FROM:<${from}>`)).code).toBe(250);
  return client;
}

describe('relaying', () => {
  it('relays for a host of the lab subnet (Connect:192.168.111 RELAY): queued and on disk before the 250, which carries the queue ID', async () => {
    const { client } = await SmtpTestClient.fromHost(lab, 'WinClient', '192.168.111.200');
    let replied = false;
    let heldBeforeReply: boolean | undefined;
    let queuedWhileHeld: string[] | undefined;
    // Step 2 is held before the queue is written: no 250 yet, no control file yet.
    lab.trace.setGate(async (preview) => {
      // the write into the queue (②), not the queue run that follows (③)
      if (preview.kind !== 'queue' || preview.steps?.sendmail !== '2') return;
      heldBeforeReply = !replied;
      queuedWhileHeld = await controlFiles('Server-B');
    });
    const before = await controlFiles('Server-B');
    const reply = await client.sendMail('kim@daum.net', ['lee@naver.com'], letter(), 'winclient.lab');
    replied = true;
    lab.trace.setGate(undefined);
    const id = queueIdOf(reply.raw)!;
    expect(id).toBeDefined();
    // the reply has just arrived: both spool files are there (the runner cannot deliver: no name server here)
    const spool = await fsp.readdir(path.join(lab.root, 'Server-B', 'queue'));
    expect(spool).toContain(`df${id}`);
    expect(spool).toContain(`qf${id}`);
    expect(heldBeforeReply).toBe(true);
    expect(queuedWhileHeld).toEqual(before);
    await client.quit();
    const queued = await lab.trace.waitFor((e) => e.kind === 'queue' && e.queueId === id && e.status === 'ok');
    expect(queued).toMatchObject({ from: 'Server-B', to: 'Server-B', steps: { sendmail: '2' }, detail: { recipients: ['lee@naver.com'] } });
    const submitted = lab.trace.events.find((e) => e.kind === 'smtp' && e.queueId === id)!;
    expect(submitted).toMatchObject({ from: 'WinClient', to: 'Server-B', fromAddress: '192.168.111.132', steps: { sendmail: '1' } });
    expect(submitted.seq).toBeLessThan(queued.seq);
    const control = await serverB.queue.read(id);
    expect(control.envelope).toMatchObject({ from: 'kim@daum.net', recipients: ['lee@naver.com'], receivedFrom: { host: 'WinClient', address: '192.168.111.132', helo: 'winclient.lab' } });
    const data = (await serverB.queue.readMessage(id)).toString('utf8');
    expect(data.startsWith(`Received: from winclient.lab ([192.168.111.132])\r\n\tby mail.daum.net (192.168.111.200) with ESMTP id ${id}\r\n\tfor <lee@naver.com>;`)).toBe(true);
  });

  it('denies relaying to a peer from outside: 550 5.7.1, reported with the transcript, nothing queued', async () => {
    const before = await controlFiles('Server-B');
    const client = await outsideTransaction(serverB.port);
    const seen = lab.trace.events.length;
    const reply = await client.command('RCPT TO:<lee@naver.com>');
    expect(reply.raw).toBe('550 5.7.1 <lee@naver.com>... Relaying denied');
    const event = await lab.trace.waitFor((e) => e.seq > seen && e.status === 'refused');
    expect(event).toMatchObject({ kind: 'smtp', from: 'outside', to: 'Server-B', steps: { sendmail: '1' }, toAddress: '192.168.111.200' });
    expect(event.transcript!.at(-2)).toEqual({ dir: 'C', line: 'RCPT TO:<lee@naver.com>' });
    expect(event.transcript!.at(-1)).toEqual({ dir: 'S', line: reply.raw });
    // the session goes on, and mail for Server-B's own user is still welcome from outside
    expect((await client.command('RCPT TO:<kim@daum.net>')).code).toBe(250);
    expect((await client.data(letter({ to: 'kim@daum.net' }))).code).toBe(250);
    await client.quit();
    expect(await controlFiles('Server-B')).toEqual(before);
  });

  it('relays after AUTH PLAIN, with ESMTPA in Received and the password kept out of the trace', async () => {
    const client = await (async () => {
      const { client } = await SmtpTestClient.fromOutside(server.port);
      const ehlo = await client.command('EHLO laptop.example');
      expect(ehlo.lines).toContain('AUTH PLAIN LOGIN');
      return client;
    })();
    const secret = b64('\0lee\x001234');
    expect((await client.command(`AUTH PLAIN ${secret}`)).raw).toBe('235 2.7.0 Authentication successful');
    expect((await client.command('MAIL FROM:<lee@naver.com>')).code).toBe(250);
    expect((await client.command('RCPT TO:<kim@daum.net>')).raw).toBe('250 2.1.5 Accepted');
    const reply = await client.data(letter({ from: 'lee@naver.com', to: 'kim@daum.net' }));
    await client.quit();
    const id = queueIdOf(reply.raw)!;
    const submitted = await lab.trace.waitFor((e) => e.kind === 'smtp' && e.queueId === id);
    expect(submitted).toMatchObject({ from: 'outside', steps: { sendmail: '1' } });
    expect(submitted.transcript).toContainEqual({ dir: 'C', line: 'AUTH PLAIN *****' });
    expect(JSON.stringify(lab.trace.events)).not.toContain(secret);
    const data = (await server.queue.readMessage(id)).toString('utf8');
    expect(data).toContain(`Received: from laptop.example ([127.0.0.1])\r\n\t(authenticated bits=0)\r\n\tby mail.naver.com (192.168.111.100) with ESMTPA id ${id}`);
    // an authenticated user submits: the server adds Message-ID and Date
    expect(data).toMatch(/\r\nMessage-ID: <\d+\.\w+@mail\.naver\.com>\r\n/);
  });

  it('relays after AUTH LOGIN; neither the user name nor the password reaches the trace', async () => {
    const { client } = await SmtpTestClient.fromOutside(server.port);
    await client.command('EHLO laptop.example');
    expect((await client.command('AUTH LOGIN')).raw).toBe(`334 ${b64('Username:')}`);
    expect((await client.command(b64('lee@naver.com'))).raw).toBe(`334 ${b64('Password:')}`);
    expect((await client.command(b64('1234'))).code).toBe(235);
    expect((await client.command('MAIL FROM:<lee@naver.com>')).code).toBe(250);
    expect((await client.command('RCPT TO:<kim@daum.net>')).code).toBe(250);
    const reply = await client.data(letter({ from: 'lee@naver.com', to: 'kim@daum.net' }));
    await client.quit();
    const id = queueIdOf(reply.raw)!;
    const submitted = await lab.trace.waitFor((e) => e.kind === 'smtp' && e.queueId === id);
    const lines = submitted.transcript!.map((l) => `${l.dir}: ${l.line}`);
    const auth = lines.indexOf('C: AUTH LOGIN');
    expect(lines.slice(auth, auth + 6)).toEqual([
      'C: AUTH LOGIN',
      `S: 334 ${b64('Username:')}`,
      'C: *****',
      `S: 334 ${b64('Password:')}`,
      'C: *****',
      'S: 235 2.7.0 Authentication successful',
    ]);
    expect(JSON.stringify(lab.trace.events)).not.toContain(b64('1234'));
  });

  it('a wrong password gives 535 5.7.8 and no relay rights', async () => {
    const { client } = await SmtpTestClient.fromOutside(server.port);
    await client.command('EHLO laptop.example');
    expect((await client.command(`AUTH PLAIN ${b64('\0lee\0wrong')}`)).raw).toBe('535 5.7.8 Authentication credentials invalid');
    await client.command('MAIL FROM:<lee@naver.com>');
    expect((await client.command('RCPT TO:<kim@daum.net>')).raw).toBe('550 5.7.1 <kim@daum.net>... Relaying denied');
    await client.quit();
  });

  it('offers no AUTH at all when plaintext AUTH is off (there is no TLS in the lab)', async () => {
    const strict = await createLab({ edit: (file) => (file.hosts.Server.mail.plaintextAuth = false) });
    const strictServer = await startMailHost(strict, 'Server');
    try {
      const { client } = await SmtpTestClient.fromOutside(strictServer.port);
      const ehlo = await client.command('EHLO laptop.example');
      expect(ehlo.lines.some((l) => l.startsWith('AUTH'))).toBe(false);
      expect((await client.command(`AUTH PLAIN ${b64('\0lee\x001234')}`)).code).toBe(500);
      await client.quit();
    } finally {
      await strictServer.close();
      await strict.cleanup();
    }
  });
});

describe('relay tricks from outside', () => {
  // Each is tried at the host whose domain the address ends in (or the other one), by a peer with
  // no relay rights; none may be queued.
  it.each([
    ['the percent hack', 'Server-B', 'lee%naver.com@daum.net', '550 5.7.1 <lee%naver.com@daum.net>... Relaying denied'],
    ['the percent hack, our domain', 'Server', 'kim%daum.net@naver.com', '550 5.7.1 <kim%daum.net@naver.com>... Relaying denied'],
    ['a bang path', 'Server-B', 'naver.com!lee@daum.net', '550 5.7.1 <naver.com!lee@daum.net>... Relaying denied'],
    ['a bare bang path', 'Server-B', 'naver.com!lee', /^501 5\.1\.3 /],
    ['a quoted local part holding @', 'Server-B', '"lee@naver.com"@daum.net', /^501 5\.1\.3 /],
    ['a quoted local part holding %', 'Server-B', '"lee%naver.com"@daum.net', '550 5.7.1 <"lee%naver.com"@daum.net>... Relaying denied'],
    ['a source route', 'Server-B', '@daum.net:lee@naver.com', '550 5.7.1 <lee@naver.com>... Relaying denied'],
    ['a source route of two hops', 'Server-B', '@mail.daum.net,@daum.net:lee@naver.com', '550 5.7.1 <lee@naver.com>... Relaying denied'],
    ['odd case and a trailing dot', 'Server', 'kim@DAUM.NET.', '550 5.7.1 <kim@DAUM.NET.>... Relaying denied'],
    ['our domain with a trailing dot, for the other domain', 'Server-B', 'lee@naver.com.', '550 5.7.1 <lee@naver.com.>... Relaying denied'],
    ['an address literal of another host', 'Server', 'kim@[192.168.111.200]', '550 5.7.1 <kim@[192.168.111.200]>... Relaying denied'],
  ])('refuses %s (%s, <%s>)', async (_name, host, address, expected) => {
    const target = host === 'Server' ? server : serverB;
    const before = await controlFiles(host as 'Server' | 'Server-B');
    const client = await outsideTransaction(target.port);
    const reply = await client.command(`RCPT TO:<${address}>`);
    if (typeof expected === 'string') expect(reply.raw).toBe(expected);
    else expect(reply.raw).toMatch(expected);
    // the transaction has no recipient: DATA is refused, nothing can be queued
    expect((await client.command('DATA')).code).toBe(503);
    expect((await client.command('NOOP')).code).toBe(250);
    await client.quit();
    expect(await controlFiles(host as 'Server' | 'Server-B')).toEqual(before);
  });

  it('strips a source route to a local user and delivers here, never relaying on it (RFC 5321 section 4.1.2)', async () => {
    const queuedBefore = await controlFiles('Server');
    const before = await maildirFiles(lab, 'Server', 'lee');
    const client = await outsideTransaction(server.port, 'kim@daum.net');
    expect((await client.command('RCPT TO:<@mail.daum.net:lee@naver.com>')).code).toBe(250);
    const reply = await client.data(letter({ subject: 'routed' }));
    await client.quit();
    const id = queueIdOf(reply.raw)!;
    const delivered = await lab.trace.waitFor((e) => e.kind === 'mda' && e.queueId === id);
    expect(delivered.detail).toMatchObject({ user: 'lee', recipient: 'lee@naver.com' });
    expect((await maildirFiles(lab, 'Server', 'lee')).length).toBe(before.length + 1);
    expect(await controlFiles('Server')).toEqual(queuedBefore);
  });

  it('takes odd case and a trailing dot for its own domain as the same domain (a local user, not a relay)', async () => {
    const queuedBefore = await controlFiles('Server');
    const client = await outsideTransaction(server.port, 'kim@daum.net');
    expect((await client.command('RCPT TO:<LEE@NAVER.COM.>')).code).toBe(250);
    const reply = await client.data(letter({ subject: 'shouting' }));
    await client.quit();
    const id = queueIdOf(reply.raw)!;
    const delivered = await lab.trace.waitFor((e) => e.kind === 'mda' && e.queueId === id);
    expect(delivered.detail).toMatchObject({ user: 'lee', recipient: 'lee@naver.com' });
    const text = await fsp.readFile(delivered.files![0], 'utf8');
    expect(text).toContain('Delivered-To: lee@naver.com\r\n');
    expect(text).toContain('\tfor <lee@naver.com>;');
    expect(await controlFiles('Server')).toEqual(queuedBefore);
  });

  it('takes its own address literal as local (lee@[192.168.111.100])', async () => {
    const client = await outsideTransaction(server.port, 'kim@daum.net');
    expect((await client.command('RCPT TO:<lee@[192.168.111.100]>')).code).toBe(250);
    const reply = await client.data(letter({ subject: 'literal' }));
    await client.quit();
    const delivered = await lab.trace.waitFor((e) => e.kind === 'mda' && e.queueId === queueIdOf(reply.raw));
    expect(delivered.detail).toMatchObject({ user: 'lee', recipient: 'lee@[192.168.111.100]' });
  });
});
