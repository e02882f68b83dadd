import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterEach, expect } from 'vitest';
import { loadTopology } from '../../lab/topology/load.ts';
import { LoopbackNet } from '../../lab/net/lab-net.ts';
import { StubResolver } from '../../lab/net/resolver.ts';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import { clockAndLogin, type HostContext } from '../../lab/host/host-context.ts';
import { startImapServer, type ImapServer, type ImapServerOptions } from '../../lab/imap/imap-server.ts';
import { MailStore } from '../../lab/mailbox/mail-store.ts';
import type { Limits } from '../../lab/topology/schema.ts';

// A test's own small lab: the classroom topology, Server's context in a fresh data folder,
// its IMAP server on an OS-chosen port, bound in the lab network at 192.168.111.100:143.

export const TOPOLOGY = path.join(import.meta.dirname, '..', '..', 'topology', 'classroom.yaml');

export interface ImapLab {
  ctx: HostContext;
  net: LoopbackNet;
  trace: TraceBus;
  server: ImapServer;
  port: number;
  /** the host's one mail store, as the MDA delivers into it */
  store: MailStore;
  dataDir: string;
  close(): Promise<void>;
}

export interface ImapLabSetup {
  /** the host's clock (a ManualClock to drive time-outs) */
  clock?: HostContext['clock'];
  /** the host's topology limits, as if the topology file said them */
  limits?: Partial<Limits>;
}

export async function startImapLab(options: Partial<ImapServerOptions> & { failedLoginDelayMs?: number } = {}, dataDir?: string, setup: ImapLabSetup = {}): Promise<ImapLab> {
  const topology = loadTopology(TOPOLOGY, { ports: 'auto' });
  const net = new LoopbackNet(topology);
  // every hop with outside whole: these tests read each one (floods are sampled in a running lab: test/trace/outside-sampler.test.ts)
  const trace = new TraceBus(undefined, { outside: false });
  const host = topology.hosts.find((h) => h.name === 'Server')!;
  if (setup.limits) host.mail!.limits = { ...host.mail!.limits, ...setup.limits };
  const data = dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-')));
  const ctx: HostContext = {
    host,
    topology,
    net,
    trace,
    resolver: new StubResolver({ net, from: host.name, nameServer: host.resolver ?? host.name, trace }),
    dataDir: path.join(data, host.name),
    listen: topology.listen,
    ...clockAndLogin(host, { clock: setup.clock ?? trace.clock, failedLoginDelayMs: options.failedLoginDelayMs ?? 5 }),
    mailStore: new MailStore(path.join(data, host.name, 'mail')),
  };
  await fs.mkdir(ctx.dataDir, { recursive: true });
  const server = await startImapServer(ctx, { port: 0, ...options });
  net.bind(host.name, 'imap', server.port);
  const store = ctx.mailStore;
  return {
    ctx,
    net,
    trace,
    server,
    port: server.port,
    store,
    dataDir: data,
    close: () => server.close(),
  };
}

/** A message as the MDA would deliver it. */
export function letter(opts: { subject?: string; from?: string; to?: string; body?: string; date?: string; extra?: string[] } = {}): Buffer {
  const lines = [
    `From: ${opts.from ?? '"=?UTF-8?B?6rmA7Jyg7Iug?=" <kim@daum.net>'}`,
    `To: ${opts.to ?? 'lee@naver.com'}`,
    `Subject: ${opts.subject ?? 'hello'}`,
    `Date: ${opts.date ?? 'Mon, 2 Mar 2026 10:00:00 +0900'}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@daum.net>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    ...(opts.extra ?? []),
    '',
    opts.body ?? 'Hello lee.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** "=?UTF-8?B?...?=" for a header. */
export function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
}

/**
 * A raw IMAP client over a socket: send lines and bytes, wait for a tagged reply or a
 * matching line. Used for protocol edge cases no library client would produce.
 */
export class RawClient {
  readonly socket: net.Socket;
  /** what came, joined only when read: a flood of small answers is not copied again and again */
  private chunks: Buffer[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    await client.waitFor(/^\* (OK|BYE)/m);
    return client;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Everything received so far, as text. */
  get text(): string {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return (this.chunks[0] ?? Buffer.alloc(0)).toString('utf8');
  }

  /** Forget what was received so far. */
  clear(): void {
    this.chunks = [];
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolve once the received text matches (or the connection closed). */
  async waitFor(re: RegExp): Promise<string> {
    for (;;) {
      const m = re.exec(this.text);
      if (m) return this.text;
      if (this.closed) throw new Error(`connection closed while waiting for ${re}; got:\n${this.text}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Send a command line and return everything up to and including its tagged reply. */
  async command(tag: string, line: string): Promise<string> {
    this.clear();
    this.write(`${tag} ${line}\r\n`);
    return this.tagged(tag);
  }

  async tagged(tag: string): Promise<string> {
    const re = new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm');
    const text = await this.waitFor(re);
    return text;
  }

  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * The labs and raw clients of a test file, closed after each test: lab() starts a small lab,
 * connect() a raw client, session() one logged in as lee (with a folder selected unless false).
 */
export function rawImapKit() {
  const labs: ImapLab[] = [];
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const l of labs.splice(0)) await l.close();
  });
  const connect = async (l: ImapLab): Promise<RawClient> => {
    const c = await RawClient.connect(l.port);
    clients.push(c);
    return c;
  };
  return {
    async lab(options: Partial<ImapServerOptions> = {}, setup: ImapLabSetup = {}): Promise<ImapLab> {
      const l = await startImapLab(options, undefined, setup);
      labs.push(l);
      return l;
    },
    connect,
    async session(l: ImapLab, folder: string | false = 'INBOX'): Promise<RawClient> {
      const c = await connect(l);
      expect(await c.command('l', 'LOGIN lee 1234')).toMatch(/^l OK/m);
      if (folder) expect(await c.command('s', `SELECT ${folder}`)).toMatch(/^s OK \[READ-WRITE\]/m);
      return c;
    },
  };
}
