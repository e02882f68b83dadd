import net from 'node:net';
import dgram from 'node:dgram';
import type { Topology } from '../topology/types.ts';
import { OUTSIDE, connected, type LabNet, type Peer } from './lab-net.ts';

/**
 * The containers runtime's network: every host really has its topology address (a container on
 * a Docker network with the topology's subnet), so a connection goes straight to the virtual
 * address and the caller is known by its real source address. Faults are Docker's own
 * (stop, network disconnect), so links here are always up.
 */
export class DirectNet implements LabNet {
  readonly topology: Topology;

  constructor(topology: Topology) {
    this.topology = topology;
  }

  openSocket(_from: string, address: string, port: number): net.Socket {
    return net.connect({ host: address, port });
  }

  connect(from: string, address: string, port: number): Promise<net.Socket> {
    return connected(this.openSocket(from, address, port));
  }

  async udpSocket(_from: string): Promise<dgram.Socket> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket;
  }

  endpoint(address: string, port: number): { host: string; port: number } | undefined {
    return { host: address, port };
  }

  async identify(remoteAddress: string | undefined, _remotePort: number | undefined): Promise<Peer> {
    const address = remoteAddress?.startsWith('::ffff:') ? remoteAddress.slice(7) : (remoteAddress ?? 'unknown');
    const host = this.hostAt(address);
    return host ? { host, address } : { host: OUTSIDE, address };
  }

  reachable(_from: string, _to: string): boolean {
    return true;
  }

  setLinkDown(_a: string, _b: string, _down: boolean): void {
    throw new Error('in the containers runtime a link goes down with docker network disconnect, not in the process');
  }

  hostAt(address: string): string | undefined {
    return this.topology.hosts.find((h) => h.address === address)?.name;
  }
}
