// The bind9 role: an authoritative name server for the lab's zones, on UDP and TCP at one port.
// dns2's Packet does the wire format; the sockets are ours because dns2's servers drop a
// malformed datagram without a reply and close a TCP connection on one, where RFC 1035 wants
// FORMERR and the server to go on.
import dgram from 'node:dgram';
import net from 'node:net';
import type { HostContext, Service } from '../host/host-context.ts';
import type { ZoneData } from '../topology/zone-file.ts';
import type { HopStatus, TranscriptLine } from '../trace/hop-event.ts';
import { OUTSIDE } from '../net/lab-net.ts';
import { answerLines, questionLine, recordLine } from '../net/resolver.ts';
import { Authority } from './authority.ts';
import { respond, type Reply, type Transport } from './responder.ts';
import { DnsStream, frame } from './tcp-stream.ts';

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
  private readonly ctx: HostContext;
  private readonly options: NameServerOptions;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();

  constructor(ctx: HostContext, options: NameServerOptions) {
    this.ctx = ctx;
    this.options = options;
    this.authority = new Authority(options.zones ?? ctx.topology.zones);
  }

  async listen(): Promise<void> {
    // With port 0 the OS picks the UDP port; TCP may find it taken, then we try another.
    for (let attempt = 1; ; attempt++) {
      const udp = await bindUdp(this.ctx.listen, this.options.port);
      const port = udp.address().port;
      try {
        this.tcp = await listenTcp(this.ctx.listen, port, (socket) => this.onConnection(socket));
      } catch (err) {
        udp.close();
        if (this.options.port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 20) continue;
        throw err;
      }
      this.udp = udp;
      this.port = port;
      udp.on('message', (bytes, rinfo) => this.onDatagram(bytes, rinfo));
      // a send to a vanished asker must not bring the server down
      udp.on('error', () => {});
      return;
    }
  }

  private onDatagram(bytes: Buffer, rinfo: dgram.RemoteInfo): void {
    const reply = respond(bytes, this.authority, 'udp');
    if (reply.bytes) this.udp?.send(reply.bytes, rinfo.port, rinfo.address);
    void this.report(reply, 'udp', rinfo.address, rinfo.port);
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
      const reply = respond(message, this.authority, 'tcp');
      if (reply.bytes && socket.writable) socket.write(frame(reply.bytes));
      void this.report(reply, 'tcp', remoteAddress, remotePort);
    });
  }

  /**
   * Queries from outside the lab (a student's dig) become hops of their own. A lab host's
   * query is not reported here: the role that asked puts it into its own hop (step 3).
   */
  private async report(reply: Reply, transport: Transport, address: string | undefined, port: number | undefined): Promise<void> {
    if (!reply.bytes) return;
    try {
      const peer = await this.ctx.net.identify(address, port);
      if (peer.host !== OUTSIDE) return;
      const asked = reply.question ? `${reply.question.name} ${reply.question.type}` : 'a malformed query';
      const status: HopStatus = reply.rcode === 'NOERROR' ? 'ok' : reply.rcode === 'REFUSED' ? 'refused' : 'failed';
      this.ctx.trace.report({
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
      });
    } catch {
      // the trace is for the class; a failure to report never costs an answer
    }
  }

  async close(): Promise<void> {
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
  if (!reply.question || !reply.response) return [{ dir: 'C', line: '(a message that is not a DNS query)' }, { dir: 'S', line: reply.rcode }];
  const lines: TranscriptLine[] = [{ dir: 'C', line: `${questionLine(reply.question.name, reply.question.type)}${transport === 'tcp' ? ' +tcp' : ''}` }];
  if (reply.truncated) {
    lines.push({ dir: 'S', line: 'TC: the answer does not fit a UDP datagram; ask again over TCP' });
    return lines;
  }
  for (const line of answerLines(reply.response)) lines.push({ dir: 'S', line });
  for (const r of reply.response.additionals) if (r.type !== 41 /* OPT */) lines.push({ dir: 'S', line: recordLine(r) });
  return lines;
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
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
