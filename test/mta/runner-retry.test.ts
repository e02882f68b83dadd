// Deferrals: 4xx replies, refused connections, a server that never greets, name server failures
// and time-outs keep the letter in the queue; the runner retries on the schedule and delivers
// once the trouble is gone.
import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import net from 'node:net';
import { once } from 'node:events';
import { createLab, type Lab } from './lab-fixture.ts';
import { StubResolver } from '../../lab/net/resolver.ts';
import { startDns, startBrokenDns, startSink, startQueueHost, testLetter, envelopeFor, type QueueHost } from './queue-fixture.ts';
import type { HopEvent } from '../../lab/trace/hop-event.ts';

let lab: Lab;
let b: QueueHost | undefined;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await b?.stop();
  b = undefined;
  while (closers.length) await closers.pop()!();
  await lab.cleanup();
});

const deferredFor = (id: string) => (e: HopEvent) => e.kind === 'queue' && e.status === 'deferred' && e.queueId === id;
const relayedOk = (id: string) => (e: HopEvent) => e.kind === 'relay' && e.status === 'ok' && e.queueId === id;

describe('queue runner: deferral and retry', () => {
  it('defers on a 4xx reply and delivers on the retry', async () => {
    lab = await createLab();
    const dns = await startDns(lab);
    closers.push(() => dns.close());
    // the first RCPT gets 451, later ones are taken
    const sink = await startSink(lab, 'Server', { rcpt: (_a, n) => (n === 1 ? '451 4.3.0 Mailbox busy, try again later' : undefined) });
    b = await startQueueHost(lab['Server-B'], { schedule: '20ms*3' });
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());

    const deferred = await lab.trace.waitFor(deferredFor(id));
    expect(deferred.summary.en).toContain('451 4.3.0 Mailbox busy');
    await lab.trace.waitFor(relayedOk(id));
    await b.runner.onIdle();
    expect(sink.messages).toHaveLength(1);
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
    const relays = lab.trace.events.filter((e) => e.kind === 'relay' && e.queueId === id && e.status);
    expect(relays.map((e) => e.status)).toEqual(['deferred', 'ok']);
  });

  it('keeps per-recipient state: the recipient that was taken is not sent again', async () => {
    lab = await createLab();
    const dns = await startDns(lab);
    closers.push(() => dns.close());
    let busy = true;
    const sink = await startSink(lab, 'Server', { rcpt: (a) => (a === 'park@naver.com' && busy ? '450 4.2.1 park is busy' : undefined) });
    b = await startQueueHost(lab['Server-B'], { schedule: '1h' });
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com', 'park@naver.com']), testLetter());
    await lab.trace.waitFor(deferredFor(id));
    await b.runner.onIdle();
    const control = await b.queue.read(id);
    expect(control.recipients).toMatchObject([
      { address: 'lee@naver.com', status: 'delivered', attempts: 1 },
      { address: 'park@naver.com', status: 'deferred', attempts: 1, lastError: '450 4.2.1 park is busy' },
    ]);
    expect(control.recipients[1].nextTry).toBeGreaterThan(Date.now() + 30 * 60_000);

    busy = false;
    b.runner.flush();
    await lab.trace.waitFor(relayedOk(id));
    await b.runner.onIdle();
    expect(sink.messages.map((m) => m.to)).toEqual([['lee@naver.com'], ['park@naver.com']]);
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
  });

  it('defers while the next server refuses connections and delivers when it listens again on its port', async () => {
    lab = await createLab();
    const dns = await startDns(lab);
    closers.push(() => dns.close());
    const sink = await startSink(lab, 'Server');
    b = await startQueueHost(lab['Server-B'], { schedule: '30ms*200' });
    const first = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter({ subject: 'before' }));
    await lab.trace.waitFor(relayedOk(first.id));
    await b.runner.onIdle();

    await sink.close(); // Server's MTA is down: its port refuses connections
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter({ subject: 'while down' }));
    const deferred = await lab.trace.waitFor(deferredFor(id));
    expect(deferred.summary.en).toMatch(/Connection refused by mail\.naver\.com\. \[192\.168\.111\.100\]/);
    const listed = await b.queue.list();
    expect(listed.map((e) => e.id)).toEqual([id]);
    expect(listed[0].recipients[0]).toMatchObject({ status: 'deferred', lastError: expect.stringContaining('Connection refused') });

    await sink.listen(sink.port); // back, on the same port
    lab.net.bind('Server', 'smtp', sink.port);
    await lab.trace.waitFor(relayedOk(id));
    await b.runner.onIdle();
    expect(sink.messages.map((m) => /Subject: (.*)/.exec(m.data.toString())![1].trim())).toEqual(['before', 'while down']);
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
    closers.push(() => sink.close());
  });

  it('defers when the link to the next server is down and delivers when it is up', async () => {
    lab = await createLab();
    const dns = await startDns(lab);
    closers.push(() => dns.close());
    const sink = await startSink(lab, 'Server');
    closers.push(() => sink.close());
    b = await startQueueHost(lab['Server-B'], { schedule: '30ms*200' });
    lab.net.setLinkDown('Server-B', 'Server', true);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());
    const deferred = await lab.trace.waitFor(deferredFor(id));
    // the name server is Server too: the lookup cannot reach it either
    expect(deferred.summary.en).toContain('Host name lookup failure');
    lab.net.setLinkDown('Server-B', 'Server', false);
    await lab.trace.waitFor(relayedOk(id));
    await b.runner.onIdle();
    expect(sink.messages).toHaveLength(1);
  });

  it('defers when the server never sends its greeting (time-out)', async () => {
    lab = await createLab();
    const dns = await startDns(lab);
    closers.push(() => dns.close());
    // accepts the TCP connection and says nothing
    const silent = net.createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    closers.push(() => new Promise<void>((resolve) => {
      silent.close(() => resolve());
      silent.getConnections(() => undefined);
    }));
    const held: net.Socket[] = [];
    silent.on('connection', (s) => held.push(s));
    closers.push(async () => held.forEach((s) => s.destroy()));
    lab.net.bind('Server', 'smtp', (silent.address() as net.AddressInfo).port);
    b = await startQueueHost(lab['Server-B'], { schedule: '1h', relay: { greetingTimeout: 100, idleMs: 100 } });
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());
    const deferred = await lab.trace.waitFor(deferredFor(id));
    expect(deferred.summary.en).toMatch(/time/i);
    const control = await b.queue.read(id);
    expect(control.recipients[0]).toMatchObject({ status: 'deferred', attempts: 1 });
  });

  it('defers on a name server failure (SERVFAIL) and delivers once the name server answers', async () => {
    lab = await createLab();
    const broken = await startBrokenDns(lab, 'servfail');
    const sink = await startSink(lab, 'Server');
    closers.push(() => sink.close());
    b = await startQueueHost(lab['Server-B'], { schedule: '30ms*200' });
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());
    const deferred = await lab.trace.waitFor(deferredFor(id));
    expect(deferred.summary.en).toContain('451 4.4.3 naver.com: Host name lookup failure (SERVFAIL');
    const dnsHop = lab.trace.events.find((e) => e.kind === 'dns' && e.queueId === id)!;
    expect(dnsHop.status).toBe('deferred');
    expect(dnsHop.transcript!.map((l) => l.line)).toContain('SERVFAIL');

    await broken.close();
    const dns = await startDns(lab); // the real name server takes over Server:53
    closers.push(() => dns.close());
    await lab.trace.waitFor(relayedOk(id));
    await b.runner.onIdle();
    expect(sink.messages).toHaveLength(1);
  });

  it('defers when the name server does not answer (time-out)', async () => {
    lab = await createLab({
      resolver: (host, labNet, trace) => new StubResolver({ net: labNet, from: host.name, nameServer: host.resolver ?? 'Server', trace, timeoutMs: 40 }),
    });
    const silent = await startBrokenDns(lab, 'silent');
    closers.push(() => silent.close());
    b = await startQueueHost(lab['Server-B'], { schedule: '1h' });
    const { id } = await b.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());
    const deferred = await lab.trace.waitFor(deferredFor(id));
    expect(deferred.summary.en).toContain('Host name lookup failure (TIMEOUT');
    await b.runner.onIdle();
    expect((await b.queue.read(id)).recipients[0]).toMatchObject({ status: 'deferred', attempts: 1 });
  });
});

