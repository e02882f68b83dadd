// Each host's stub resolver, asking the real name server through the lab network.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { Packet } from 'dns2';
import { DnsError, type DnsFailure } from '../../lab/net/resolver.ts';
import type { TranscriptLine } from '../../lab/trace/hop-event.ts';
import { startDnsLab, type DnsLab } from './dns-lab.ts';

async function failure(promise: Promise<unknown>): Promise<DnsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DnsError) return err;
    throw err;
  }
  throw new Error('expected a DnsError, got an answer');
}

/** A UDP socket standing in for a name server that misbehaves; it answers with `reply` if given. */
async function fakeNameServer(reply?: (query: Packet, send: (p: Packet) => void) => void) {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const queries: Packet[] = [];
  socket.on('message', (msg, rinfo) => {
    const query = Packet.parse(msg);
    queries.push(query);
    reply?.(query, (p) => socket.send(p.toBuffer(), rinfo.port, rinfo.address));
  });
  return { port: socket.address().port, queries, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

function answerA(query: Packet, id: number, name: string, address: string): Packet {
  const p = new Packet();
  p.header = new Packet.Header({ id, qr: 1, aa: 1 });
  p.questions = [new Packet.Question(name, Packet.TYPE.A, Packet.CLASS.IN)];
  p.answers = [new Packet.Resource({ name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 60, address })];
  return p;
}

describe('the stub resolver, through the lab network to the real name server', () => {
  let lab: DnsLab;
  beforeAll(async () => {
    lab = await startDnsLab();
  });
  afterAll(() => lab.close());

  /** Point Server's name server at another real port for one test. */
  async function withNameServerAt<T>(port: number, fn: () => Promise<T>): Promise<T> {
    lab.net.bind('Server', 'dns', port);
    try {
      return await fn();
    } finally {
      lab.net.bind('Server', 'dns', lab.server.port);
    }
  }

  it('resolveMx: naver.com -> mail.naver.com, and the dig-like log for the step-3 hop', async () => {
    const log: TranscriptLine[] = [];
    expect(await lab.resolver('Server-B').resolveMx('naver.com', log)).toEqual([{ exchange: 'mail.naver.com', preference: 10 }]);
    expect(log).toEqual([
      { dir: 'C', line: 'QUERY naver.com. IN MX' },
      { dir: 'S', line: 'naver.com. 10800 IN MX 10 mail.naver.com.' },
    ]);
  });

  it('resolveMx sorts by preference; resolveA is case-insensitive', async () => {
    const r = lab.resolver('Server-B');
    expect(await r.resolveMx('two.school.test')).toEqual([{ exchange: 'a.school.test', preference: 10 }, { exchange: 'b.school.test', preference: 20 }]);
    expect(await r.resolveA('MAIL.Daum.NET.')).toEqual(['192.168.111.200']);
  });

  it('a null MX (RFC 7505) comes back as the root name, for the MTA to refuse', async () => {
    expect(await lab.resolver('Server-B').resolveMx('nomail.school.test')).toEqual([{ exchange: '', preference: 0 }]);
  });

  it('resolveA follows CNAMEs, within a zone and across the lab zones', async () => {
    const log: TranscriptLine[] = [];
    expect(await lab.resolver('WinClient').resolveA('alias.school.test', log)).toEqual(['192.168.111.50']);
    expect(log.map((l) => l.line)).toEqual([
      'QUERY alias.school.test. IN A',
      'alias.school.test. 3600 IN CNAME www.school.test.',
      'www.school.test. 3600 IN CNAME web.school.test.',
      'web.school.test. 3600 IN A 192.168.111.50',
    ]);
    expect(await lab.resolver('WinClient').resolveA('mailhost.school.test')).toEqual(['192.168.111.100']);
  });

  it('a truncated answer is asked again over TCP', async () => {
    const log: TranscriptLine[] = [];
    const addresses = await lab.resolver('Server-B').resolveA('big.school.test', log);
    expect(addresses).toHaveLength(40);
    expect(addresses[39]).toBe('10.0.0.40');
    expect(log.slice(0, 3).map((l) => l.line)).toEqual(['QUERY big.school.test. IN A', ';; Truncated, retrying in TCP mode.', 'QUERY big.school.test. IN A +tcp']);
  });

  const codes: [DnsFailure, string, 'MX' | 'A', string, boolean][] = [
    ['NXDOMAIN', 'a name that does not exist', 'A', 'nobody.naver.com', false],
    ['NXDOMAIN', 'a CNAME to nowhere', 'A', 'dangling.school.test', false],
    ['NODATA', 'a name with an A record and no MX (the implicit MX case)', 'MX', 'onlya.school.test', false],
    ['NODATA', 'a name with only names below it', 'A', 'empty.school.test', false],
    ['REFUSED', 'a name outside the lab', 'MX', 'google.com', false],
    ['REFUSED', 'a CNAME that leads out of the lab', 'A', 'away.school.test', false],
    ['SERVFAIL', 'a CNAME loop', 'A', 'loop1.school.test', true],
  ];
  for (const [code, what, type, name, temporary] of codes) {
    it(`${code}: ${what} (${name} ${type})`, async () => {
      const log: TranscriptLine[] = [];
      const r = lab.resolver('Server-B');
      const err = await failure(type === 'MX' ? r.resolveMx(name, log) : r.resolveA(name, log));
      expect(err.code).toBe(code);
      expect(err.temporary).toBe(temporary);
      expect(err.type).toBe(type);
      expect(err.message).toContain(name);
      expect(log[0]).toEqual({ dir: 'C', line: `QUERY ${name}. IN ${type}` });
    });
  }

  it('the log says NXDOMAIN and NODATA the way the class will read them', async () => {
    const r = lab.resolver('Server-B');
    const nx: TranscriptLine[] = [];
    await failure(r.resolveMx('nobody.naver.com', nx));
    expect(nx).toEqual([{ dir: 'C', line: 'QUERY nobody.naver.com. IN MX' }, { dir: 'S', line: 'NXDOMAIN' }]);
    const nodata: TranscriptLine[] = [];
    await failure(r.resolveMx('mail.naver.com', nodata));
    expect(nodata).toEqual([{ dir: 'C', line: 'QUERY mail.naver.com. IN MX' }, { dir: 'S', line: 'NODATA' }]);
  });

  it('UNREACHABLE at once when the link to the name server is down', async () => {
    lab.net.setLinkDown('Server-B', 'Server', true);
    try {
      const log: TranscriptLine[] = [];
      const err = await failure(lab.resolver('Server-B', 60_000).resolveMx('naver.com', log));
      expect(err.code).toBe('UNREACHABLE');
      expect(err.temporary).toBe(true);
      expect(log[1]).toEqual({ dir: 'S', line: ';; communications error to 192.168.111.100#53: host unreachable' });
      // other hosts still reach it
      expect(await lab.resolver('Client').resolveA('mail.naver.com')).toEqual(['192.168.111.100']);
    } finally {
      lab.net.setLinkDown('Server-B', 'Server', false);
    }
  });

  it('UNREACHABLE at once when the name server host is down (nothing bound), as ICMP port unreachable', async () => {
    lab.net.unbind('Server', 'dns');
    try {
      const log: TranscriptLine[] = [];
      const started = performance.now();
      const err = await failure(lab.resolver('Server-B', 60_000).resolveA('mail.naver.com', log));
      expect(err.code).toBe('UNREACHABLE');
      expect(log[1].line).toBe(';; communications error to 192.168.111.100#53: connection refused');
      expect(performance.now() - started).toBeLessThan(60_000);
    } finally {
      lab.net.bind('Server', 'dns', lab.server.port);
    }
  });

  it('UNREACHABLE at once when the port it is bound to has closed (a real ICMP port unreachable)', async () => {
    const gone = await fakeNameServer();
    await gone.close();
    const err = await withNameServerAt(gone.port, () => failure(lab.resolver('Server-B', 60_000).resolveA('mail.naver.com')));
    expect(err.code).toBe('UNREACHABLE');
  });

  it('TIMEOUT when the name server does not answer: two tries, each with its own random ID', async () => {
    const silent = await fakeNameServer();
    try {
      const log: TranscriptLine[] = [];
      const err = await withNameServerAt(silent.port, () => failure(lab.resolver('Server-B', 150).resolveMx('naver.com', log)));
      expect(err.code).toBe('TIMEOUT');
      expect(err.temporary).toBe(true);
      expect(silent.queries).toHaveLength(2);
      expect(silent.queries.map((q) => [q.questions[0].name, q.questions[0].type])).toEqual([['naver.com', Packet.TYPE.MX], ['naver.com', Packet.TYPE.MX]]);
      expect(log.at(-1)).toEqual({ dir: 'S', line: ';; connection timed out; no servers could be reached' });
    } finally {
      await silent.close();
    }
  });

  it('answers with the wrong ID or for another question are ignored (RFC 5452)', async () => {
    const forger = await fakeNameServer((query, send) => {
      const { id } = query.header;
      send(answerA(query, (id + 1) & 0xffff, 'mail.naver.com', '6.6.6.6'));
      send(answerA(query, id, 'www.evil.test', '6.6.6.7'));
      send(answerA(query, id, 'mail.naver.com', '192.168.111.7'));
    });
    try {
      const addresses = await withNameServerAt(forger.port, () => lab.resolver('Server-B', 2000).resolveA('mail.naver.com'));
      expect(addresses).toEqual(['192.168.111.7']);
      expect(forger.queries).toHaveLength(1);
      const ids = new Set<number>();
      for (let i = 0; i < 4; i++) {
        await withNameServerAt(forger.port, () => lab.resolver('Server-B', 2000).resolveA('mail.naver.com'));
        ids.add(forger.queries.at(-1)!.header.id);
      }
      expect(ids.size).toBeGreaterThan(1);
    } finally {
      await forger.close();
    }
  });
});
