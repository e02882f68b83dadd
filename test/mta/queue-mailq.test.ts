// mailq: a second process lists the queues from the spool folders and asks the running queue
// runner to flush (a flush.request file the runner watches).
import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLab, type Lab } from './lab-fixture.ts';
import { startDns, startSink, startQueueHost, testLetter, envelopeFor, type QueueHost } from './queue-fixture.ts';
import { readQueues, formatMailq, requestFlush } from '../../lab/mta/mailq.ts';
import { FLUSH_REQUEST } from '../../lab/mta/queue.ts';

const run = promisify(execFile);
const MAILQ = path.resolve(import.meta.dirname, '../../lab/mta/mailq.ts');

let lab: Lab;
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (stops.length) await stops.pop()!();
  await lab.cleanup();
});

async function deferredLetter(): Promise<{ host: QueueHost; id: string }> {
  lab = await createLab();
  const dns = await startDns(lab);
  stops.push(() => dns.close());
  // nothing listens at mail.naver.com yet: the letter waits in Server-B's queue
  const host = await startQueueHost(lab['Server-B'], { schedule: '1h' });
  stops.push(() => host.stop());
  const { id } = await host.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter());
  await lab.trace.waitFor((e) => e.kind === 'queue' && e.status === 'deferred' && e.queueId === id);
  return { host, id };
}

describe('mailq', () => {
  it('lists each server\'s queue: ID, size, age, sender, recipients, last error, next try', async () => {
    const { id } = await deferredLetter();
    const queues = await readQueues(lab.root);
    expect(queues.map((q) => q.host)).toEqual(['Server-B']);
    const [entry] = queues[0].entries;
    expect(entry).toMatchObject({ id, from: 'kim@daum.net', recipients: [{ address: 'lee@naver.com', status: 'deferred', attempts: 1 }] });
    const text = formatMailq(queues);
    expect(text).toContain(`${id} `);
    expect(text).toContain(String(entry.size));
    expect(text).toContain('<kim@daum.net>');
    expect(text).toContain('<lee@naver.com>');
    expect(text).toMatch(/\(Deferred: 421 4\.4\.1 Connection refused by mail\.naver\.com\. \[192\.168\.111\.100\]; next try in (59m\d*s?|1h); 1 attempt\)/);
    expect(text).toContain('Total requests: 1');

    // the same from another process, as a teacher would run it
    const { stdout } = await run(process.execPath, [MAILQ, '--data', lab.root]);
    expect(stdout).toContain(`${id} `);
    expect(stdout).toContain('Deferred: 421 4.4.1 Connection refused');
    const json = JSON.parse((await run(process.execPath, [MAILQ, '--data', lab.root, '--json', '--host', 'Server-B'])).stdout);
    expect(json[0].entries[0].id).toBe(id);
  });

  it('flushes: the running queue runner takes the request and retries at once', async () => {
    const { host, id } = await deferredLetter();
    const sink = await startSink(lab, 'Server'); // mail.naver.com is back
    stops.push(() => sink.close());
    expect(await requestFlush(host.queue.dir)).toBe(true);
    expect(existsSync(path.join(host.queue.dir, FLUSH_REQUEST))).toBe(false);
    await lab.trace.waitFor((e) => e.kind === 'relay' && e.status === 'ok' && e.queueId === id);
    await host.runner.onIdle();
    expect(sink.messages).toHaveLength(1);
    expect(lab.trace.events.some((e) => e.kind === 'queue' && e.detail?.flush === true)).toBe(true);
    expect(await fs.readdir(host.queue.dir)).toEqual([]);
  });

  it('flushes from the command line (mailq --flush) while the lab runs', async () => {
    const { host, id } = await deferredLetter();
    const sink = await startSink(lab, 'Server');
    stops.push(() => sink.close());
    const { stdout } = await run(process.execPath, [MAILQ, '--data', lab.root, '--flush', '--host', 'Server-B']);
    // mailq waits for the retry, then lists the queue as it is after it
    expect(stdout).toContain('Server-B: flushed; every letter was tried again');
    await lab.trace.waitFor((e) => e.kind === 'relay' && e.status === 'ok' && e.queueId === id);
    await host.runner.onIdle();
    expect(sink.messages).toHaveLength(1);
  });

  it('leaves a request nobody takes for the runner that starts next', async () => {
    const { host, id } = await deferredLetter();
    await host.stop();
    expect(await requestFlush(host.queue.dir, 50)).toBe(false);
    expect(existsSync(path.join(host.queue.dir, FLUSH_REQUEST))).toBe(true);

    const sink = await startSink(lab, 'Server');
    stops.push(() => sink.close());
    const next = await startQueueHost(lab['Server-B'], { schedule: '1h' });
    stops.push(() => next.stop());
    await lab.trace.waitFor((e) => e.kind === 'relay' && e.status === 'ok' && e.queueId === id);
    await next.runner.onIdle();
    expect(existsSync(path.join(host.queue.dir, FLUSH_REQUEST))).toBe(false);
    expect(sink.messages).toHaveLength(1);
  });
});
