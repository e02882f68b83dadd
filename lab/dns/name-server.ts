// The bind9 role: an authoritative name server for the lab's zones, on UDP and TCP at one port.
// dns2's Packet does the wire format; the sockets are ours because dns2's servers drop a
// malformed datagram without a reply and close a TCP connection on one, where RFC 1035 wants
// FORMERR and the server to go on.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import type { HostContext, Service } from '../host/host-context.ts';
import type { ZoneData } from '../topology/zone-file.ts';
import type { HopStatus, TranscriptLine } from '../trace/hop-event.ts';
import { OUTSIDE, type Peer } from '../net/lab-net.ts';
import { questionLine } from '../net/resolver.ts';
import { Authority } from './authority.ts';
import { AnswerCache } from './answer-cache.ts';
import { serverLines, type Reply, type Transport } from './responder.ts';
import { DnsStream, frame } from './tcp-stream.ts';
import { AskerFlows } from './asker-flows.ts';
import { Outbox } from './outbox.ts';

export interface NameServerOptions {
  /** real port for both UDP and TCP; 0 picks one that is free for both */
  port: number;
  /** defaults to the topology's zones */
  zones?: ZoneData[];
  /** concurrent TCP connections; more are closed at once */
  maxTcpClients?: number;
  /** idle TCP connections are closed after this many ms (RFC 7766 section 6.2.3) */
  tcpIdleMs?: number;
}

export async function startNameServer(ctx: HostContext, options: NameServerOptions): Promise<NameServer> {
  const server = new NameServer(ctx, options);
  await server.listen();
  return server;
}

export class NameServer implements Service {
  port = 0;
  readonly authority: Authority;
  /** answers encoded once, patched per query (answer-cache.ts) */
  readonly answers: AnswerCache;
  private readonly ctx: HostContext;
  private readonly options: NameServerOptions;
  private udp: dgram.Socket | undefined;
  /** sockets of their own for askers that flood (asker-flows.ts) */
  flows: AskerFlows | undefined;
  private tcp: net.Server | undefined;
  /** answers of one burst of datagrams, sent together when the burst has been read (outbox.ts) */
  private readonly outbox = new Outbox();
  private readonly connections = new Set<net.Socket>();

  constructor(ctx: HostContext, options: NameServerOptions) {
    this.ctx = ctx;
    this.options = options;
    this.authority = new Authority(options.zones ?? ctx.topology.zones);
    this.answers = new AnswerCache(this.authority);
  }

  async listen(): Promise<void> {
    // TCP first: with port 0 the OS picks its port, and a TCP port is never shared, so no other
    // name server of ours has UDP there (each binds TCP before UDP; SO_REUSEPORT would let two
    // share a UDP port). UDP may find the port taken by another program; then we try another.
    for (let attempt = 1; ; attempt++) {
      const tcp = await listenTcp(this.ctx.listen, this.options.port, (socket) => this.onConnection(socket));
      const port = (tcp.address() as net.AddressInfo).port;
      let udp: dgram.Socket;
      try {
        udp = await bindUdp(this.ctx.listen, port);
      } catch (err) {
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
        if (this.options.port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
        throw err;
      }
      this.tcp = tcp;
      this.udp = udp;
      this.port = port;
      this.flows = new AskerFlows(udpOptions(this.ctx.listen), this.ctx.listen, port, (bytes, rinfo, connected) => this.onDatagram(bytes, rinfo, connected));
      udp.on('message', (bytes, rinfo) => {
        this.flows!.seen(rinfo);
        this.onDatagram(bytes, rinfo);
      });
      // a send to a vanished asker must not bring the server down
      udp.on('error', () => {});
      return;
    }
  }

  private onDatagram(bytes: Buffer, rinfo: dgram.RemoteInfo, connected?: dgram.Socket): void {
    const reply = this.answers.respond(bytes, 'udp');
    if (reply.bytes) this.outbox.add(reply.bytes, rinfo, connected ?? this.udp, connected !== undefined);
    this.report(reply, 'udp', rinfo.address, rinfo.port);
  }

  private onConnection(socket: net.Socket): void {
    if (this.connections.size >= (this.options.maxTcpClients ?? 64)) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy()); // a reset by the asker ends only this connection
    socket.setTimeout(this.options.tcpIdleMs ?? 10_000, () => socket.destroy());
    this.ctx.clock.track(socket);
    const { remoteAddress, remotePort } = socket;
    new DnsStream(socket, (message) => {
      const reply = this.answers.respond(message, 'tcp');
      if (reply.bytes && socket.writable) socket.write(frame(reply.bytes));
      this.report(reply, 'tcp', remoteAddress, remotePort);
    });
  }

  /**
   * Queries from outside the lab (a student's dig) become hops of their own. A lab host's
   * query is not reported here: the role that asked puts it into its own hop (step 3). Who
   * asked is known at once for a datagram (a lab host's UDP socket is registered before it
   * sends); a flood from outside is counted by the bus, which asks for a whole hop only for the
   * first few (trace/outside-sampler.ts).
   */
  private report(reply: Reply, transport: Transport, address: string | undefined, port: number | undefined): void {
    if (!reply.bytes) return;
    const now = this.ctx.net.identifyNow?.(address, port, transport);
    if (now) return this.reportFrom(now, reply, transport);
    this.ctx.net.identify(address, port).then(
      (peer) => this.reportFrom(peer, reply, transport),
      () => {},
    );
  }

  private reportFrom(peer: Peer, reply: Reply, transport: Transport): void {
    if (peer.host !== OUTSIDE) return;
    try {
      this.ctx.trace.outside('dns', OUTSIDE, this.ctx.host.name, reply.rcode, () => {
        const asked = reply.question ? `${reply.question.name} ${reply.question.type}` : 'a malformed query';
        const status: HopStatus = reply.rcode === 'NOERROR' ? 'ok' : reply.rcode === 'REFUSED' ? 'refused' : 'failed';
        return {
          kind: 'dns',
          from: OUTSIDE,
          to: this.ctx.host.name,
          fromAddress: peer.address,
          toAddress: this.ctx.host.address,
          summary: { ko: `바깥에서 온 DNS 질의: ${asked} → ${reply.rcode}`, en: `DNS query from outside: ${asked} -> ${reply.rcode}` },
          status,
          protocol: transport === 'udp' ? 'DNS/UDP' : 'DNS/TCP',
          transcript: transcript(reply, transport),
          detail: { question: reply.question, rcode: reply.rcode, transport, truncated: reply.truncated },
        };
      });
    } catch {
      // the trace is for the class; a failure to report never costs an answer
    }
  }

  async close(): Promise<void> {
    this.outbox.flush();
    this.flows?.close();
    this.flows = undefined;
    for (const socket of this.connections) socket.destroy();
    await Promise.all([
      new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }
}

function transcript(reply: Reply, transport: Transport): TranscriptLine[] {
  if (!reply.question) return [{ dir: 'C', line: '(a message that is not a DNS query)' }, { dir: 'S', line: reply.rcode }];
  const asked: TranscriptLine = { dir: 'C', line: `${questionLine(reply.question.name, reply.question.type)}${transport === 'tcp' ? ' +tcp' : ''}` };
  return [asked, ...serverLines(reply).map((line): TranscriptLine => ({ dir: 'S', line }))];
}

/**
 * Node's dgram looks every destination up before it sends, an IP literal too, one tick later;
 * the askers' addresses are always literals, so answer at once (dns.lookup for anything else).
 */
function literalLookup(hostname: string, options: dns.LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = net.isIP(hostname);
  if (family) callback(null, hostname, family);
  else dns.lookup(hostname, options as dns.LookupOneOptions, callback);
}

/**
 * SO_REUSEPORT, so that an asker that floods can have a socket of its own on the same port
 * (asker-flows.ts). Another program can share the port only if it asks for SO_REUSEPORT too, as
 * the same user; the TCP listener on the same port has no such option, so a second lab is still
 * told the port is in use.
 */
function udpOptions(address: string): dgram.SocketOptions {
  return { type: net.isIPv6(address) ? 'udp6' : 'udp4', lookup: literalLookup as dgram.SocketOptions['lookup'], reusePort: true };
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(udpOptions(address));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(address: string, port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
