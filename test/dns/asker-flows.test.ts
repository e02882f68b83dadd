// An asker that floods the name server (dnsperf's one socket) gets a UDP socket of its own,
// connected to it on the same port (lab/dns/asker-flows.ts): every query is still answered, from
// the name server's port, and once that socket is up the kernel hands the asker's queries to it.
// dig and other askers keep the main socket. Real datagrams on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { Packet } from 'dns2';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import { FLOW_AFTER } from '../../lab/dns/asker-flows.ts';
import { askUdp, buildQuery, startDnsLab, type DnsLab } from './dns-lab.ts';

/** Send `count` queries from one socket, 50 outstanding at a time; the answers by ID, with their source ports. */
async function flood(socket: dgram.Socket, port: number, count: number, firstId: number): Promise<Map<number, { rcode: number; from: number }>> {
  const answers = new Map<number, { rcode: number; from: number }>();
  let next = firstId;
  const end = firstId + count;
  await new Promise<void>((resolve) => {
    const send = () => {
      if (next < end) socket.send(buildQuery(next % 2 ? 'naver.com' : 'nobody.daum.net', 'MX', { id: next++ }), port, '127.0.0.1');
    };
    socket.on('message', (bytes, rinfo) => {
      const p = Packet.parse(bytes);
      answers.set(p.header.id, { rcode: p.header.rcode, from: rinfo.port });
      if (answers.size === count) resolve();
      else send();
    });
    for (let i = 0; i < 50; i++) send();
  });
  socket.removeAllListeners('message');
  return answers;
}

describe('an asker that floods the name server', () => {
  let lab: DnsLab;
  beforeAll(async () => {
    lab = await startDnsLab({ trace: new TraceBus() });
  });
  afterAll(() => lab.close());

  it('gets a socket of its own, and every query is answered from the name server port', async () => {
    const flows = lab.server.flows!;
    const opened = new Promise<[string, number]>((resolve) => (flows.onOpen = (a, p) => resolve([a, p])));
    const asker = dgram.createSocket('udp4');
    asker.bind(0, '127.0.0.1');
    await once(asker, 'listening');
    const port = lab.server.port;
    // enough within any one second of the server's count
    const first = await flood(asker, port, 3 * FLOW_AFTER, 0);
    expect(first.size).toBe(3 * FLOW_AFTER);
    expect([...first.values()].every((a) => a.from === port)).toBe(true);
    expect(await opened).toEqual(['127.0.0.1', asker.address().port]);
    expect(flows.open).toBe(1);
    // now on its own socket: still every query, with the right answers, from the same port
    const second = await flood(asker, port, 500, 10_000);
    expect(second.size).toBe(500);
    expect([...second.entries()].every(([id, a]) => a.from === port && a.rcode === (id % 2 ? Packet.RCODE.NOERROR : Packet.RCODE.NXDOMAIN))).toBe(true);
    expect(flows.answeredOwn).toBeGreaterThanOrEqual(500);
    // another asker (dig) is answered as ever, on the main socket
    const answered = flows.answeredOwn;
    const p = Packet.parse(await askUdp(port, buildQuery('naver.com', 'MX', { id: 99 })));
    expect(p.header).toMatchObject({ id: 99, rcode: Packet.RCODE.NOERROR });
    expect(flows.answeredOwn).toBe(answered);
    asker.close();
  });
});

describe('a burst of datagrams', () => {
  let lab: DnsLab;
  beforeAll(async () => {
    lab = await startDnsLab({ trace: new TraceBus() });
  });
  afterAll(() => lab.close());

  it('is answered together once it has been read (lab/dns/outbox.ts), every answer in order', async () => {
    // the asker's 10 datagrams are all queued before the server (this process) reads any, so
    // libuv reads them in one go; each answer must wait for the last of them to be read
    const events: string[] = [];
    const answers = lab.server.answers;
    const respond = answers.respond.bind(answers);
    answers.respond = (bytes, transport) => {
      events.push('read');
      return respond(bytes, transport);
    };
    const main = (lab.server as unknown as { udp: dgram.Socket }).udp;
    const send = main.send.bind(main) as (...args: unknown[]) => void;
    (main as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
      events.push('sent');
      send(...args);
    };
    const asker = dgram.createSocket('udp4');
    asker.bind(0, '127.0.0.1');
    await once(asker, 'listening');
    const ids: number[] = [];
    const all = new Promise<void>((resolve) =>
      asker.on('message', (bytes) => {
        ids.push(Packet.parse(bytes).header.id);
        if (ids.length === 10) resolve();
      }),
    );
    for (let id = 1; id <= 10; id++) asker.send(buildQuery('naver.com', 'MX', { id }), lab.server.port, '127.0.0.1');
    await all;
    asker.close();
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events).toEqual([...Array(10).fill('read'), ...Array(10).fill('sent')]);
  });
});
