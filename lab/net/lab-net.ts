import net from 'node:net';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Topology } from '../topology/types.ts';
import type { Clock } from '../trace/lab-clock.ts';
import type { ServiceName } from '../topology/schema.ts';
import { STANDARD_PORTS } from '../topology/ports.ts';

/** Who is on the other end of a connection, as the lab sees it. */
export interface Peer {
  /** a host name from the topology, or 'outside' for anything no lab host opened */
  host: string;
  /** its virtual address (the topology's); the real address for outside peers */
  address: string;
}

export const OUTSIDE = 'outside';

/** An error a lab connection fails with, shaped like Node's own socket errors. */
export class LabNetError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The lab network (DESIGN.md, "the LAN 192.168.111.0/24"). Roles only ever name virtual
 * addresses and standard ports; the network maps them to real endpoints, tells who is calling,
 * and applies injected faults (a link down).
 */
export interface LabNet {
  readonly topology: Topology;
  /** Open a TCP connection from a lab host to a virtual address and standard port. */
  connect(from: string, address: string, port: number): Promise<net.Socket>;
  /** The same, returning the socket at once (for clients that want a socket synchronously, such as imapflow's transport); failures come as 'error'. */
  openSocket(from: string, address: string, port: number): net.Socket;
  /** A UDP socket for a lab host, bound and attributed to it. */
  udpSocket(from: string): Promise<dgram.Socket>;
  /** Where a virtual (address, standard port) really is, or undefined if nothing serves it. */
  endpoint(address: string, port: number): { host: string; port: number } | undefined;
  /** Tell who opened a connection or sent a datagram, from the remote side's real address and port. */
  identify(remoteAddress: string | undefined, remotePort: number | undefined): Promise<Peer>;
  /**
   * The same, at once, when the answer is already known: always for a datagram (a lab host's
   * UDP socket is registered when it is bound, before it sends), for a connection unless one
   * the lab opened may still be registering. undefined: ask identify().
   */
  identifyNow?(remoteAddress: string | undefined, remotePort: number | undefined, transport: 'tcp' | 'udp'): Peer | undefined;
  /** Whether traffic can pass between two lab hosts (links can be taken down). */
  reachable(from: string, to: string): boolean;
  setLinkDown(a: string, b: string, down: boolean): void;
  /** Which host a virtual address belongs to. */
  hostAt(address: string): string | undefined;
}

/**
 * The embedded runtime's network: every host's services listen on loopback ports; a connection
 * is attributed to the lab host that opened it by its local port (registered here when the host
 * connects), everything else comes from outside.
 */
export class LoopbackNet implements LabNet {
  readonly topology: Topology;
  private readonly realPorts = new Map<string, number>(); // "address:stdport" -> real port
  private readonly owners = new Map<string, string>(); // "realaddr:localport" -> host name
  private readonly registered = new EventEmitter();
  private readonly downLinks = new Set<string>();
  /** lab connections opened but not yet registered; only while some are can a peer be unknown for a moment */
  private pending = 0;

  /** the lab's clock: the idle time-outs of the sockets lab hosts open stand still while a hop is held */
  private readonly clock: Pick<Clock, 'track'> | undefined;

  constructor(topology: Topology, options: { clock?: Pick<Clock, 'track'> } = {}) {
    this.topology = topology;
    this.clock = options.clock;
    this.registered.setMaxListeners(0);
  }

  /** The runtime tells the network where a host's service really listens, once it does. */
  bind(hostName: string, service: ServiceName, realPort: number): void {
    const host = this.topology.hosts.find((h) => h.name === hostName);
    if (!host) throw new Error(`no host ${hostName} in the topology`);
    this.realPorts.set(`${host.address}:${STANDARD_PORTS[service]}`, realPort);
  }

  unbind(hostName: string, service: ServiceName): void {
    const host = this.topology.hosts.find((h) => h.name === hostName);
    if (host) this.realPorts.delete(`${host.address}:${STANDARD_PORTS[service]}`);
  }

  endpoint(address: string, port: number): { host: string; port: number } | undefined {
    const real = this.realPorts.get(`${address}:${port}`);
    return real === undefined ? undefined : { host: this.topology.listen, port: real };
  }

  hostAt(address: string): string | undefined {
    return this.topology.hosts.find((h) => h.address === address)?.name;
  }

  private addressOf(name: string): string {
    const host = this.topology.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no host ${name} in the topology`);
    return host.address;
  }

  private remember(localAddress: string | undefined, localPort: number | undefined, from: string): void {
    if (localPort === undefined) return;
    const key = `${normalise(localAddress)}:${localPort}`;
    this.owners.set(key, from);
    this.registered.emit(key, from);
  }

  private settle(): void {
    this.pending--;
    if (this.pending === 0) this.registered.emit('settled');
  }

  private forget(localAddress: string | undefined, localPort: number | undefined): void {
    if (localPort !== undefined) this.owners.delete(`${normalise(localAddress)}:${localPort}`);
  }

  openSocket(from: string, address: string, port: number): net.Socket {
    this.addressOf(from);
    const to = this.hostAt(address);
    const fail = (err: LabNetError) => {
      const socket = new net.Socket();
      process.nextTick(() => socket.destroy(err));
      return socket;
    };
    if (to && !this.reachable(from, to)) {
      return fail(new LabNetError('EHOSTUNREACH', `connect EHOSTUNREACH ${address}:${port} (the link ${from} - ${to} is down)`));
    }
    const real = this.endpoint(address, port);
    // Nothing listens there: a host that is down, or a port it does not serve.
    if (!real) return fail(new LabNetError('ECONNREFUSED', `connect ECONNREFUSED ${address}:${port}`));
    this.pending++;
    const socket = net.connect({ host: real.host, port: real.port });
    this.clock?.track(socket);
    const onError = () => this.settle();
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      const { localAddress, localPort } = socket;
      this.remember(localAddress, localPort, from);
      this.settle();
      socket.once('close', () => this.forget(localAddress, localPort));
    });
    return socket;
  }

  connect(from: string, address: string, port: number): Promise<net.Socket> {
    return connected(this.openSocket(from, address, port));
  }

  async udpSocket(from: string): Promise<dgram.Socket> {
    this.addressOf(from);
    const socket = dgram.createSocket(this.topology.listen.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, this.topology.listen, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const { address, port } = socket.address();
    this.remember(address, port, from);
    socket.once('close', () => this.forget(address, port));
    return socket;
  }

  identifyNow(remoteAddress: string | undefined, remotePort: number | undefined, transport: 'tcp' | 'udp'): Peer | undefined {
    const address = normalise(remoteAddress);
    const owner = this.owners.get(`${address}:${remotePort}`);
    if (owner) return { host: owner, address: this.addressOf(owner) };
    if (transport === 'tcp' && this.pending > 0 && remotePort !== undefined && isLoopback(remoteAddress)) return undefined;
    return { host: OUTSIDE, address };
  }

  async identify(remoteAddress: string | undefined, remotePort: number | undefined): Promise<Peer> {
    const key = `${normalise(remoteAddress)}:${remotePort}`;
    let owner = this.owners.get(key);
    if (!owner && this.pending > 0 && remotePort !== undefined && isLoopback(remoteAddress)) {
      // The accepting side can see a connection a moment before the connecting side's
      // 'connect' event registers it; while lab connections are in flight, wait for that.
      owner = await new Promise<string | undefined>((resolve) => {
        const done = (name: string | undefined) => {
          clearTimeout(timer);
          this.registered.off(key, done);
          this.registered.off('settled', settled);
          resolve(name);
        };
        const settled = () => done(this.owners.get(key));
        const timer = setTimeout(() => done(undefined), 500);
        this.registered.once(key, done);
        this.registered.once('settled', settled);
      });
    }
    if (!owner) return { host: OUTSIDE, address: normalise(remoteAddress) };
    return { host: owner, address: this.addressOf(owner) };
  }

  reachable(from: string, to: string): boolean {
    return !this.downLinks.has(linkKey(from, to));
  }

  setLinkDown(a: string, b: string, down: boolean): void {
    if (down) this.downLinks.add(linkKey(a, b));
    else this.downLinks.delete(linkKey(a, b));
  }
}

/** A socket once it has connected, or the error it failed with. */
export function connected(socket: net.Socket): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function linkKey(a: string, b: string): string {
  return [a, b].sort().join('<->');
}

function normalise(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function isLoopback(address: string | undefined): boolean {
  const a = normalise(address);
  return a.startsWith('127.') || a === '::1';
}
