// DNS (RFC 1035, EDNS from RFC 6891): queries built from the grammar with dns2's Packet (names,
// types, classes, flags, OPT records), valid and then mutated at the byte level, sent to
// Server's real name server over UDP (datagrams) and TCP (length-prefixed messages).
import dgram from 'node:dgram';
import net from 'node:net';
import { Packet } from 'dns2';
import type { Random } from '../random.ts';
import { mutateBytes, chunked } from '../mutate.ts';
import { toBase64, fromBase64, type Target, type FuzzCase, type Outcome } from '../target.ts';
import { runSession, settleOnce } from '../session.ts';
import { fuzzHost } from '../lab-host.ts';
import { startNameServer } from '../../lab/dns/name-server.ts';

const NAMES = ['naver.com', 'mail.naver.com', 'daum.net', 'mail.daum.net', 'ns.naver.com', 'NAVER.COM.', 'nothing.naver.com', 'google.com', '', '.', '*.naver.com', 'a.b.c.d.e.f.g.naver.com', `${'a'.repeat(63)}.naver.com`, `${'x.'.repeat(120)}com`, 'xn--hxajbheg2az3al.naver.com'];
const TYPES = ['A', 'MX', 'NS', 'SOA', 'TXT', 'AAAA', 'CNAME', 'PTR', 'ANY', 'AXFR', 'SRV', 'EDNS', 'MAILA'] as const;

function name(rng: Random): string {
  if (rng.chance(0.8)) return rng.pick(NAMES);
  return Array.from({ length: rng.int(1, 5) }, () => rng.word(rng.chance(0.1) ? 70 : 10)).join('.');
}

/** A query as dns2 writes it; a name dns2 cannot write is left out. */
export function dnsQuery(rng: Random): Buffer {
  const packet = new Packet();
  packet.header = new Packet.Header({
    id: rng.int(0, 65535),
    rd: rng.chance(0.5) ? 1 : 0,
    opcode: rng.chance(0.9) ? 0 : rng.int(0, 15),
    qr: rng.chance(0.03) ? 1 : 0,
    tc: rng.chance(0.05) ? 1 : 0,
    z: rng.chance(0.05) ? 1 : 0,
  });
  const questions = rng.chance(0.9) ? 1 : rng.int(0, 3);
  for (let i = 0; i < questions; i++) {
    const type = rng.chance(0.9) ? (Packet.TYPE as Record<string, number>)[rng.pick(TYPES)] ?? 1 : rng.int(0, 65535);
    const cls = rng.chance(0.9) ? Packet.CLASS.IN : rng.pick([Packet.CLASS.ANY, 3, 4, 254, rng.int(0, 65535)]);
    packet.questions.push(new Packet.Question(name(rng), type, cls));
  }
  const opts = rng.chance(0.6) ? 1 : rng.chance(0.1) ? 2 : 0;
  for (let i = 0; i < opts; i++) {
    packet.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: rng.pick([0, 100, 512, 1232, 4096, 65535]), version: rng.chance(0.8) ? 0 : rng.int(0, 255), doFlag: rng.chance(0.5) }));
  }
  try {
    return packet.toBuffer();
  } catch {
    packet.questions = [new Packet.Question('naver.com', Packet.TYPE.A, Packet.CLASS.IN)];
    return packet.toBuffer();
  }
}

function datagram(rng: Random): { bytes: Buffer; mutated: boolean } {
  const valid = dnsQuery(rng);
  const mutated = rng.chance(0.6);
  return { bytes: mutated ? mutateBytes(rng, valid, 4).subarray(0, 4096) : valid, mutated };
}

function frame(message: Buffer, rng: Random): Buffer {
  const length = Buffer.alloc(2);
  // mostly the true length; sometimes a lie (0, short, long)
  length.writeUInt16BE(rng.chance(0.85) ? message.length : rng.pick([0, 1, 11, message.length + 1, 65535]) & 0xffff);
  return Buffer.concat([length, message]);
}

/** A valid query for the probe; the answer must carry its ID. */
function probeQuery(id: number): Buffer {
  const packet = new Packet();
  packet.header = new Packet.Header({ id, rd: 1 });
  packet.questions.push(new Packet.Question('naver.com', Packet.TYPE.MX, Packet.CLASS.IN));
  return packet.toBuffer();
}

function udpAsk(port: number, datagrams: Buffer[], probe: Buffer | undefined, bound = 5000): Promise<Outcome> {
  const socket = dgram.createSocket('udp4');
  // without a probe the case is only sent: a datagram may rightly get no answer
  const { promise, finish } = settleOnce(probe ? bound : 20, () => (probe ? { ok: false, failure: 'unresponsive', detail: `no answer to a valid query within ${bound} ms` } : { ok: true }), () => socket.close());
  socket.on('error', () => finish({ ok: true }));
  socket.on('message', (msg) => {
    if (probe && msg.length >= 2 && msg.readUInt16BE(0) === probe.readUInt16BE(0)) finish({ ok: true });
  });
  socket.connect(port, '127.0.0.1', () => {
    for (const d of datagrams) socket.send(d);
    if (probe) socket.send(probe);
    else setImmediate(() => finish({ ok: true }));
  });
  return promise;
}

function tcpProbe(port: number, bound = 5000): Promise<Outcome> {
  const query = probeQuery(4321);
  const socket = net.connect(port, '127.0.0.1');
  let buffered = Buffer.alloc(0);
  const { promise, finish } = settleOnce(bound, () => ({ ok: false, failure: 'unresponsive', detail: `no TCP answer to a valid query within ${bound} ms` }), () => socket.destroy());
  socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    if (buffered.length >= 4 && buffered.length >= 2 + buffered.readUInt16BE(0)) finish(buffered.readUInt16BE(2) === 4321 ? { ok: true } : { ok: false, failure: 'unresponsive', detail: 'a TCP answer with the wrong ID' });
  });
  socket.on('error', (err) => finish({ ok: false, failure: 'unresponsive', detail: err.message }));
  socket.on('close', () => finish({ ok: false, failure: 'unresponsive', detail: 'closed without an answer' }));
  socket.once('connect', () => socket.write(Buffer.concat([Buffer.from([0, query.length]), query])));
  return promise;
}

async function dnsHarnessSetup(workDir: string) {
  const { ctx, net: labNet } = fuzzHost(workDir);
  const server = await startNameServer(ctx, { port: 0, tcpIdleMs: 2000, maxTcpClients: 400 });
  labNet.bind('Server', 'dns', server.port);
  return server;
}

export const dnsUdpTarget: Target = {
  name: 'dns-udp',
  concurrency: 8,
  generate(rng, index, seed): FuzzCase {
    const n = rng.chance(0.8) ? 1 : rng.int(2, 5);
    const grams = Array.from({ length: n }, () => datagram(rng));
    return { target: 'dns-udp', seed, index, kind: grams.some((g) => g.mutated) ? 'mutated' : 'valid', chunks: toBase64(grams.map((g) => g.bytes)) };
  },
  async setup(workDir) {
    const server = await dnsHarnessSetup(workDir);
    let id = 1;
    return {
      run: (c) => udpAsk(server.port, fromBase64(c.chunks), undefined),
      probe: () => udpAsk(server.port, [], probeQuery((id = (id + 1) & 0xffff))),
      close: () => server.close(),
    };
  },
};

export const dnsTcpTarget: Target = {
  name: 'dns-tcp',
  concurrency: 8,
  generate(rng, index, seed): FuzzCase {
    const n = rng.int(1, 4);
    let mutated = false;
    const parts = Array.from({ length: n }, () => {
      const g = datagram(rng);
      mutated ||= g.mutated;
      return frame(g.bytes, rng);
    });
    let bytes: Buffer = Buffer.concat(parts);
    if (rng.chance(0.2)) {
      bytes = mutateBytes(rng, bytes, 2);
      mutated = true;
    }
    return { target: 'dns-tcp', seed, index, kind: mutated ? 'mutated' : 'valid', chunks: toBase64(chunked(rng, bytes)) };
  },
  async setup(workDir) {
    const server = await dnsHarnessSetup(workDir);
    return {
      run: (c) => runSession(server.port, fromBase64(c.chunks)),
      probe: () => tcpProbe(server.port),
      close: () => server.close(),
    };
  },
};
