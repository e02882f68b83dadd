// Issue 4's IMAP figures: a mailbox of 5,000 messages of about 2.4 KB written straight into a
// Maildir; SELECT; FETCH 1:* (ENVELOPE) with no index (cold) and again (warm); FETCH 1:*
// (BODY.PEEK[]) twice; the server's memory. The lab's own figures only: the ratios to Dovecot 2.3
// on the same letters come from ../shared/bench/side-by-side (one run, the same raw client).
//
//   node bench/imap-fetch.ts           (alone)
//   import { benchImapFetch } ...      (from bench/run.ts)
//
// The server runs in a child process of its own so that its memory is its own. The client is a
// raw socket that only looks for the tagged reply, so the time is the server's, not a parser's.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fillMaildir } from './bench-maildir.ts';
import { benchServerContext, sampleRss } from './bench-server.ts';
import { startImapServer } from '../lab/imap/imap-server.ts';

const HERE = fileURLToPath(import.meta.url);
const CHILD_FLAG = '--imap-server-child';

export interface ImapFetchOptions {
  messages?: number;
  /** about this many octets per message */
  size?: number;
}

interface ServerMemory {
  rss: number;
  heapUsed: number;
  peakRss: number;
}
type ChildMessage = { port: number } | { memory: ServerMemory };

/** The server, in its own process: Server of the classroom topology, trace on. */
async function serveChild(dataDir: string): Promise<void> {
  const { ctx, net: labNet } = benchServerContext(dataDir);
  const service = await startImapServer(ctx, { port: 0 });
  labNet.bind('Server', 'imap', service.port);
  const sampled = sampleRss();
  process.on('message', (m: string) => {
    if (m === 'memory') {
      const { rss, heapUsed } = process.memoryUsage();
      process.send!({ memory: { rss, heapUsed, peakRss: sampled.peak() } } satisfies ChildMessage);
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

/** A raw IMAP client: send a command, count octets until its tagged reply. */
class RawImap {
  private readonly socket: net.Socket;
  private waiting: { tag: string; resolve: (r: { octets: number; line: string }) => void } | undefined;
  private octets = 0;
  private tail = '';

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.octets += chunk.length;
      if (!this.waiting) return;
      // only the end of the stream can hold the tagged line; look at the last bytes only
      this.tail = (this.tail + chunk.toString('latin1', Math.max(0, chunk.length - 512))).slice(-1024);
      const marker = `\r\n${this.waiting.tag} `;
      const at = this.tail.lastIndexOf(marker);
      if (at >= 0 && this.tail.endsWith('\r\n')) {
        const line = this.tail.slice(at + 2, -2);
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve({ octets: this.octets, line });
      }
    });
  }

  static async connect(port: number): Promise<RawImap> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    socket.setNoDelay(true);
    const client = new RawImap(socket);
    await once(socket, 'data');
    return client;
  }

  command(tag: string, line: string): Promise<{ octets: number; line: string; ms: number }> {
    this.octets = 0;
    this.tail = '\r\n';
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      this.waiting = {
        tag,
        resolve: (r) => {
          if (!r.line.startsWith(`${tag} OK`)) reject(new Error(`${line}: ${r.line}`));
          else resolve({ ...r, ms: performance.now() - t0 });
        },
      };
      this.socket.write(`${tag} ${line}\r\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function benchImapFetch(options: ImapFetchOptions = {}): Promise<Record<string, number>> {
  const messages = options.messages ?? 5000;
  const size = options.size ?? 2400;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-bench-imap-'));
  const dataDir = path.join(root, 'Server');
  const child = fork(HERE, [CHILD_FLAG, dataDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const onDisk = await fillMaildir(path.join(dataDir, 'mail', 'lee'), messages, size);
    const ready = (await new Promise<ChildMessage>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the IMAP server process ended (${code})`)));
    })) as { port: number };
    const idle = ((await ask(child, 'memory')) as { memory: ServerMemory }).memory;

    const c = await RawImap.connect(ready.port);
    await c.command('l', 'LOGIN lee 1234');
    // SELECT: UIDs for 5,000 new files, and their move from new/ to cur/ (\Recent)
    const select = await c.command('s', 'SELECT INBOX');
    const envCold = await c.command('e1', 'FETCH 1:* (ENVELOPE)');
    // the index built by the cold FETCH is written after its reply; the next command waits for that
    const noop = await c.command('n', 'NOOP');
    const envWarm = await c.command('e2', 'FETCH 1:* (ENVELOPE)');
    const bodies = await c.command('b1', 'FETCH 1:* (BODY.PEEK[])');
    const bodiesWarm = await c.command('b2', 'FETCH 1:* (BODY.PEEK[])');
    if (bodies.octets < onDisk) throw new Error(`received ${bodies.octets} octets of bodies, the Maildir holds ${onDisk}`);
    await c.command('o', 'LOGOUT');
    c.close();

    // a second session: the index is on disk now; the first FETCH loads it
    const c2 = await RawImap.connect(ready.port);
    await c2.command('l', 'LOGIN lee 1234');
    const select2 = await c2.command('s', 'SELECT INBOX');
    const envIndexed = await c2.command('e1', 'FETCH 1:* (ENVELOPE)');
    await c2.command('o', 'LOGOUT');
    c2.close();

    const after = ((await ask(child, 'memory')) as { memory: ServerMemory }).memory;
    return {
      messages,
      mailboxMiB: mib(onDisk),
      selectMs: Math.round(select.ms),
      envelopeColdMs: Math.round(envCold.ms),
      indexWriteNoopMs: Math.round(noop.ms),
      envelopeWarmMs: Math.round(envWarm.ms * 10) / 10,
      bodiesMs: Math.round(bodies.ms),
      bodiesWarmMs: Math.round(bodiesWarm.ms),
      selectAgainMs: Math.round(select2.ms),
      envelopeIndexedMs: Math.round(envIndexed.ms),
      envelopeMiB: mib(envWarm.octets),
      bodiesMiB: mib(bodies.octets),
      serverRssIdleMiB: mib(idle.rss),
      serverRssPeakMiB: mib(after.peakRss),
      serverRssAfterMiB: mib(after.rss),
      serverHeapAfterMiB: mib(after.heapUsed),
    };
  } finally {
    child.send('stop');
    await once(child, 'exit').catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  }
}

export function printImapFetch(r: Record<string, number>): void {
  console.log(`IMAP FETCH over ${r.messages} messages (${r.mailboxMiB} MiB in a Maildir), raw socket client over loopback`);
  console.log(`  SELECT INBOX (UIDs given, new/ -> cur/): ${r.selectMs} ms; again in a new session: ${r.selectAgainMs} ms`);
  console.log(`  FETCH 1:* (ENVELOPE) cold, no index: ${r.envelopeColdMs} ms`);
  console.log(`  NOOP right after (the index, built by that FETCH, is written after its reply): ${r.indexWriteNoopMs} ms`);
  console.log(`  FETCH 1:* (ENVELOPE) warm:           ${r.envelopeWarmMs} ms  [${r.envelopeMiB} MiB]`);
  console.log(`  FETCH 1:* (ENVELOPE) in a second session: ${r.envelopeIndexedMs} ms`);
  console.log(`  FETCH 1:* (BODY.PEEK[]):             ${r.bodiesMs} ms  [${r.bodiesMiB} MiB]`);
  console.log(`  FETCH 1:* (BODY.PEEK[]) again:       ${r.bodiesWarmMs} ms`);
  console.log(`  server memory: RSS ${r.serverRssIdleMiB} MiB idle, ${r.serverRssPeakMiB} MiB peak, ${r.serverRssAfterMiB} MiB after; heap ${r.serverHeapAfterMiB} MiB`);
}

if (process.argv.includes(CHILD_FLAG)) {
  await serveChild(process.argv[process.argv.indexOf(CHILD_FLAG) + 1]);
} else if (process.argv[1] === HERE) {
  printImapFetch(await benchImapFetch());
}
