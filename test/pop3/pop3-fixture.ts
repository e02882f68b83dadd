// Test fixture for the POP3 server: a small lab (Server with lee and park, lee's PC Client) as
// literal data, a HostContext on a LoopbackNet, the server listening on an OS-chosen port, and
// helpers to fill lee's Maildir and to talk to the server over real sockets.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { topologySchema, type Limits } from '../../lab/topology/schema.ts';
import type { Host, Topology } from '../../lab/topology/types.ts';
import { LoopbackNet } from '../../lab/net/lab-net.ts';
import { StubResolver } from '../../lab/net/resolver.ts';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import type { OutsideSamplerOptions } from '../../lab/trace/outside-sampler.ts';
import { clockAndLogin, type HostContext } from '../../lab/host/host-context.ts';
import { MailStore } from '../../lab/mailbox/mail-store.ts';
import { Pop3Server, type Pop3Options } from '../../lab/pop3/pop3-server.ts';
import { Pop3Client } from '../../lab/client/pop3-client.ts';

export function pop3Topology(): Topology {
  const file = topologySchema.parse({
    name: 'pop3-test',
    network: '192.168.111.0/24',
    listen: '127.0.0.1',
    hosts: {
      Server: {
        address: '192.168.111.100',
        hostname: 'mail.naver.com',
        services: { pop3: 0 },
        mail: {
          domains: ['naver.com'],
          users: { lee: { password: '1234' }, park: { password: 'open sesame' } },
        },
      },
      Client: {
        address: '192.168.111.131',
        client: { account: 'lee@naver.com', password: '1234', server: 'Server', read: 'pop3' },
      },
    },
  });
  const hosts: Host[] = Object.entries(file.hosts).map(([name, host]) => ({ name, ...host }));
  return { ...file, file: '<pop3 test topology>', hosts, zones: [] };
}

export interface Pop3Lab {
  ctx: HostContext;
  net: LoopbackNet;
  trace: TraceBus;
  server: Pop3Server;
  port: number;
  dataDir: string;
  /** lee's (or another user's) Maildir */
  maildir(user?: string): string;
  /** put a message into new/ as the MDA does (tmp, then rename); returns its path */
  deliver(message: string | Buffer, user?: string): Promise<string>;
  /** put a message straight into cur/ with flags, as IMAP leaves it */
  deliverCur(message: string | Buffer, flags: string, user?: string): Promise<string>;
  /** a socket to the server: from lee's PC through the lab network, or from outside */
  connect(from?: 'Client' | 'outside'): Promise<net.Socket>;
  /** a client that has read the greeting */
  client(from?: 'Client' | 'outside'): Promise<Pop3Client>;
  /** a client logged in as lee */
  session(user?: string, password?: string): Promise<Pop3Client>;
  /** resolves when the next session (or the given one) has ended and let go of its maildrop */
  sessionEnd(): Promise<unknown>;
  files(user?: string): Promise<{ new: string[]; cur: string[] }>;
  close(): Promise<void>;
}

let counter = 0;

export interface Pop3LabSetup {
  /** the host's clock (a ManualClock to drive time-outs) */
  clock?: HostContext['clock'];
  /** the host's topology limits, as if the topology file said them */
  limits?: Partial<Limits>;
  /** sample hops with outside as a running lab does (default: every hop whole) */
  outside?: OutsideSamplerOptions;
}

export async function startPop3Lab(options: Partial<Pop3Options> & { failedLoginDelayMs?: number } = {}, setup: Pop3LabSetup = {}): Promise<Pop3Lab> {
  const topology = pop3Topology();
  const labNet = new LoopbackNet(topology);
  // every hop with outside whole: these tests read each one (floods are sampled in a running lab: test/trace/outside-sampler.test.ts)
  const trace = new TraceBus(undefined, { outside: setup.outside ?? false });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-'));
  const host = topology.hosts.find((h) => h.name === 'Server')!;
  if (setup.limits) host.mail!.limits = { ...host.mail!.limits, ...setup.limits };
  const ctx: HostContext = {
    host,
    topology,
    net: labNet,
    trace,
    resolver: new StubResolver({ net: labNet, from: 'Server', nameServer: 'Server' }),
    dataDir: path.join(dataDir, 'Server'),
    listen: '127.0.0.1',
    ...clockAndLogin(host, { clock: setup.clock ?? trace.clock, failedLoginDelayMs: 'failedLoginDelayMs' in options ? options.failedLoginDelayMs : 5 }),
    mailStore: new MailStore(path.join(dataDir, 'Server', 'mail')),
  };
  const server = new Pop3Server(ctx, { port: 0, ...options });
  const port = await server.listen();
  labNet.bind('Server', 'pop3', port);
  const sockets = new Set<net.Socket>();

  const maildir = (user = 'lee') => path.join(ctx.dataDir, 'mail', user);
  const ensure = async (user: string) => {
    for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(path.join(maildir(user), sub), { recursive: true });
  };
  const uniqueName = () => {
    // "<seconds>.M<micro>P<pid>Q<n>" as maildir(5) and the MailStore name them; the order is delivery order.
    counter++;
    return `${1_700_000_000 + counter}.M${counter}P${process.pid}Q${counter}.mail-lab-test`;
  };
  const deliver = async (message: string | Buffer, user = 'lee') => {
    await ensure(user);
    const body = Buffer.isBuffer(message) ? message : Buffer.from(message, 'utf8');
    const name = uniqueName();
    const tmp = path.join(maildir(user), 'tmp', name);
    await fs.writeFile(tmp, body);
    const file = path.join(maildir(user), 'new', `${name},S=${body.length}`);
    await fs.rename(tmp, file);
    return file;
  };
  const deliverCur = async (message: string | Buffer, flags: string, user = 'lee') => {
    await ensure(user);
    const body = Buffer.isBuffer(message) ? message : Buffer.from(message, 'utf8');
    const file = path.join(maildir(user), 'cur', `${uniqueName()},S=${body.length}:2,${flags}`);
    await fs.writeFile(file, body);
    return file;
  };
  const connect = async (from: 'Client' | 'outside' = 'Client') => {
    const socket = from === 'Client' ? await labNet.connect('Client', '192.168.111.100', 110) : net.connect({ host: '127.0.0.1', port });
    if (from === 'outside') await once(socket, 'connect');
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const client = async (from: 'Client' | 'outside' = 'Client') => {
    const c = new Pop3Client(await connect(from), { timeoutMs: 20_000 });
    await c.greeting();
    return c;
  };
  return {
    ctx,
    net: labNet,
    trace,
    server,
    port,
    dataDir,
    maildir,
    deliver,
    deliverCur,
    connect,
    client,
    async session(user = 'lee', password = '1234') {
      const c = await client();
      await c.login(user, password);
      return c;
    },
    sessionEnd() {
      return once(server.events, 'session-end');
    },
    async files(user = 'lee') {
      const list = async (sub: string) => (await fs.readdir(path.join(maildir(user), sub)).catch(() => [] as string[])).sort();
      return { new: await list('new'), cur: await list('cur') };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A plain message with CRLF line ends, as SMTP delivers it. */
export function letter(subject: string, body: string, extra: string[] = []): string {
  return [
    'From: kim@daum.net',
    'To: lee@naver.com',
    `Subject: ${subject}`,
    'Message-ID: <' + subject.replace(/\W/g, '') + '@daum.net>',
    ...extra,
    '',
    ...body.split('\n'),
  ].join('\r\n') + '\r\n';
}

/**
 * Raw bytes over a socket: write, then collect what comes back until `done` says the answer is
 * complete. For checks of the exact wire form (byte-stuffing, line ends).
 */
export async function rawExchange(socket: net.Socket, send: string | Buffer, done: (received: Buffer) => boolean): Promise<Buffer> {
  const parts: Buffer[] = [];
  const result = new Promise<Buffer>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      const all = Buffer.concat(parts);
      if (done(all)) {
        cleanup();
        resolve(all);
      }
    };
    const onClose = () => {
      cleanup();
      const all = Buffer.concat(parts);
      if (done(all)) resolve(all);
      else reject(new Error(`connection closed; received so far:\n${all.toString('latin1')}`));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
  if (send.length) socket.write(send);
  return result;
}

/** The number of CRLF-ended lines in a buffer. */
export function countLines(received: Buffer): number {
  let n = 0;
  for (let at = received.indexOf('\r\n'); at >= 0; at = received.indexOf('\r\n', at + 2)) n++;
  return n;
}
