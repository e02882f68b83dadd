// The queue runner delivering through the lab network to a real SMTP server (a sink), with the
// lab's own name server answering the MX lookups.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import { createLab, type Lab } from './lab-fixture.ts';
import { startDns, startSink, startQueueHost, testLetter, envelopeFor, type QueueHost } from './queue-fixture.ts';
import type { NameServer } from '../../lab/dns/name-server.ts';

let lab: Lab;
let dns: NameServer;
let b: QueueHost | undefined;

beforeEach(async () => {
  lab = await createLab();
  dns = await startDns(lab);
});

afterEach(async () => {
  await b?.stop();
  b = undefined;
  await dns.close();
  await lab.cleanup();
});

describe('queue runner: delivery', () => {
  it('relays a queued letter to the MX of its domain, through the lab network, and empties the queue', async () => {
    // what the trace had said when the message's first bytes reached the next hop
    let reportedWhenBodyCame: string[] | undefined;
    const sink = await startSink(lab, 'Server', { body: () => (reportedWhenBodyCame ??= lab.trace.events.map((e) => e.steps?.sendmail ?? '')) });
    b = await startQueueHost(lab['Server-B']);
    const letter = testLetter({ subject: 'first' });
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), letter);
    const [got] = await sink.received(1);
    await b.runner.onIdle();

    expect(got.from).toBe('kim@daum.net');
    expect(got.to).toEqual(['lee@naver.com']);
    expect(got.peer).toBe('Server-B'); // the receiving side sees our lab host
    expect(got.helo).toBe('mail.daum.net');
    expect(got.data.toString()).toContain('Subject: first');
    expect(await fs.readdir(b.queue.dir)).toEqual([]);

    const dnsHop = lab.trace.events.find((e) => e.kind === 'dns' && e.queueId === id)!;
    expect(dnsHop).toMatchObject({ from: 'Server-B', to: 'Server', status: 'ok', steps: { sendmail: '3' } });
    expect(dnsHop.detail).toMatchObject({ domain: 'naver.com', mx: [{ exchange: 'mail.naver.com', preference: 10 }], addresses: { 'mail.naver.com': ['192.168.111.100'] } });
    expect(dnsHop.transcript!.map((l) => l.line)).toContain('QUERY naver.com. IN MX');

    // step 4-5 is reported at the 354, before the message leaves: so before the far end can
    // write it and report 6-7, in whichever process or container it runs; the reply after it
    expect(reportedWhenBodyCame).toContain('4-5');
    const relay = lab.trace.events.find((e) => e.kind === 'relay' && e.queueId === id && e.steps)!;
    expect(relay).toMatchObject({ from: 'Server-B', to: 'Server', toAddress: '192.168.111.100', steps: { sendmail: '4-5' } });
    const outcome = lab.trace.events.find((e) => e.kind === 'relay' && e.queueId === id && e.status)!;
    expect(outcome).toMatchObject({ from: 'Server-B', to: 'Server', status: 'ok' });
    expect(outcome.steps).toBeUndefined();
    expect(outcome.seq).toBeGreaterThan(relay.seq);
    const lines = [...relay.transcript!, ...outcome.transcript!].map((l) => `${l.dir}: ${l.line}`);
    expect(lines).toContain('C: EHLO mail.daum.net');
    expect(lines[0]).toBe('S: 220 sink.test ESMTP');
    expect(lines).toContain('C: MAIL FROM:<kim@daum.net> BODY=8BITMIME');
    expect(lines).toContain(`C: <${letter.length} bytes of message>`);
    expect(lines).toContain('C: RCPT TO:<lee@naver.com>');
    expect(lines.some((l) => /^S: 250 2\.0\.0 Ok: queued as sink1/.test(l))).toBe(true);
    // the hops come in the seed's order: MX lookup (3) before the relay (4-5)
    expect(dnsHop.seq).toBeLessThan(relay.seq);
    expect(got.data.equals(letter)).toBe(true); // the message goes out as it was queued
  });

  it('sends the recipients of one domain in one SMTP transaction, and local recipients to the MDA', async () => {
    const sink = await startSink(lab, 'Server');
    b = await startQueueHost(lab['Server-B']);
    await b.queue.enqueue(envelopeFor(['lee@naver.com', 'park@naver.com', 'kim@daum.net']), testLetter());
    const [got] = await sink.received(1);
    await b.runner.onIdle();
    expect(got.to).toEqual(['lee@naver.com', 'park@naver.com']);
    expect(sink.messages).toHaveLength(1);
    expect(b.local.map((l) => l.recipient)).toEqual(['kim@daum.net']);
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
  });

  it('delivers many letters a few at a time and reuses its connections', async () => {
    const sink = await startSink(lab, 'Server');
    b = await startQueueHost(lab['Server-B'], { concurrency: 3 });
    const n = 30;
    await Promise.all(Array.from({ length: n }, (_, i) => b!.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter({ subject: `letter ${i}` }))));
    await sink.received(n);
    await b.runner.onIdle();
    const subjects = new Set(sink.messages.map((m) => /Subject: (.*)\r\n/.exec(m.data.toString())![1]));
    expect(subjects.size).toBe(n);
    // bounded: never more connections than deliveries at once; most transactions reuse one
    expect(sink.connections).toBeLessThanOrEqual(3);
    const reused = lab.trace.events.filter((e) => e.kind === 'relay' && e.detail?.reused === true);
    expect(reused.length).toBeGreaterThanOrEqual(n - 3);
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
  });
});
