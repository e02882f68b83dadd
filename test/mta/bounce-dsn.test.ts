// Bounces: every cause ends in a DSN (RFC 3464) to the sender, read back here with mailparser;
// a message from the null sender is never bounced.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createLab, type Lab } from './lab-fixture.ts';
import { startDns, startSink, startQueueHost, testLetter, envelopeFor, type QueueHost, type Sink } from './queue-fixture.ts';
import type { NameServer } from '../../lab/dns/name-server.ts';
import { buildDsn, countReceived } from '../../lab/mta/bounce.ts';

let lab: Lab;
let dns: NameServer;
let b: QueueHost | undefined;
const sinks: Sink[] = [];

beforeEach(async () => {
  lab = await createLab();
  dns = await startDns(lab);
});

afterEach(async () => {
  await b?.stop();
  b = undefined;
  while (sinks.length) await sinks.pop()!.close();
  await dns.close();
  await lab.cleanup();
});

const sink = async (host: string, options = {}) => {
  const s = await startSink(lab, host, options);
  sinks.push(s);
  return s;
};

interface Dsn {
  parsed: ParsedMail;
  human: string;
  status: string;
  headers: string;
}

/** The three parts of a DSN, checked for shape. */
async function readDsn(raw: Buffer): Promise<Dsn> {
  // keepDeliveryStatus: the report part as a part of its own, not folded into the text
  const parsed = await simpleParser(raw, { keepDeliveryStatus: true });
  const type = parsed.headers.get('content-type') as { value: string; params: Record<string, string> };
  expect(type.value).toBe('multipart/report');
  expect(type.params['report-type']).toBe('delivery-status');
  expect(parsed.from?.text).toContain('MAILER-DAEMON@daum.net');
  expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
  expect(parsed.subject).toContain('메일 반송');
  const status = parsed.attachments.find((a) => a.contentType === 'message/delivery-status');
  const headers = parsed.attachments.find((a) => a.contentType === 'text/rfc822-headers');
  expect(status, 'a message/delivery-status part').toBeDefined();
  expect(headers, 'a text/rfc822-headers part').toBeDefined();
  return { parsed, human: parsed.text ?? '', status: status!.content.toString(), headers: headers!.content.toString() };
}

describe('bounces (DSN, RFC 3464)', () => {
  it('bounces a recipient the next server refuses with 5xx, with a DSN to the sender', async () => {
    await sink('Server', { rcpt: (a: string) => (a === 'nobody@naver.com' ? '550 5.1.1 <nobody@naver.com>... User unknown' : undefined) });
    b = await startQueueHost(lab['Server-B']);
    const letter = testLetter({ subject: 'to nobody', to: 'nobody@naver.com' });
    const { id } = await b.queue.enqueue(envelopeFor(['nobody@naver.com']), letter);
    const hop = await lab.trace.waitFor((e) => e.kind === 'bounce' && e.queueId === id);
    expect(hop).toMatchObject({ status: 'bounced', from: 'Server-B', detail: { recipient: 'nobody@naver.com', reason: '550 5.1.1 <nobody@naver.com>... User unknown' } });
    const [dsn] = await b.delivered(1);
    await b.runner.onIdle();

    // envelope: from the null sender, to the original sender
    expect(dsn.recipient).toBe('kim@daum.net');
    expect(dsn.envelope.from).toBe('');
    const { human, status, headers, parsed } = await readDsn(dsn.message);
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toContain('kim@daum.net');
    expect(human).toContain('전달하지 못했습니다');
    expect(human).toContain('could not be delivered');
    expect(human).toContain('<nobody@naver.com>');
    expect(status).toMatch(/^Reporting-MTA: dns; mail\.daum\.net$/m);
    expect(status).toMatch(/^Arrival-Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/m);
    expect(status).toMatch(/^Final-Recipient: rfc822; nobody@naver\.com$/m);
    expect(status).toMatch(/^Action: failed$/m);
    expect(status).toMatch(/^Status: 5\.1\.1$/m);
    expect(status).toMatch(/^Remote-MTA: dns; mail\.naver\.com$/m);
    expect(status).toMatch(/^Diagnostic-Code: smtp; 550 5\.1\.1 <nobody@naver\.com>\.\.\. User unknown$/m);
    expect(headers).toContain('Subject: to nobody');
    expect(headers).not.toContain('안녕하세요'); // headers only, not the body
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
  });

  it('bounces when the message itself is refused after DATA (5xx to the final dot)', async () => {
    await sink('Server', { data: () => '554 5.6.0 Message content rejected' });
    b = await startQueueHost(lab['Server-B']);
    await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());
    const [dsn] = await b.delivered(1);
    const { status } = await readDsn(dsn.message);
    expect(status).toMatch(/^Status: 5\.6\.0$/m);
    expect(status).toContain('Diagnostic-Code: smtp; 554 5.6.0 Message content rejected');
  });

  it('bounces a domain that does not exist (NXDOMAIN)', async () => {
    b = await startQueueHost(lab['Server-B']);
    await b.queue.enqueue(envelopeFor(['lee@nosuch.lab.test']), testLetter());
    const [dsn] = await b.delivered(1);
    const { status } = await readDsn(dsn.message);
    expect(status).toMatch(/^Status: 5\.1\.2$/m);
    expect(status).toContain('Host unknown (Name server: nosuch.lab.test: host not found)');
  });

  it('bounces a domain with neither MX nor address', async () => {
    b = await startQueueHost(lab['Server-B']);
    await b.queue.enqueue(envelopeFor(['lee@empty.lab.test']), testLetter());
    const [dsn] = await b.delivered(1);
    const { status } = await readDsn(dsn.message);
    expect(status).toMatch(/^Status: 5\.1\.2$/m);
    expect(status).toContain('no MX and no address');
  });

  it('bounces when the retry schedule runs out, with the last error', async () => {
    // nothing listens at mail.naver.com: every attempt is refused
    b = await startQueueHost(lab['Server-B'], { schedule: '10ms*2' });
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());
    const [dsn] = await b.delivered(1);
    await b.runner.onIdle();
    // each attempt ends in an outcome hop with a status (step 4-5 itself has none once the message crossed)
    const attempts = lab.trace.events.filter((e) => e.kind === 'relay' && e.queueId === id && e.status);
    expect(attempts).toHaveLength(3); // the first try and two retries
    const { status, human } = await readDsn(dsn.message);
    expect(status).toMatch(/^Status: 4\.4\.7$/m); // RFC 3463: delivery time expired
    expect(status).toContain('Connection refused by mail.naver.com.');
    expect(status).toContain('gave up after 3 attempts');
    expect(human).toContain('<lee@naver.com>');
  });

  it('lists every failed recipient of one message in one DSN', async () => {
    await sink('Server', { rcpt: (a: string) => (a === 'lee@naver.com' ? undefined : `550 5.1.1 <${a}>... User unknown`) });
    b = await startQueueHost(lab['Server-B']);
    await b.queue.enqueue(envelopeFor(['lee@naver.com', 'x@naver.com', 'y@naver.com', 'z@nosuch.lab.test']), testLetter());
    const [dsn] = await b.delivered(1);
    await b.runner.onIdle();
    expect(b.local).toHaveLength(1);
    const { status } = await readDsn(dsn.message);
    expect(status.match(/^Final-Recipient: /gm)).toHaveLength(3);
    for (const r of ['x@naver.com', 'y@naver.com', 'z@nosuch.lab.test']) expect(status).toContain(`Final-Recipient: rfc822; ${r}`);
    expect(status).not.toContain('Final-Recipient: rfc822; lee@naver.com');
  });

  it('sends the DSN of a remote sender out by SMTP, from the null sender', async () => {
    const naver = await sink('Server');
    b = await startQueueHost(lab['Server-B']);
    await b.queue.enqueue(envelopeFor(['someone@nosuch.lab.test'], 'lee@naver.com'), testLetter({ from: 'lee@naver.com' }));
    const [dsn] = await naver.received(1);
    await b.runner.onIdle();
    expect(dsn.from).toBe(''); // MAIL FROM:<>
    expect(dsn.to).toEqual(['lee@naver.com']);
    const { status } = await readDsn(dsn.data);
    expect(status).toContain('Final-Recipient: rfc822; someone@nosuch.lab.test');
    // the relay's transcript: step 4-5 up to the final dot, then the outcome hop with the reply
    const lines = lab.trace.events.filter((e) => e.kind === 'relay').flatMap((e) => e.transcript ?? []).map((l) => l.line);
    expect(lines).toContain('MAIL FROM:<> BODY=8BITMIME');
  });

  it('never bounces a message from the null sender: it is dropped and reported', async () => {
    await sink('Server', { rcpt: () => '550 5.1.1 <nobody@naver.com>... User unknown' });
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['nobody@naver.com'], ''), testLetter({ from: 'MAILER-DAEMON@daum.net' }));
    const hop = await lab.trace.waitFor((e) => e.kind === 'bounce' && e.queueId === id);
    await b.runner.onIdle();
    expect(hop).toMatchObject({ status: 'failed', detail: { recipient: 'nobody@naver.com', dropped: true } });
    expect(hop.summary.en).toContain('a bounce is never bounced');
    expect(b.local).toHaveLength(0);
    expect(lab.trace.events.filter((e) => e.kind === 'bounce' && e.status === 'bounced')).toHaveLength(0);
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
  });

  it('bounces a message with too many Received headers instead of relaying it (a mail loop)', async () => {
    const naver = await sink('Server');
    b = await startQueueHost(lab['Server-B']);
    const maxHops = lab['Server-B'].host.mail!.limits.maxHops;
    const looping = testLetter({ received: maxHops + 1 });
    expect(countReceived(looping)).toBe(maxHops + 1);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), looping);
    const [dsn] = await b.delivered(1);
    await b.runner.onIdle();
    expect(naver.messages).toHaveLength(0);
    expect(lab.trace.events.some((e) => e.kind === 'relay' && e.queueId === id)).toBe(false);
    const { status } = await readDsn(dsn.message);
    expect(status).toMatch(/^Status: 5\.4\.6$/m);
    expect(status).toContain(`Too many hops ${maxHops + 1} (${maxHops} max)`);
  });
});

describe('buildDsn', () => {
  it('writes a well-formed multipart/report that mailparser reads back', async () => {
    const original = Buffer.from('Subject: =?UTF-8?B?7JWI64WV?=\r\nFrom: kim@daum.net\r\n\r\nbody\r\n');
    const { message, messageId } = buildDsn({
      reportingMta: 'mail.daum.net',
      mailerDomain: 'daum.net',
      queueId: 'qTEST',
      envelope: envelopeFor(['a@naver.com']),
      original,
      arrivalDate: new Date('2024-03-01T09:00:00Z'),
      failures: [{ recipient: 'a@naver.com', status: '5.1.1', diagnostic: '550 5.1.1 <a@naver.com>... User unknown', remoteMta: 'mail.naver.com' }],
      now: new Date('2024-03-01T09:00:05Z'),
    });
    const { parsed, status, headers } = await readDsn(message);
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.date?.toISOString()).toBe('2024-03-01T09:00:05.000Z');
    expect(status).toContain('Arrival-Date: Fri, 01 Mar 2024 09:00:00 +0000');
    expect(status).toContain('Received-From-MTA: dns; winclient');
    expect(headers.trim()).toBe('Subject: =?UTF-8?B?7JWI64WV?=\r\nFrom: kim@daum.net');
    // every line within RFC 5322's 998 octets and CRLF-terminated
    const text = message.toString('latin1');
    expect(text.split('\r\n').every((l) => l.length <= 998 && !l.includes('\n'))).toBe(true);
  });
});
