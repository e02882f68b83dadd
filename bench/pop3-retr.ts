// Issue 4's POP3 figure: RETR of all 5,000 messages (about 2.4 KB each) over one session, and
// the server's memory. The lab's own figures only: the ratio to Dovecot 2.3 comes from
// ../shared/bench/side-by-side (the same raw client against both, in one run), not from a
// figure written down here.
//
//   node bench/pop3-retr.ts            (alone)
//   import { benchPop3Retr } ...       (from bench/run.ts)
//
// The server runs in a child process of its own so that its memory is its own; the client is
// lab/client/pop3-client.ts in this process, over loopback.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fillMaildir } from './bench-maildir.ts';
import { benchServerContext, sampleRss } from './bench-server.ts';
import { startPop3Server } from '../lab/pop3/pop3-server.ts';
import { Pop3Client } from '../lab/client/pop3-client.ts';

const HERE = fileURLToPath(import.meta.url);
const CHILD_FLAG = '--pop3-server-child';

export interface Pop3RetrOptions {
  messages?: number;
  /** about this many octets per message */
  size?: number;
  /** pipelined RETRs per window in the extra pipelined run */
  window?: number;
}

interface ServerMemory {
  rss: number;
  heapUsed: number;
  peakRss: number;
  events: number;
  /** after a full GC, with the trace's events kept and then with them dropped */
  heapAfterGc?: number;
  heapAfterGcNoTrace?: number;
}
type ChildMessage = { port: number } | { memory: ServerMemory };

/** The server side, in its own process: Server of the classroom topology, trace on. */
async function serveChild(dataDir: string): Promise<void> {
  const { ctx, net: labNet, trace } = benchServerContext(dataDir);
  const service = await startPop3Server(ctx, { port: 0 });
  labNet.bind('Server', 'pop3', service.port);
  const sampled = sampleRss();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: string) => {
    if (m === 'memory' || m === 'memory-final') {
      const { rss, heapUsed } = process.memoryUsage();
      const memory: ServerMemory = { rss, heapUsed, peakRss: sampled.peak(), events: trace.events.length };
      if (m === 'memory-final' && gc) {
        // What the server itself keeps, apart from the trace (which holds every hop by design).
        gc();
        memory.heapAfterGc = process.memoryUsage().heapUsed;
        trace.events.length = 0;
        gc();
        memory.heapAfterGcNoTrace = process.memoryUsage().heapUsed;
      }
      process.send!({ memory } satisfies ChildMessage);
    } else if (m === 'stop') {
      sampled.stop();
      void service.close().then(() => process.exit(0));
    }
  });
  process.send!({ port: service.port } satisfies ChildMessage);
}

function ask(child: ChildProcess, what: string): Promise<ChildMessage> {
  return new Promise((resolve) => {
    child.once('message', (m: ChildMessage) => resolve(m));
    child.send(what);
  });
}

async function session(port: number): Promise<Pop3Client> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const client = new Pop3Client(socket, { timeoutMs: 120_000 });
  await client.greeting();
  return client;
}

/** RETR 1..n one at a time: each command waits for the answer before the next (a plain mail client). */
async function retrSequential(client: Pop3Client, count: number): Promise<number> {
  let octets = 0;
  for (let n = 1; n <= count; n++) octets += (await client.retr(n)).length;
  return octets;
}

/** RETR 1..n in pipelined windows (RFC 2449 PIPELINING). */
async function retrPipelined(client: Pop3Client, count: number, window: number): Promise<number> {
  let octets = 0;
  for (let n = 1; n <= count; n += window) {
    const commands = Array.from({ length: Math.min(window, count - n + 1) }, (_, k) => ({ line: `RETR ${n + k}`, expect: 'multi' as const }));
    for (const answer of await Promise.all(client.pipeline(commands))) octets += answer.data!.length;
  }
  return octets;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function benchPop3Retr(options: Pop3RetrOptions = {}): Promise<Record<string, number>> {
  const messages = options.messages ?? 5000;
  const size = options.size ?? 2400;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-bench-pop3-'));
  const dataDir = path.join(root, 'Server');
  const child = fork(HERE, [CHILD_FLAG, dataDir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const onDisk = await fillMaildir(path.join(dataDir, 'mail', 'lee'), messages, size, { dotLines: true });
    const ready = (await new Promise<ChildMessage>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the POP3 server process ended (${code})`)));
    })) as { port: number };
    const idle = ((await ask(child, 'memory')) as { memory: { rss: number } }).memory;

    // Session 1, cold: the login sizes every file; each RETR moves its file new/ -> cur/ (:2,S).
    const c1 = await session(ready.port);
    let t0 = performance.now();
    await c1.login('lee', '1234');
    const loginCold = performance.now() - t0;
    const stat = await c1.stat();
    if (stat.count !== messages) throw new Error(`STAT says ${stat.count} messages, expected ${messages}`);
    t0 = performance.now();
    const got1 = await retrSequential(c1, messages);
    const retrCold = performance.now() - t0;
    if (got1 !== stat.size) throw new Error(`received ${got1} octets, STAT said ${stat.size}`);
    await c1.quit();
    await once(c1.socket, 'close');

    // Session 2, warm: sizes known, files already in cur/.
    const c2 = await session(ready.port);
    t0 = performance.now();
    await c2.login('lee', '1234');
    const loginWarm = performance.now() - t0;
    t0 = performance.now();
    const got2 = await retrSequential(c2, messages);
    const retrWarm = performance.now() - t0;
    if (got2 !== stat.size) throw new Error(`received ${got2} octets in session 2, expected ${stat.size}`);
    await c2.quit();
    await once(c2.socket, 'close');

    // Session 3: the same with pipelined RETRs.
    const c3 = await session(ready.port);
    await c3.login('lee', '1234');
    t0 = performance.now();
    const got3 = await retrPipelined(c3, messages, options.window ?? 100);
    const retrPipelinedMs = performance.now() - t0;
    if (got3 !== stat.size) throw new Error(`received ${got3} octets pipelined, expected ${stat.size}`);
    await c3.quit();
    await once(c3.socket, 'close');

    const after = ((await ask(child, 'memory-final')) as { memory: ServerMemory }).memory;
    return {
      messages,
      mailboxMiB: mib(onDisk),
      loginColdMs: Math.round(loginCold),
      retrAllColdMs: Math.round(retrCold),
      loginWarmMs: Math.round(loginWarm),
      retrAllWarmMs: Math.round(retrWarm),
      retrAllPipelinedMs: Math.round(retrPipelinedMs),
      serverRssIdleMiB: mib(idle.rss),
      serverRssPeakMiB: mib(after.peakRss),
      serverRssAfterMiB: mib(after.rss),
      serverHeapAfterMiB: mib(after.heapUsed),
      serverHeapAfterGcMiB: mib(after.heapAfterGc ?? NaN),
      serverHeapAfterGcNoTraceMiB: mib(after.heapAfterGcNoTrace ?? NaN),
      traceEvents: after.events,
    };
  } finally {
    child.send('stop');
    await once(child, 'exit').catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  }
}

export function printPop3Retr(r: Record<string, number>): void {
  console.log(`POP3 RETR of all ${r.messages} messages (${r.mailboxMiB} MiB), one session, over loopback`);
  console.log(`  login (sizing the maildrop): cold ${r.loginColdMs} ms, warm ${r.loginWarmMs} ms`);
  console.log(`  RETR 1..${r.messages} one at a time, cold (new/ -> cur/): ${r.retrAllColdMs} ms`);
  console.log(`  RETR 1..${r.messages} one at a time, warm:                 ${r.retrAllWarmMs} ms`);
  console.log(`  RETR 1..${r.messages} pipelined:                           ${r.retrAllPipelinedMs} ms`);
  console.log(`  server memory: RSS ${r.serverRssIdleMiB} MiB idle, ${r.serverRssPeakMiB} MiB peak, ${r.serverRssAfterMiB} MiB after`);
  console.log(`  server heap after GC: ${r.serverHeapAfterGcMiB} MiB with the trace's ${r.traceEvents} events, ${r.serverHeapAfterGcNoTraceMiB} MiB without them`);
}

if (process.argv.includes(CHILD_FLAG)) {
  await serveChild(process.argv[process.argv.indexOf(CHILD_FLAG) + 1]);
} else if (process.argv[1] === HERE) {
  printPop3Retr(await benchPop3Retr());
}
