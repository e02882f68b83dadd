// Shared test fixture for the sendmail role: the classroom lab (topology/classroom.yaml) as
// literal data, HostContexts for Server and Server-B on a LoopbackNet, and a raw SMTP client
// that speaks from a lab host (through net.connect, so the access rules see its virtual
// address) or from outside (a plain loopback socket).
//
// Exports are shared with the queue tests; add to them, do not change what exists.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { topologySchema } from '../../lab/topology/schema.ts';
import type { Limits, TopologyFile } from '../../lab/topology/schema.ts';
import type { Host, Topology } from '../../lab/topology/types.ts';
import type { ZoneData, ResourceRecord, RecordData } from '../../lab/topology/zone-file.ts';
import { LoopbackNet } from '../../lab/net/lab-net.ts';
import { StubResolver } from '../../lab/net/resolver.ts';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import { clockAndLogin, type HostContext } from '../../lab/host/host-context.ts';
import type { Clock } from '../../lab/trace/lab-clock.ts';
import { MailStore } from '../../lab/mailbox/mail-store.ts';

export type MailHostName = 'Server' | 'Server-B';

/** topology/classroom.yaml, as literal data (every real port 0: the OS chooses). */
export function classroomFile(): unknown {
  return {
    name: 'classroom',
    network: '192.168.111.0/24',
    listen: '127.0.0.1',
    zones: { 'naver.com': 'zones/naver.com.zone', 'daum.net': 'zones/daum.net.zone' },
    hosts: {
      Server: {
        role: 'name server (bind9) for naver.com and daum.net; mail server (sendmail, dovecot) for naver.com',
        address: '192.168.111.100',
        hostname: 'mail.naver.com',
        resolver: 'Server',
        services: { dns: 0, smtp: 0, pop3: 0, imap: 0 },
        mail: {
          domains: ['naver.com'],
          relay: ['192.168.111'],
          plaintextAuth: true,
          users: { lee: { password: '1234', name: '이순신 (lee)' } },
        },
      },
      'Server-B': {
        role: 'mail server (sendmail, dovecot) for daum.net',
        address: '192.168.111.200',
        hostname: 'mail.daum.net',
        resolver: 'Server',
        services: { smtp: 0, pop3: 0, imap: 0 },
        mail: {
          domains: ['daum.net'],
          relay: ['192.168.111'],
          plaintextAuth: true,
          users: { kim: { password: '1234', name: '김유신 (kim)' } },
        },
      },
      Client: {
        role: "lee's PC, reads mail from Server",
        address: '192.168.111.131',
        resolver: 'Server',
        client: { account: 'lee@naver.com', password: '1234', server: 'Server', read: 'pop3' },
      },
      WinClient: {
        role: "kim's PC (Windows), sends mail through Server-B",
        address: '192.168.111.132',
        resolver: 'Server',
        client: { account: 'kim@daum.net', password: '1234', server: 'Server-B', read: 'pop3' },
      },
    },
  };
}

function rr(name: string, line: number, data: RecordData): ResourceRecord {
  return { name, ttl: 10800, class: 'IN', line, ...data };
}

/** topology/zones/*.zone, parsed by hand (so the fixture does not depend on the zone parser). */
export function classroomZones(): ZoneData[] {
  const soa = (origin: string) => rr(origin, 3, { type: 'SOA', mname: origin, rname: 'root', serial: 2, refresh: 86400, retry: 3600, expire: 604800, minimum: 3600 });
  return [
    {
      origin: 'naver.com',
      file: 'zones/naver.com.zone',
      records: [
        soa('naver.com'),
        rr('naver.com', 5, { type: 'NS', host: 'naver.com' }),
        rr('naver.com', 6, { type: 'A', address: '192.168.111.100' }),
        rr('naver.com', 8, { type: 'MX', preference: 10, exchange: 'mail.naver.com' }),
        rr('mail.naver.com', 9, { type: 'A', address: '192.168.111.100' }),
        rr('ns.naver.com', 10, { type: 'A', address: '192.168.111.100' }),
      ],
    },
    {
      origin: 'daum.net',
      file: 'zones/daum.net.zone',
      records: [
        soa('daum.net'),
        rr('daum.net', 4, { type: 'NS', host: 'ns.naver.com' }),
        rr('daum.net', 5, { type: 'A', address: '192.168.111.200' }),
        rr('daum.net', 7, { type: 'MX', preference: 10, exchange: 'mail.daum.net' }),
        rr('mail.daum.net', 8, { type: 'A', address: '192.168.111.200' }),
      ],
    },
  ];
}

export interface TopologyOptions {
  /** limits for both mail hosts (merged over the defaults) */
  limits?: Partial<Limits>;
  /** per-host limits, merged after `limits` */
  hostLimits?: Partial<Record<MailHostName, Partial<Limits>>>;
  /** the queue runner's retry schedule for both mail hosts */
  retry?: string;
  /** change the literal file before it is validated */
  edit?: (file: any) => void;
}

/** The classroom topology, validated by the real schema (so defaults are the real ones). */
export function classroomTopology(options: TopologyOptions = {}): Topology {
  const file = classroomFile() as any;
  for (const name of ['Server', 'Server-B'] as const) {
    const mail = file.hosts[name].mail;
    mail.limits = { ...options.limits, ...options.hostLimits?.[name] };
    if (options.retry) mail.retry = options.retry;
  }
  options.edit?.(file);
  const parsed: TopologyFile = topologySchema.parse(file);
  const hosts: Host[] = Object.entries(parsed.hosts).map(([name, h]) => ({ name, ...h }));
  return { name: parsed.name, network: parsed.network, listen: parsed.listen, file: 'classroom (test fixture)', hosts, zones: classroomZones() };
}

export interface Lab {
  topology: Topology;
  net: LoopbackNet;
  trace: TraceBus;
  /** the data root; each host's dataDir is <root>/<HostName> */
  root: string;
  /** contexts of the mail hosts, built once */
  Server: HostContext;
  'Server-B': HostContext;
  /** a context for any host of the topology (a fresh object each call; same net, trace, dataDir) */
  ctx(hostName: string): HostContext;
  /** remove the data root */
  cleanup(): Promise<void>;
}

export interface LabOptions extends TopologyOptions {
  /** reuse a data root (a restart test); default a fresh mkdtemp folder */
  root?: string;
  /** the stub resolver of each host; default the real StubResolver asking the topology's name server */
  resolver?: (host: Host, net: LoopbackNet, trace: TraceBus) => StubResolver;
  /** wait after a failed login, ms (default 5) */
  failedLoginDelayMs?: number;
  /** the hosts' clock (default real time) */
  clock?: Clock;
}

/** A lab with the classroom topology, a LoopbackNet, one TraceBus and a fresh data folder. */
export async function createLab(options: LabOptions = {}): Promise<Lab> {
  const topology = classroomTopology(options);
  const labNet = new LoopbackNet(topology);
  // every hop with outside whole: these tests read each one (floods are sampled in a running lab: test/trace/outside-sampler.test.ts)
  const trace = new TraceBus(undefined, { outside: false });
  const root = options.root ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-')));
  const ctx = (hostName: string): HostContext => {
    const host = topology.hosts.find((h) => h.name === hostName);
    if (!host) throw new Error(`no host ${hostName} in the fixture topology`);
    const resolver = options.resolver
      ? options.resolver(host, labNet, trace)
      : new StubResolver({ net: labNet, from: host.name, nameServer: host.resolver ?? 'Server', trace, timeoutMs: 1000 });
    return {
      host,
      topology,
      net: labNet,
      trace,
      resolver,
      dataDir: path.join(root, host.name),
      listen: topology.listen,
      ...clockAndLogin(host, { failedLoginDelayMs: options.failedLoginDelayMs ?? 5, clock: options.clock ?? trace.clock }),
      mailStore: new MailStore(path.join(root, host.name, 'mail')),
    };
  };
  return {
    topology,
    net: labNet,
    trace,
    root,
    Server: ctx('Server'),
    'Server-B': ctx('Server-B'),
    ctx,
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}

// ---------------------------------------------------------------------------------------------
// A raw SMTP client: one command, one reply, nothing hidden. Good for limits and odd input.

export interface SmtpReply {
  code: number;
  /** the text of each line, without the code and separator */
  lines: string[];
  /** every line as received, joined with \n */
  raw: string;
}

export class SmtpTestClient {
  readonly socket: net.Socket;
  private buffer = '';
  private readonly replies: SmtpReply[] = [];
  private waiting: { resolve: (r: SmtpReply) => void; reject: (e: Error) => void } | undefined;
  private ended = false;
  /** resolves when the server closes the connection */
  readonly closed: Promise<void>;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true;
        this.waiting?.reject(new Error(`connection closed while waiting for a reply (unparsed: ${JSON.stringify(this.buffer)})`));
        this.waiting = undefined;
        resolve();
      });
    });
    socket.on('error', () => {});
  }

  /** Connect from a lab host to a virtual address (port 25) through the lab network. */
  static async fromHost(lab: Pick<Lab, 'net'>, fromHost: string, toAddress: string): Promise<{ client: SmtpTestClient; greeting: SmtpReply }> {
    const socket = await lab.net.connect(fromHost, toAddress, 25);
    const client = new SmtpTestClient(socket);
    return { client, greeting: await client.reply() };
  }

  /** Connect from outside the lab: a plain socket to the real port (a student's telnet). */
  static async fromOutside(port: number, host = '127.0.0.1'): Promise<{ client: SmtpTestClient; greeting: SmtpReply }> {
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const client = new SmtpTestClient(socket);
    return { client, greeting: await client.reply() };
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      // A reply ends at a line "ddd " (or "ddd" alone); "ddd-" lines continue it (RFC 5321 4.2.1).
      const lines: string[] = [];
      let pos = 0;
      let done = false;
      while (!done) {
        const nl = this.buffer.indexOf('\n', pos);
        if (nl < 0) break;
        const line = this.buffer.slice(pos, nl).replace(/\r$/, '');
        pos = nl + 1;
        lines.push(line);
        if (!/^\d{3}-/.test(line)) done = true;
      }
      if (!done) return;
      this.buffer = this.buffer.slice(pos);
      const reply: SmtpReply = { code: Number(lines[lines.length - 1].slice(0, 3)), lines: lines.map((l) => l.slice(4)), raw: lines.join('\n') };
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w.resolve(reply);
      } else {
        this.replies.push(reply);
      }
    }
  }

  /** The next reply from the server. */
  reply(): Promise<SmtpReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(new Error(`connection closed (unparsed: ${JSON.stringify(this.buffer)})`));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Write raw bytes, no CRLF added, no reply awaited. */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Send one command line (CRLF added) and return its reply. */
  async command(line: string): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** DATA, the message (dot-stuffed here), the final dot; returns the reply to the final dot. */
  async data(message: string | Buffer): Promise<SmtpReply> {
    const go = await this.command('DATA');
    if (go.code !== 354) return go;
    this.socket.write(dotStuff(message));
    return this.reply();
  }

  /** EHLO, MAIL, RCPT each, DATA; throws on any reply that is not a success. */
  async sendMail(from: string, to: string[], message: string | Buffer, helo = 'client.example'): Promise<SmtpReply> {
    for (const [line, want] of [[`EHLO ${helo}`, 250], [`MAIL FROM:<${from}>`, 250], ...to.map((t) => [`RCPT TO:<${t}>`, 250] as const)] as const) {
      const r = await this.command(line);
      if (r.code !== want) throw new Error(`${line} -> ${r.raw}`);
    }
    return this.data(message);
  }

  async quit(): Promise<void> {
    if (!this.ended) {
      try {
        await this.command('QUIT');
      } catch {
        // closed already
      }
    }
    this.socket.end();
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The DATA body as sent: CRLF line ends, leading dots doubled, ended by CRLF.CRLF (RFC 5321 4.5.2). */
export function dotStuff(message: string | Buffer): Buffer {
  let text = Buffer.isBuffer(message) ? message.toString('latin1') : Buffer.from(message, 'utf8').toString('latin1');
  text = text.replace(/\r?\n/g, '\r\n');
  if (!text.endsWith('\r\n')) text += '\r\n';
  text = text.replace(/^\./gm, '..');
  return Buffer.from(`${text}.\r\n`, 'latin1');
}

/** A small message, with the headers a mail program writes. */
export function letter(options: { from?: string; to?: string; subject?: string; body?: string; headers?: string[] } = {}): string {
  const from = options.from ?? 'kim@daum.net';
  const to = options.to ?? 'lee@naver.com';
  return [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${options.subject ?? 'hello'}`,
    ...(options.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body ?? '안녕하세요, lee. 잘 지내시죠?',
    '',
  ].join('\r\n');
}

/** Files of a user's Maildir new/ folder (empty if none yet). */
export async function maildirFiles(lab: Pick<Lab, 'root'>, hostName: string, user: string): Promise<string[]> {
  const dir = path.join(lab.root, hostName, 'mail', user, 'new');
  try {
    return (await fs.readdir(dir)).sort().map((f) => path.join(dir, f));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Running mail hosts (imported lazily, so the queue tests do not load the listener unless asked).

/** Start the sendmail role of a mail host on an OS-chosen port and bind it into the lab network at port 25. */
export async function startMailHost(lab: Lab, hostName: MailHostName, options: { retry?: string } = {}) {
  const { startMailServer } = await import('../../lab/mta/mail-server.ts');
  const server = await startMailServer(lab[hostName], { port: 0, retry: options.retry ?? '50ms*3' });
  lab.net.bind(hostName, 'smtp', server.port);
  return server;
}

/** Start Server's name server (bind9 role) and bind it into the lab network at port 53. */
export async function startLabDns(lab: Lab) {
  const { startNameServer } = await import('../../lab/dns/name-server.ts');
  const dns = await startNameServer(lab.Server, { port: 0 });
  lab.net.bind('Server', 'dns', dns.port);
  return dns;
}
