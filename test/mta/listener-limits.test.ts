// Every limit of `mail.limits`, each with its reply, and the server (and where SMTP allows it,
// the session) going on afterwards. Malformed commands and addresses, and mail loops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, letter, maildirFiles, SmtpTestClient, startMailHost, type Lab } from './lab-fixture.ts';


type MailServer = Awaited<ReturnType<typeof startMailHost>>;

const LIMITS = { messageSize: 4000, recipients: 3, lineLength: 600, clients: 4, maxHops: 5 };

let lab: Lab;
let server: MailServer;
let serverB: MailServer;

beforeAll(async () => {
  // Server has the tight limits; Server-B a short idle time-out (only its own test talks to it).
  lab = await createLab({ retry: '1h', hostLimits: { Server: LIMITS, 'Server-B': { idleTimeout: 300 } } });
  server = await startMailHost(lab, 'Server', { retry: '1h' });
  serverB = await startMailHost(lab, 'Server-B', { retry: '1h' });
});
afterAll(async () => {
  await Promise.all([server?.close(), serverB?.close()]);
  await lab?.cleanup();
});

async function session(from: 'outside' | 'Client' = 'outside') {
  const { client } = from === 'outside' ? await SmtpTestClient.fromOutside(server.port) : await SmtpTestClient.fromHost(lab, from, '192.168.111.100');
  const ehlo = await client.command('EHLO tester.example');
  expect(ehlo.code).toBe(250);
  return { client, ehlo };
}

/** A message of about `size` bytes. */
const sized = (size: number, subject = 'sized') => letter({ subject, body: 'x'.repeat(70).concat('\r\n').repeat(Math.ceil(size / 72)) });

describe('message size (RFC 1870)', () => {
  it('advertises SIZE and refuses a declared size over it with 552, then goes on', async () => {
    const { client, ehlo } = await session();
    expect(ehlo.lines).toContain('SIZE 4000');
    expect((await client.command('MAIL FROM:<kim@daum.net> SIZE=5000')).raw).toMatch(/^552 5\.3\.4 /);
    expect((await client.command('MAIL FROM:<kim@daum.net> SIZE=1000')).code).toBe(250);
    expect((await client.command('RCPT TO:<lee@naver.com>')).code).toBe(250);
    expect((await client.data(sized(500))).code).toBe(250);
    await client.quit();
  });

  it('refuses a message that turns out bigger than the limit with 552 5.3.4, keeps none of it, and takes the next one', async () => {
    const before = await maildirFiles(lab, 'Server', 'lee');
    const { client } = await session();
    await client.command('MAIL FROM:<kim@daum.net>');
    await client.command('RCPT TO:<lee@naver.com>');
    const seen = lab.trace.events.length;
    const big = await client.data(sized(6000, 'too big'));
    expect(big.raw).toBe('552 5.3.4 Message size exceeds fixed maximum message size (4000)');
    const event = await lab.trace.waitFor((e) => e.seq > seen && e.status === 'refused');
    expect(event.transcript!.at(-1)!.line).toBe(big.raw);
    expect(await maildirFiles(lab, 'Server', 'lee')).toEqual(before);
    const small = await client.sendMail('kim@daum.net', ['lee@naver.com'], sized(1000, 'small'));
    expect(small.code).toBe(250);
    await client.quit();
    expect((await maildirFiles(lab, 'Server', 'lee')).length).toBe(before.length + 1);
  });
});

describe('recipients per message', () => {
  it('answers 452 4.5.3 past the limit; the message still goes to the ones accepted', async () => {
    const { client } = await session('Client');
    await client.command('MAIL FROM:<lee@naver.com>');
    for (const r of ['a@daum.net', 'b@daum.net', 'c@daum.net']) expect((await client.command(`RCPT TO:<${r}>`)).code).toBe(250);
    expect((await client.command('RCPT TO:<d@daum.net>')).raw).toBe('452 4.5.3 Error: too many recipients');
    const reply = await client.data(letter({ from: 'lee@naver.com', to: 'a@daum.net' }));
    expect(reply.code).toBe(250);
    await client.quit();
    const id = /^250 2\.0\.0 (\S+) /.exec(reply.raw)![1];
    const control = await server.queue.read(id);
    expect(control.envelope.recipients).toEqual(['a@daum.net', 'b@daum.net', 'c@daum.net']);
  });
});

describe('command line length (RFC 5321 section 4.5.3.1.4)', () => {
  it('answers 500 to a line over the limit and the session goes on', async () => {
    const { client } = await session();
    const long = await client.command(`NOOP ${'x'.repeat(700)}`);
    expect(long.raw).toBe('500 5.5.2 Command line too long (705 bytes; at most 600)');
    expect((await client.command(`MAIL FROM:<${'k'.repeat(640)}@daum.net>`)).code).toBe(500);
    expect((await client.command('MAIL FROM:<kim@daum.net>')).code).toBe(250);
    expect((await client.command('RCPT TO:<lee@naver.com>')).code).toBe(250);
    // lines of the message itself are not command lines
    const reply = await client.data(letter({ body: 'y'.repeat(900) }));
    expect(reply.code).toBe(250);
    await client.quit();
  });

  it('drops a client that sends a flood without a line end, and keeps serving others', async () => {
    const { client } = await session();
    client.write('A'.repeat(70 * 1024));
    const reply = await client.reply();
    expect(reply.code).toBe(421);
    await client.closed;
    const next = await session();
    expect((await next.client.command('NOOP')).code).toBe(250);
    await next.client.quit();
  });
});

describe('concurrent clients', () => {
  it('answers 421 to one client too many, and takes a new one when a place is free', async () => {
    const open: SmtpTestClient[] = [];
    try {
      for (let i = 0; i < LIMITS.clients; i++) open.push((await SmtpTestClient.fromOutside(server.port)).client);
      const { client: extra, greeting } = await SmtpTestClient.fromOutside(server.port);
      // smtp-server's wording; no enhanced code before EHLO (RFC 2034 section 3)
      expect(greeting.raw).toBe('421 mail.naver.com Too many connected clients, try again in a moment');
      await extra.closed;
      // the others are still served
      expect((await open[0].command('NOOP')).code).toBe(250);
      await open.pop()!.quit();
      const { client: again, greeting: welcome } = await SmtpTestClient.fromOutside(server.port);
      expect(welcome.code).toBe(220);
      await again.quit();
    } finally {
      for (const c of open) await c.quit();
    }
  });
});

describe('idle time-out', () => {
  it('answers 421 to a client that says nothing, reports it, and serves the next one', async () => {
    const seen = lab.trace.events.length;
    const { client } = await SmtpTestClient.fromOutside(serverB.port);
    await client.command('EHLO sleepy.example');
    const reply = await client.reply();
    expect(reply.raw).toBe('421 4.4.2 mail.daum.net Timeout - closing connection');
    await client.closed;
    const event = await lab.trace.waitFor((e) => e.seq > seen && e.to === 'Server-B' && e.status === 'refused');
    expect(event.transcript!.at(-1)!.line).toBe(reply.raw);
    const { client: next, greeting } = await SmtpTestClient.fromOutside(serverB.port);
    expect(greeting.code).toBe(220);
    await next.quit();
  });
});

describe('malformed commands and addresses', () => {
  it.each([
    ['HELLO there', /^500 5\.5\.2 /],
    ['EHLO', /^501 /],
    ['MAIL FROM:kim@daum.net', /^501 5\.1\.7 /],
    ['MAIL FROM:<kim@daum..net>', /^501 5\.1\.7 <kim@daum\.\.net>\.\.\. Bad sender address syntax/],
    ['MAIL FROM:<kim@@daum.net>', /^501 5\.1\.7 /],
    ['MAIL FROM:<kim@daum.net', /^501 5\.1\.7 /],
    ['RCPT TO:<lee@naver.com>', /^503 /],
    ['DATA', /^503 /],
    ['MAIL FROM:<kim@daum.net> SIZE=big', /^501 /],
    ['\u0000\u00ff\u0001', /^500 /],
  ])('answers %j with %s and the session goes on', async (line, expected) => {
    const { client } = await session();
    expect((await client.command(line)).raw).toMatch(expected);
    expect((await client.command('NOOP')).code).toBe(250);
    const reply = await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ subject: 'after a mistake' }));
    expect(reply.code).toBe(250);
    await client.quit();
  });

  it.each([
    ['RCPT TO:<lee@naver..com>', /^501 5\.1\.3 <lee@naver\.\.com>\.\.\. Bad recipient address syntax/],
    ['RCPT TO:<lee@>', /^501 5\.1\.3 /],
    ['RCPT TO:<>', /^501 5\.1\.3 /],
    ['RCPT TO:lee@naver.com', /^501 5\.1\.3 /],
    ['RCPT TO:<lee x@naver.com>', /^501 /],
  ])('answers %j with %s inside a transaction, which goes on', async (line, expected) => {
    const { client } = await session();
    await client.command('MAIL FROM:<kim@daum.net>');
    expect((await client.command(line)).raw).toMatch(expected);
    expect((await client.command('RCPT TO:<lee@naver.com>')).code).toBe(250);
    expect((await client.data(letter())).code).toBe(250);
    await client.quit();
  });
});

describe('mail loops (RFC 5321 section 6.3)', () => {
  const hops = (n: number) => Array.from({ length: n }, (_, i) => `Received: from hop${i}.example by hop${i + 1}.example with SMTP id h${i}; Mon, 02 Jun 2025 10:00:0${i % 10} +0900`);

  it('refuses a message with too many Received fields with 554 5.4.6 and takes the next one', async () => {
    const before = await maildirFiles(lab, 'Server', 'lee');
    const { client } = await session();
    await client.command('MAIL FROM:<kim@daum.net>');
    await client.command('RCPT TO:<lee@naver.com>');
    const seen = lab.trace.events.length;
    const looping = await client.data(letter({ headers: hops(LIMITS.maxHops) }));
    expect(looping.raw).toBe(`554 5.4.6 Too many hops ${LIMITS.maxHops + 1} (${LIMITS.maxHops} max): mail loop?`);
    const event = await lab.trace.waitFor((e) => e.seq > seen && e.status === 'refused');
    expect(event.transcript!.at(-1)!.line).toBe(looping.raw);
    expect(await maildirFiles(lab, 'Server', 'lee')).toEqual(before);
    const fine = await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ headers: hops(LIMITS.maxHops - 1) }));
    expect(fine.code).toBe(250);
    await client.quit();
  });
});
