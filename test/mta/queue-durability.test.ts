// The spool on disk: what enqueue() leaves behind when it resolves, what a restart picks up, and
// what load() does with the leftovers of a crash.
import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createLab, type Lab } from './lab-fixture.ts';
import { startDns, startSink, startQueueHost, testLetter, envelopeFor, type QueueHost } from './queue-fixture.ts';
import { Queue, type QueueControl } from '../../lab/mta/queue.ts';
import { newQueueId, isQueueId } from '../../lab/mta/queue-id.ts';

let lab: Lab;
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (stops.length) await stops.pop()!();
  await lab?.cleanup();
});

async function queueHost(options = {}): Promise<QueueHost> {
  const host = await startQueueHost(lab['Server-B'], options);
  stops.push(() => host.stop());
  return host;
}

describe('queue: enqueue', () => {
  it('has both files on disk, named by the queue ID, when enqueue resolves', async () => {
    lab = await createLab();
    const queue = new Queue(path.join(lab['Server-B'].dataDir, 'queue'), { hostname: 'mail.daum.net' });
    const seen: QueueControl[] = [];
    queue.on('enqueued', (c) => seen.push(c));
    const letter = testLetter();
    const { id, files } = await queue.enqueue(envelopeFor(['lee@naver.com', 'park@naver.com']), letter);

    expect(isQueueId(id)).toBe(true);
    expect(files).toEqual([path.join(queue.dir, `df${id}`), path.join(queue.dir, `qf${id}`)]);
    expect((await fs.readdir(queue.dir)).sort()).toEqual([`df${id}`, `qf${id}`]); // no temporary files left
    expect((await fs.readFile(files[0])).equals(letter)).toBe(true);
    const control = JSON.parse(await fs.readFile(files[1], 'utf8')) as QueueControl;
    expect(control).toMatchObject({
      format: 'mail-lab-qf/1',
      id,
      hostname: 'mail.daum.net',
      size: letter.length,
      envelope: { from: 'kim@daum.net', recipients: ['lee@naver.com', 'park@naver.com'], receivedFrom: { host: 'WinClient', address: '192.168.111.132' } },
      recipients: [
        { address: 'lee@naver.com', status: 'pending', attempts: 0 },
        { address: 'park@naver.com', status: 'pending', attempts: 0 },
      ],
    });
    expect(Math.abs(control.created - Date.now())).toBeLessThan(60_000);
    expect(seen.map((c) => c.id)).toEqual([id]);
  });

  it('keeps, for the runner, a copy of a small letter of its own, not a slice of Node\'s shared pool that would keep the whole slab alive', async () => {
    lab = await createLab();
    const queue = new Queue(path.join(lab['Server-B'].dataDir, 'queue'));
    const kept: Buffer[] = [];
    queue.on('enqueued', (_c, message) => kept.push(message));
    const letter = Buffer.concat([testLetter(), Buffer.from('\r\n')]); // a few KB: a slice of the 8 KB pool
    expect(letter.buffer.byteLength).toBeGreaterThan(letter.length);
    await queue.enqueue(envelopeFor(['lee@naver.com']), letter);
    expect(kept[0].equals(letter)).toBe(true);
    expect(kept[0].buffer.byteLength).toBe(letter.length);
  });

  it('takes the queue ID the listener chose (it is in the Received header already), and refuses a bad or used one', async () => {
    lab = await createLab();
    const queue = new Queue(path.join(lab['Server-B'].dataDir, 'queue'));
    const id = queue.newId();
    expect((await queue.enqueue(envelopeFor(['lee@naver.com']), testLetter(), id)).id).toBe(id);
    await expect(queue.enqueue(envelopeFor(['lee@naver.com']), testLetter(), id)).rejects.toThrow(/exists already/);
    await expect(queue.enqueue(envelopeFor(['lee@naver.com']), testLetter(), '../etc/passwd')).rejects.toThrow(/not a queue ID/);
    await expect(queue.enqueue(envelopeFor([]), testLetter())).rejects.toThrow(/no recipients/);
    expect(queue.newId()).not.toBe(id);
  });

  it('gives queue IDs that are unique and shaped like sendmail\'s', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) ids.add(newQueueId());
    expect(ids.size).toBe(20_000);
    for (const id of [...ids].slice(0, 50)) expect(id).toMatch(/^q[0-9A-Za-x]{12}$/);
    // another process (another pid) in the same second gets other IDs
    const now = Date.now();
    expect(newQueueId(now, 4242)).not.toBe(newQueueId(now, 4243));
  });
});

describe('queue: restart', () => {
  it('a fresh Queue and runner on the same folder deliver what an earlier one accepted', async () => {
    lab = await createLab();
    const dir = path.join(lab['Server-B'].dataDir, 'queue');
    const before = new Queue(dir); // accepted, then the process "died" before any delivery
    const a = await before.enqueue(envelopeFor(['lee@naver.com']), testLetter({ subject: 'one' }));
    const b = await before.enqueue(envelopeFor(['lee@naver.com', 'kim@daum.net']), testLetter({ subject: 'two' }));

    const dns = await startDns(lab);
    stops.push(() => dns.close());
    const sink = await startSink(lab, 'Server');
    stops.push(() => sink.close());
    const host = await queueHost();
    await sink.received(2);
    await host.runner.onIdle();
    const reloaded = lab.trace.events.find((e) => e.kind === 'queue' && e.detail?.reloaded)!;
    expect((reloaded.detail!.reloaded as string[]).sort()).toEqual([a.id, b.id].sort());
    expect(sink.messages.map((m) => /Subject: (\w+)/.exec(m.data.toString())![1]).sort()).toEqual(['one', 'two']);
    expect(host.local.map((l) => l.recipient)).toEqual(['kim@daum.net']);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('keeps each recipient\'s state across a restart', async () => {
    lab = await createLab();
    const dns = await startDns(lab);
    stops.push(() => dns.close());
    let open = false;
    const sink = await startSink(lab, 'Server', { rcpt: (a: string) => (a === 'park@naver.com' && !open ? '452 4.2.2 Mailbox full' : undefined) });
    stops.push(() => sink.close());
    const first = await startQueueHost(lab['Server-B'], { schedule: '1h' });
    const { id } = await first.queue.enqueue(envelopeFor(['lee@naver.com', 'park@naver.com']), testLetter());
    await lab.trace.waitFor((e) => e.kind === 'queue' && e.status === 'deferred' && e.queueId === id);
    await first.stop();

    const onDisk = JSON.parse(await fs.readFile(first.queue.controlFile(id), 'utf8')) as QueueControl;
    expect(onDisk.recipients).toMatchObject([
      { address: 'lee@naver.com', status: 'delivered', attempts: 1 },
      { address: 'park@naver.com', status: 'deferred', attempts: 1, lastError: '452 4.2.2 Mailbox full' },
    ]);

    open = true;
    const second = await queueHost({ schedule: '1h' });
    await second.runner.onIdle();
    expect(sink.messages).toHaveLength(1); // park's next try is an hour away: nothing yet
    second.runner.flush();
    await sink.received(2);
    await second.runner.onIdle();
    expect(sink.messages.map((m) => m.to)).toEqual([['lee@naver.com'], ['park@naver.com']]); // lee not twice
    expect(await fs.readdir(second.queue.dir)).toEqual([]);
  });

  it('puts right what a crash left: temporary files, orphan data files, control files without data or with a data file cut short', async () => {
    lab = await createLab();
    const dir = path.join(lab['Server-B'].dataDir, 'queue');
    const queue = new Queue(dir);
    const good = await queue.enqueue(envelopeFor(['kim@daum.net']), testLetter({ subject: 'good' }));
    const lost = await queue.enqueue(envelopeFor(['kim@daum.net']), testLetter({ subject: 'lost' }));
    await fs.rm(queue.dataFile(lost.id)); // its data file is gone
    const cut = await queue.enqueue(envelopeFor(['kim@daum.net']), testLetter({ subject: 'cut' }));
    await fs.truncate(queue.dataFile(cut.id), 10); // a power cut before its fsyncs were done
    const torn = queue.newId();
    await fs.writeFile(path.join(dir, `qf${torn}`), '{"format":"mail-lab-qf/1","id":'); // unreadable
    await fs.writeFile(path.join(dir, `df${torn}`), 'x');
    await fs.writeFile(path.join(dir, 'dfqORPHAN0001'), 'accepted by nobody'); // data without control
    await fs.writeFile(path.join(dir, 'tdqHALF0001.1234'), 'half a data file');
    await fs.writeFile(path.join(dir, 'tfqHALF0002.5678'), '{"half":');

    const host = await queueHost();
    await host.delivered(1);
    await host.runner.onIdle();
    expect(/Subject: (\w+)/.exec(host.local[0].message.toString())![1]).toBe('good');
    expect((await fs.readdir(dir)).sort()).toEqual([`Qf${lost.id}`, `Qf${torn}`, `df${torn}`, `Qf${cut.id}`, `df${cut.id}`].sort());
    const problems = lab.trace.events.filter((e) => e.kind === 'queue' && e.detail?.problem).map((e) => e.detail!.problem as string);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringContaining(`set qf${lost.id} aside`),
      expect.stringContaining(`set qf${torn} aside as Qf${torn}: the control file is not valid JSON`),
      expect.stringMatching(new RegExp(`set qf${cut.id} aside as Qf${cut.id}: its data file df${cut.id} holds 10 of the letter's \\d+ bytes`)),
      expect.stringContaining('removed dfqORPHAN0001'),
      expect.stringContaining('removed tdqHALF0001.1234'),
      expect.stringContaining('removed tfqHALF0002.5678'),
    ]));
    expect(good.id).not.toBe(lost.id);
  });
});
