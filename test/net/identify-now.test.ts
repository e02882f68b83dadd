// Who sent a datagram, without waiting: a lab host's UDP socket is known from the moment it is
// bound; a connection is known at once unless a lab connection is still registering.
import { describe, it, expect } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { loadTopology } from '../../lab/topology/load.ts';
import { LoopbackNet, OUTSIDE } from '../../lab/net/lab-net.ts';
import { CLASSROOM } from '../dns/dns-lab.ts';

describe('identifyNow', () => {
  it('a lab host\'s UDP socket, at once; any other sender is outside, at once, even while lab connections are registering', async () => {
    const topology = loadTopology(CLASSROOM, { ports: 'auto' });
    const labNet = new LoopbackNet(topology);
    const socket = await labNet.udpSocket('Server-B');
    const { address, port } = socket.address();
    try {
      expect(labNet.identifyNow(address, port, 'udp')).toEqual({ host: 'Server-B', address: '192.168.111.200' });
      expect(labNet.identifyNow(`::ffff:${address}`, port, 'udp')).toEqual({ host: 'Server-B', address: '192.168.111.200' });
      expect(labNet.identifyNow('127.0.0.1', 1, 'udp')).toEqual({ host: OUTSIDE, address: '127.0.0.1' });
      expect(await labNet.identify(address, port)).toEqual(labNet.identifyNow(address, port, 'udp'));

      // a TCP connection a lab host is opening: until it registers, a loopback peer may be it
      const server = net.createServer((s) => s.destroy());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      labNet.bind('Server', 'smtp', (server.address() as net.AddressInfo).port);
      const opening = labNet.openSocket('Server-B', '192.168.111.100', 25);
      expect(labNet.identifyNow('127.0.0.1', 40000, 'tcp')).toBeUndefined();
      expect(labNet.identifyNow('127.0.0.1', 40000, 'udp')).toEqual({ host: OUTSIDE, address: '127.0.0.1' });
      expect(labNet.identifyNow('10.1.2.3', 40000, 'tcp')).toEqual({ host: OUTSIDE, address: '10.1.2.3' });
      await once(opening, 'connect');
      expect(labNet.identifyNow(opening.localAddress, opening.localPort, 'tcp')).toEqual({ host: 'Server-B', address: '192.168.111.200' });
      expect(labNet.identifyNow('127.0.0.1', 40000, 'tcp')).toEqual({ host: OUTSIDE, address: '127.0.0.1' });
      opening.destroy();
      server.close();
    } finally {
      socket.close();
    }
  });
});
