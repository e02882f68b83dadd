// A flood of queries from one asker (dnsperf, a resolver that keeps one socket) gets a UDP socket
// of its own: bound to the name server's port with SO_REUSEPORT and connected to the asker, so
// the kernel hands it that asker's datagrams, and its answers go out with no address for Node to
// look up and parse on every send (a fifth to a quarter more answers per second from one asker on
// this project's machine). An asker quiet for IDLE_TICKS seconds loses its socket again. Everyone
// else, dig and the lab's own hosts among them, is answered on the name server's one socket.
import dgram from 'node:dgram';

/** Datagrams from one (address, port) within a second that earn it a socket of its own. */
export const FLOW_AFTER = 1_000;
/** At most this many askers with sockets of their own. */
const MAX_FLOWS = 8;
/** Seconds without a datagram before an asker's socket is closed. */
const IDLE_TICKS = 5;

/** Answer a datagram: on `connected` (the asker's own socket) when given, else on the main socket. */
export type Answer = (bytes: Buffer, rinfo: dgram.RemoteInfo, connected?: dgram.Socket) => void;

interface Flow {
  socket: dgram.Socket;
  address: string;
  port: number;
  connected: boolean;
  heard: number;
  idle: number;
}

export class AskerFlows {
  private readonly options: dgram.SocketOptions;
  private readonly address: string;
  private readonly port: number;
  private readonly answer: Answer;
  /** datagrams this second, by the asker's port (with its address, should two share a port) */
  private counts = new Map<number, { address: string; n: number }>();
  private readonly flows = new Map<string, Flow>();
  /** askers whose socket could not be made: not tried again */
  private readonly refused = new Set<string>();
  private readonly tick: NodeJS.Timeout;
  /** datagrams answered on askers' own sockets, all told */
  answeredOwn = 0;
  /** called when an asker's own socket is connected (for tests and the trace's curious) */
  onOpen: ((address: string, port: number) => void) | undefined;

  constructor(options: dgram.SocketOptions, address: string, port: number, answer: Answer) {
    this.options = options;
    this.address = address;
    this.port = port;
    this.answer = answer;
    this.tick = setInterval(() => this.everySecond(), 1_000).unref();
  }

  /** How many askers have a socket of their own now. */
  get open(): number {
    let n = 0;
    for (const flow of this.flows.values()) if (flow.connected) n++;
    return n;
  }

  /** A datagram came on the name server's own socket from this asker. */
  seen(rinfo: dgram.RemoteInfo): void {
    const count = this.counts.get(rinfo.port);
    if (!count || count.address !== rinfo.address) {
      this.counts.set(rinfo.port, { address: rinfo.address, n: 1 });
      return;
    }
    if (++count.n === FLOW_AFTER) this.openFlow(rinfo.address, rinfo.port);
  }

  private openFlow(address: string, port: number): void {
    const key = `${address}|${port}`;
    if (this.flows.has(key) || this.refused.has(key) || this.flows.size >= MAX_FLOWS) return;
    const socket = dgram.createSocket({ ...this.options, reusePort: true });
    const flow: Flow = { socket, address, port, connected: false, heard: 0, idle: 0 };
    this.flows.set(key, flow);
    const drop = () => {
      this.refused.add(key);
      this.closeFlow(key);
    };
    socket.once('error', drop);
    socket.on('message', (bytes, rinfo) => {
      flow.heard++;
      // Until it is connected the socket is one of the group and may get anyone's datagram; a
      // connected socket cannot send elsewhere, so those are answered on the main socket.
      const own = flow.connected && rinfo.port === port && rinfo.address === address;
      if (own) this.answeredOwn++;
      this.answer(bytes, rinfo, own ? socket : undefined);
    });
    socket.bind(this.port, this.address, () => {
      socket.connect(port, address, () => {
        flow.connected = true;
        socket.off('error', drop);
        // a send to an asker that went away must not bring the server down
        socket.on('error', () => this.closeFlow(key));
        this.onOpen?.(address, port);
      });
    });
  }

  private everySecond(): void {
    this.counts = new Map();
    for (const [key, flow] of this.flows) {
      flow.idle = flow.heard === 0 ? flow.idle + 1 : 0;
      flow.heard = 0;
      if (flow.idle >= IDLE_TICKS) this.closeFlow(key);
    }
  }

  private closeFlow(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    try {
      flow.socket.close();
    } catch {
      // closed already
    }
  }

  close(): void {
    clearInterval(this.tick);
    for (const key of [...this.flows.keys()]) this.closeFlow(key);
  }
}
