// Test parts for the queue, the queue runner and bounces: SMTP sinks (smtp-server) standing in
// for the next mail server, a name server with test zones, broken name servers (SERVFAIL, silent),
// and a Queue + QueueRunner for a host of the lab fixture (test/mta/lab-fixture.ts).
import path from 'node:path';
import dgram from 'node:dgram';
import net from 'node:net';
import { EventEmitter, once } from 'node:events';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { Packet } from 'dns2';
import { startNameServer, type NameServer } from '../../lab/dns/name-server.ts';
import type { ResourceRecord, RecordData, ZoneData } from '../../lab/topology/zone-file.ts';
import type { HostContext } from '../../lab/host/host-context.ts';
import { localUser } from '../../lab/topology/accounts.ts';
import { Queue, type Envelope } from '../../lab/mta/queue.ts';
import { QueueRunner, type QueueRunnerOptions } from '../../lab/mta/queue-runner.ts';
import { classroomZones, type Lab } from './lab-fixture.ts';

// ---------------------------------------------------------------------------------------------
// An SMTP sink: the next mail server, as a test wants it to behave.

export interface SinkMessage {
  from: string;
  to: string[];
  data: Buffer;
  /** the lab host that connected (from the lab network), 'outside' otherwise */
  peer: string;
  helo: string;
}

/** A reply to force, e.g. '451 4.3.0 Try again later'; undefined accepts. */
type Rule = (value: string, count: number) => string | undefined;

export interface SinkOptions {
  mail?: Rule;
  rcpt?: Rule;
  /** after the message: the nth message (1-based) gets this reply */
  data?: Rule;
  /** reuse this real port (a host that comes back) */
  port?: number;
  /** called when the first bytes of a message arrive (after DATA's 354) */
  body?: () => void;
}

export class Sink extends EventEmitter {
  readonly messages: SinkMessage[] = [];
  connections = 0;
  port = 0;
  private server: SMTPServer;
  private counts = { mail: 0, rcpt: 0, data: 0 };
  readonly options: SinkOptions;
  private readonly lab: Pick<Lab, 'net'>;

  constructor(lab: Pick<Lab, 'net'>, options: SinkOptions = {}) {
    super();
    this.lab = lab;
    this.options = options;
    this.server = this.build();
  }

  private build(): SMTPServer {
    const fail = (reply: string) => {
      const err = new Error(reply.slice(4)) as Error & { responseCode: number };
      err.responseCode = Number(reply.slice(0, 3));
      return err;
    };
    return new SMTPServer({
      name: 'sink.test',
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 50,
      onConnect: (_session, cb) => {
        this.connections++;
        cb();
      },
      onMailFrom: (address: SMTPServerAddress, _session, cb) => {
        const reply = this.options.mail?.(address.address, ++this.counts.mail);
        cb(reply ? fail(reply) : undefined);
      },
      onRcptTo: (address: SMTPServerAddress, _session, cb) => {
        const reply = this.options.rcpt?.(address.address, ++this.counts.rcpt);
        cb(reply ? fail(reply) : undefined);
      },
      onData: (stream, session: SMTPServerSession, cb) => {
        const chunks: Buffer[] = [];
        stream.once('data', () => this.options.body?.());
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const reply = this.options.data?.('', ++this.counts.data);
          if (reply) return cb(fail(reply));
          const peer = await this.lab.net.identify(session.remoteAddress, session.remotePort);
          const message: SinkMessage = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data: Buffer.concat(chunks),
            peer: peer.host,
            helo: session.hostNameAppearsAs,
          };
          this.messages.push(message);
          cb(null, `2.0.0 Ok: queued as sink${this.messages.length}`);
          this.emit('message', message);
        });
      },
    });
  }

  async listen(port = this.options.port ?? 0): Promise<number> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server.server, 'listening');
    this.port = (this.server.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Stop listening (a host that goes down); listen() again on the same port brings it back. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = this.build();
  }

  /** Resolves when the sink holds at least n messages. */
  async received(n: number): Promise<SinkMessage[]> {
    while (this.messages.length < n) await once(this, 'message');
    return this.messages;
  }
}

/** A sink listening and bound in the lab network as `hostName`'s SMTP service (port 25). */
export async function startSink(lab: Pick<Lab, 'net'> & { net: { bind(h: string, s: 'smtp', p: number): void } }, hostName: string, options: SinkOptions = {}): Promise<Sink> {
  const sink = new Sink(lab, options);
  const port = await sink.listen();
  lab.net.bind(hostName, 'smtp', port);
  return sink;
}

// ---------------------------------------------------------------------------------------------
// DNS: the lab's own name server over test zones, and two broken ones.

function rr(name: string, data: RecordData): ResourceRecord {
  return { name, ttl: 300, class: 'IN', line: 0, ...data };
}

/**
 * The classroom zones plus lab.test, whose names each show one MX case:
 *   pref.lab.test     MX 20 mx2 and MX 10 mx1 (listed worst first): mx1 = Server .100, mx2 = Client .131
 *   onlya.lab.test    no MX, an A record (.100): the implicit MX
 *   loop.lab.test     MX 10 mail.daum.net: Server-B's own name
 *   loopaddr.lab.test MX 10 self.lab.test, which has Server-B's address
 *   backup.lab.test   MX 10 mail.naver.com, MX 20 mail.daum.net: Server-B is the backup MX
 *   loop2.lab.test    MX 10 mail.daum.net, MX 20 mail.naver.com: Server-B is the best MX
 *   empty.lab.test    exists (TXT) with neither MX nor A
 *   (anything else under lab.test does not exist: NXDOMAIN)
 */
export function testZones(): ZoneData[] {
  const soa = rr('lab.test', { type: 'SOA', mname: 'ns.lab.test', rname: 'root.lab.test', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 });
  return [
    ...classroomZones(),
    {
      origin: 'lab.test',
      file: 'lab.test.zone',
      records: [
        soa,
        rr('lab.test', { type: 'NS', host: 'ns.lab.test' }),
        rr('ns.lab.test', { type: 'A', address: '192.168.111.100' }),
        rr('pref.lab.test', { type: 'MX', preference: 20, exchange: 'mx2.lab.test' }),
        rr('pref.lab.test', { type: 'MX', preference: 10, exchange: 'mx1.lab.test' }),
        rr('mx1.lab.test', { type: 'A', address: '192.168.111.100' }),
        rr('mx2.lab.test', { type: 'A', address: '192.168.111.131' }),
        rr('onlya.lab.test', { type: 'A', address: '192.168.111.100' }),
        rr('loop.lab.test', { type: 'MX', preference: 10, exchange: 'mail.daum.net' }),
        rr('loopaddr.lab.test', { type: 'MX', preference: 10, exchange: 'self.lab.test' }),
        rr('self.lab.test', { type: 'A', address: '192.168.111.200' }),
        rr('backup.lab.test', { type: 'MX', preference: 10, exchange: 'mail.naver.com' }),
        rr('backup.lab.test', { type: 'MX', preference: 20, exchange: 'mail.daum.net' }),
        rr('loop2.lab.test', { type: 'MX', preference: 10, exchange: 'mail.daum.net' }),
        rr('loop2.lab.test', { type: 'MX', preference: 20, exchange: 'mail.naver.com' }),
        rr('empty.lab.test', { type: 'TXT', strings: ['no mail here'] }),
      ],
    },
  ];
}

/** The lab's name server (Server's bind9 role) over the test zones, bound as Server:53. */
export async function startDns(lab: Lab, zones: ZoneData[] = testZones()): Promise<NameServer> {
  const server = await startNameServer(lab.Server, { port: 0, zones });
  lab.net.bind('Server', 'dns', server.port);
  return server;
}

/** A name server that answers every query with SERVFAIL, or never answers at all ('silent'). */
export async function startBrokenDns(lab: Lab, mode: 'servfail' | 'silent'): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (bytes, rinfo) => {
    if (mode === 'silent') return;
    let query: Packet;
    try {
      query = Packet.parse(bytes);
    } catch {
      return;
    }
    const response = new Packet();
    response.header = new Packet.Header({ id: query.header.id, qr: 1, rd: query.header.rd, ra: 0, rcode: Packet.RCODE.SERVFAIL });
    response.questions = query.questions;
    socket.send(response.toBuffer(), rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const port = socket.address().port;
  lab.net.bind('Server', 'dns', port);
  return { port, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

// ---------------------------------------------------------------------------------------------
// A Queue and its runner for one host; local mail goes into the host's Maildirs.

export interface QueueHost {
  ctx: HostContext;
  queue: Queue;
  runner: QueueRunner;
  /** what deliverLocal was given */
  local: { recipient: string; message: Buffer; envelope: Envelope; file: string }[];
  stop(): Promise<void>;
  /** Resolves when deliverLocal has delivered at least n messages. */
  delivered(n: number): Promise<QueueHost['local']>;
}

export async function startQueueHost(ctx: HostContext, options: Partial<QueueRunnerOptions> = {}): Promise<QueueHost> {
  const queue = new Queue(path.join(ctx.dataDir, 'queue'), { hostname: ctx.host.hostname });
  const store = ctx.mailStore;
  const local: QueueHost['local'] = [];
  let onLocal: (() => void) | undefined;
  const runner = new QueueRunner({
    ctx,
    queue,
    schedule: '20ms*3',
    relay: { idleMs: 200, greetingTimeout: 2000, socketTimeout: 5000 },
    deliverLocal: async (recipient: string, message: Buffer, envelope: Envelope) => {
      const user = localUser(ctx.host, recipient);
      if (!user) throw Object.assign(new Error('User unknown'), { responseCode: 550, permanent: true, response: `550 5.1.1 <${recipient}>... User unknown` });
      const delivered = await store.deliver(user, message);
      local.push({ recipient, message, envelope, file: delivered.file });
      onLocal?.();
      return delivered;
    },
    ...options,
  });
  await runner.start();
  return {
    ctx, queue, runner, local,
    stop: () => runner.stop(),
    async delivered(n: number) {
      while (local.length < n) await new Promise<void>((resolve) => (onLocal = resolve));
      return local;
    },
  };
}

/** A letter with a Message-ID, CRLF line ends. */
export function testLetter(options: { from?: string; to?: string; subject?: string; id?: string; received?: number } = {}): Buffer {
  const received = Array.from({ length: options.received ?? 0 }, (_, i) => `Received: from hop${i}.test by hop${i + 1}.test; Tue, 28 Nov 2023 03:40:00 +0000`);
  return Buffer.from([
    ...received,
    `From: <${options.from ?? 'kim@daum.net'}>`,
    `To: <${options.to ?? 'lee@naver.com'}>`,
    `Subject: ${options.subject ?? 'test letter'}`,
    `Message-ID: <${options.id ?? Math.random().toString(36).slice(2)}@daum.net>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    '안녕하세요, lee.',
    '',
  ].join('\r\n'));
}

/** The envelope of a letter kim sends from WinClient through Server-B. */
export function envelopeFor(recipients: string[], from = 'kim@daum.net'): Envelope {
  return { from, recipients, receivedFrom: { host: 'WinClient', address: '192.168.111.132', helo: 'winclient' } };
}
