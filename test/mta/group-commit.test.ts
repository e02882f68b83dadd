// Group commit (issue 12): letters arriving together share the folder fsyncs of the queue and of
// the Maildir, and share the MX answer; none of it may weaken "250 means on disk".
import { describe, it, expect, afterEach, vi } from 'vitest';
import nodeFs from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { FolderSync } from '../../lab/mailbox/folder-sync.ts';
import { MailStore } from '../../lab/mailbox/mail-store.ts';
import { Queue } from '../../lab/mta/queue.ts';
import { MxCache, type MxHost } from '../../lab/mta/mx-lookup.ts';
import { createLab, type Lab } from './lab-fixture.ts';
import { startDns, startSink, startQueueHost, testLetter, envelopeFor, type QueueHost, type Sink } from './queue-fixture.ts';
import type { NameServer } from '../../lab/dns/name-server.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-group-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  while (dirs.length) await fs.rm(dirs.pop()!, { recursive: true, force: true });
});

/** An fsync the test finishes by hand, in the order it likes. */
function manualFsync() {
  const calls: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const fsync = () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, fsync };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('FolderSync: one folder fsync for every writer that asked before it started', () => {
  it('a writer that asks while an fsync runs waits for the next one, which the others share', async () => {
    const { calls, fsync } = manualFsync();
    const sync = new FolderSync('/nowhere', fsync);
    const done: string[] = [];
    const first = sync.sync().then(() => done.push('first'));
    await turn();
    expect(calls).toHaveLength(1);
    // three writers renamed while the first fsync runs: it may not cover them
    const later = ['a', 'b', 'c'].map((w) => sync.sync().then(() => done.push(w)));
    expect(calls).toHaveLength(1);
    calls[0].resolve();
    await first;
    await turn();
    expect(done).toEqual(['first']);
    // the second fsync started after all three asked: one fsync for the three
    expect(calls).toHaveLength(2);
    calls[1].resolve();
    await Promise.all(later);
    expect(done).toEqual(['first', 'a', 'b', 'c']);
    expect(sync.started).toBe(2);
  });

  it('writers that ask in the same turn of the event loop share one fsync, started at the end of that turn', async () => {
    const { calls, fsync } = manualFsync();
    const sync = new FolderSync('/nowhere', fsync);
    const done: string[] = [];
    const asked = ['a', 'b', 'c'].map((w) => sync.sync().then(() => done.push(w)));
    expect(calls).toHaveLength(0);
    await turn();
    expect(calls).toHaveLength(1);
    expect(done).toEqual([]);
    calls[0].resolve();
    await Promise.all(asked);
    expect(done).toEqual(['a', 'b', 'c']);
    expect(sync.started).toBe(1);
  });

  it('a failed fsync fails every writer that waited for it, and the next writer gets a fresh one', async () => {
    const { calls, fsync } = manualFsync();
    const sync = new FolderSync('/nowhere', fsync);
    const one = sync.sync();
    await turn();
    const two = sync.sync();
    calls[0].resolve();
    await one;
    await turn();
    calls[1].reject(new Error('EIO'));
    await expect(two).rejects.toThrow('EIO');
    const three = sync.sync();
    await turn();
    expect(calls).toHaveLength(3);
    calls[2].resolve();
    await expect(three).resolves.toBeUndefined();
  });
});

describe('FolderSync keeps its folder open between fsyncs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('three fsyncs in a row open the folder once; a second with no ask closes it, and the next ask opens it again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = await tempDir();
    const opens = vi.spyOn(nodeFs, 'openSync');
    const closes = vi.spyOn(nodeFs, 'closeSync');
    const sync = new FolderSync(dir);
    await sync.sync();
    await sync.sync();
    await sync.sync();
    expect(sync.started).toBe(3);
    expect(opens.mock.calls.filter(([p]) => p === dir)).toHaveLength(1);
    const fd = opens.mock.results[0].value as number;
    expect(closes.mock.calls.filter(([f]) => f === fd)).toHaveLength(0);
    // asked within the last second: still open after the first check
    vi.advanceTimersByTime(1000);
    expect(closes.mock.calls.filter(([f]) => f === fd)).toHaveLength(0);
    vi.advanceTimersByTime(1000);
    expect(closes.mock.calls.filter(([f]) => f === fd)).toHaveLength(1);
    await sync.sync();
    expect(opens.mock.calls.filter(([p]) => p === dir)).toHaveLength(2);
    sync.close();
    expect(closes).toHaveBeenCalledTimes(2);
  });

  it('close() while an fsync runs closes the folder once that fsync is done', async () => {
    const dir = await tempDir();
    const opens = vi.spyOn(nodeFs, 'openSync');
    const closes = vi.spyOn(nodeFs, 'closeSync');
    const sync = new FolderSync(dir);
    const running = sync.sync();
    await turn(); // the fsync has started (at the end of the turn it was asked in)
    sync.close();
    const fd = opens.mock.results[0].value as number;
    await running;
    await turn();
    expect(closes.mock.calls.filter(([f]) => f === fd)).toHaveLength(1);
  });

  it('a folder that is not there fails the writers that asked, and one made later is opened by the next ask', async () => {
    const dir = path.join(await tempDir(), 'later');
    const sync = new FolderSync(dir);
    await expect(sync.sync()).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.mkdir(dir);
    await expect(sync.sync()).resolves.toBeUndefined();
    sync.close();
  });

  it('a Maildir removed by hand between two deliveries: the second makes it again and fsyncs the new new/, not the one removed', async () => {
    const store = new MailStore(await tempDir());
    await store.deliver('lee', testLetter({ subject: 'one' }));
    await fs.rm(store.userDir('lee'), { recursive: true });
    const opens = vi.spyOn(nodeFs, 'openSync');
    const { file } = await store.deliver('lee', testLetter({ subject: 'two' }));
    expect(await fs.readFile(file, 'utf8')).toContain('Subject: two');
    expect(opens.mock.calls.filter(([p]) => p === path.join(store.userDir('lee'), 'new'))).toHaveLength(1);
  });
});

describe('the queue and the Maildir under concurrent writers', () => {
  it('40 letters queued at once: each enqueue resolves with both files on disk, a fresh load finds all 40, no temporary file left', async () => {
    const dir = path.join(await tempDir(), 'queue');
    const queue = new Queue(dir, { hostname: 'mail.daum.net' });
    const letters = Array.from({ length: 40 }, (_, i) => testLetter({ subject: `together ${i}` }));
    const ids = await Promise.all(letters.map(async (letter) => {
      const { id, files } = await queue.enqueue(envelopeFor(['lee@naver.com']), letter);
      // at the moment the listener would answer 250: both files are there, whole
      expect((await fs.readFile(files[0])).equals(letter)).toBe(true);
      expect(JSON.parse(await fs.readFile(files[1], 'utf8')).id).toBe(id);
      return id;
    }));
    // the folder fsyncs were shared: never more than one per letter (and one always ran)
    expect(queue.folder.started).toBeGreaterThan(0);
    expect(queue.folder.started).toBeLessThanOrEqual(40);
    const names = await fs.readdir(dir);
    expect(names.filter((n) => n.startsWith('tf'))).toEqual([]);
    const { entries, problems } = await new Queue(dir).load();
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.id).sort()).toEqual([...ids].sort());
  });

  it('an ID in use is refused without touching the letter that has it', async () => {
    const dir = path.join(await tempDir(), 'queue');
    const queue = new Queue(dir);
    const { id, files } = await queue.enqueue(envelopeFor(['lee@naver.com']), testLetter({ subject: 'first' }));
    await expect(queue.enqueue(envelopeFor(['lee@naver.com']), testLetter({ subject: 'second' }), id)).rejects.toThrow(/in use/);
    expect((await fs.readFile(files[0], 'utf8'))).toContain('Subject: first');
    expect((await fs.readdir(dir)).sort()).toEqual([`df${id}`, `qf${id}`]);
  });

  it('40 deliveries into one Maildir at once: each resolves with its file in new/, whole; tmp/ is empty', async () => {
    const store = new MailStore(await tempDir());
    const letters = Array.from({ length: 40 }, (_, i) => testLetter({ subject: `maildir ${i}` }));
    const files = await Promise.all(letters.map(async (letter) => {
      const { file } = await store.deliver('lee', letter);
      expect((await fs.readFile(file)).equals(letter)).toBe(true);
      return file;
    }));
    expect(new Set(files).size).toBe(40);
    expect(await fs.readdir(path.join(store.userDir('lee'), 'new'))).toHaveLength(40);
    expect(await fs.readdir(path.join(store.userDir('lee'), 'tmp'))).toEqual([]);
  });
});

describe('MX answers shared by letters queued together', () => {
  const hosts: MxHost[] = [{ exchange: 'mail.naver.com', preference: 10, addresses: ['192.168.111.100'] }];
  const answer = (ttl: number) => Promise.resolve({ hosts, log: [], ttl });

  it('keeps a good answer at most SHARE_MS and never past its TTL; a failure is not kept', async () => {
    const cache = new MxCache();
    cache.put('naver.com', 1000, answer(10800));
    await turn();
    expect(cache.take('naver.com', 1000 + MxCache.SHARE_MS - 1)).toBeDefined();
    expect(cache.take('naver.com', 1000 + MxCache.SHARE_MS)).toBeUndefined();
    cache.put('short.test', 1000, answer(0.2));
    await turn();
    expect(cache.take('short.test', 1150)).toBeDefined();
    expect(cache.take('short.test', 1200)).toBeUndefined();
    cache.put('fails.test', 1000, Promise.reject(new Error('SERVFAIL')));
    expect(cache.take('fails.test', 1000)).toBeDefined(); // joined while under way
    await turn();
    expect(cache.take('fails.test', 1001)).toBeUndefined();
  });

  describe('in the queue runner', () => {
    let lab: Lab;
    let dns: NameServer;
    let b: QueueHost | undefined;
    let sink: Sink | undefined;
    afterEach(async () => {
      await b?.stop();
      await sink?.close();
      await dns.close();
      await lab.cleanup();
    });

    it('letters queued together ask the name server once; every letter still has its DNS hop, saying where its answer came from', async () => {
      lab = await createLab();
      dns = await startDns(lab);
      sink = await startSink(lab, 'Server');
      b = await startQueueHost(lab['Server-B']);
      const n = 6;
      const ids = (await Promise.all(Array.from({ length: n }, (_, i) => b!.queue.enqueue(envelopeFor(['lee@naver.com']), testLetter({ subject: `mx ${i}` }))))).map((r) => r.id);
      await sink.received(n);
      await b.runner.onIdle();
      const hops = ids.map((id) => lab.trace.events.filter((e) => e.kind === 'dns' && e.queueId === id));
      expect(hops.every((h) => h.length === 1 && h[0].status === 'ok')).toBe(true);
      const asked = hops.filter((h) => !h[0].detail?.cached);
      const cached = hops.filter((h) => h[0].detail?.cached);
      expect(asked).toHaveLength(1);
      expect(asked[0][0].to).toBe('Server');
      expect(cached).toHaveLength(n - 1);
      for (const [hop] of cached) {
        expect(hop.to).toBe('Server-B');
        expect(hop.summary.en).toMatch(/From the resolver's cache/);
        expect(hop.transcript?.[0].line).toMatch(/naver\.com\. IN MX/);
      }
    });
  });
});
