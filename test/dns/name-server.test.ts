import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { Packet } from 'dns2';
import { startNameServer } from '../../lab/dns/name-server.ts';
import { startDnsLab, buildQuery, askUdp, askTcp, type DnsLab } from './dns-lab.ts';

const rr = (p: Packet) => ({
  answers: p.answers.map((r) => [r.name, Packet.typeName(r.type), r.ttl]),
  authorities: p.authorities.map((r) => [r.name, Packet.typeName(r.type), r.ttl]),
  additionals: p.additionals.filter((r) => r.type !== Packet.TYPE.EDNS).map((r) => [r.name, Packet.typeName(r.type), r.address]),
});

describe('the name server (bind9 role) over real UDP and TCP packets', () => {
  let lab: DnsLab;
  let port: number;
  const udp = async (name: string, type: keyof typeof Packet.TYPE, options = {}) => Packet.parse(await askUdp(port, buildQuery(name, type, options)));
  const tcp = async (name: string, type: keyof typeof Packet.TYPE, options = {}) => Packet.parse((await askTcp(port, [buildQuery(name, type, options)]))[0]);

  beforeAll(async () => {
    lab = await startDnsLab();
    port = lab.server.port;
  });
  afterAll(() => lab.close());

  for (const [transport, ask] of [['UDP', udp], ['TCP', tcp]] as const) {
    it(`${transport}: naver.com MX is authoritative, with mail.naver.com's A record in the additional section`, async () => {
      const p = await ask('naver.com', 'MX', { id: 777 });
      expect(p.header).toMatchObject({ id: 777, qr: 1, aa: 1, ra: 0, rd: 1, tc: 0, rcode: Packet.RCODE.NOERROR });
      expect(p.answers).toMatchObject([{ name: 'naver.com', type: Packet.TYPE.MX, ttl: 10800, priority: 10, exchange: 'mail.naver.com' }]);
      expect(p.additionals).toMatchObject([{ name: 'mail.naver.com', type: Packet.TYPE.A, address: '192.168.111.100' }]);
      expect(p.authorities).toEqual([]);
    });
  }

  it('daum.net NS carries the glue for ns.naver.com, from the other lab zone', async () => {
    const p = await udp('daum.net', 'NS');
    expect(p.answers).toMatchObject([{ type: Packet.TYPE.NS, ns: 'ns.naver.com' }]);
    expect(rr(p).additionals).toEqual([['ns.naver.com', 'A', '192.168.111.100']]);
  });

  it('names are case-insensitive', async () => {
    const p = await udp('MAIL.Naver.COM', 'A');
    expect(p.header.aa).toBe(1);
    expect(p.answers).toMatchObject([{ address: '192.168.111.100' }]);
  });

  it('NXDOMAIN carries the SOA in the authority section, TTL min(SOA TTL, minimum) (RFC 2308)', async () => {
    const p = await udp('nobody.naver.com', 'A');
    expect(p.header).toMatchObject({ aa: 1, rcode: Packet.RCODE.NXDOMAIN });
    expect(p.answers).toEqual([]);
    expect(p.authorities).toMatchObject([{ name: 'naver.com', type: Packet.TYPE.SOA, ttl: 3600, primary: 'naver.com', admin: 'root', serial: 2, minimum: 3600 }]);
  });

  it('NODATA: the name exists, the type does not; NOERROR with the SOA', async () => {
    const p = await udp('naver.com', 'TXT');
    expect(p.header).toMatchObject({ aa: 1, rcode: Packet.RCODE.NOERROR });
    expect(rr(p)).toEqual({ answers: [], authorities: [['naver.com', 'SOA', 3600]], additionals: [] });
    const mx = await udp('onlya.school.test', 'MX');
    expect(rr(mx)).toEqual({ answers: [], authorities: [['school.test', 'SOA', 300]], additionals: [] });
  });

  it('a name with only names below it (empty non-terminal) is NODATA, not NXDOMAIN', async () => {
    const p = await udp('empty.school.test', 'A');
    expect(p.header.rcode).toBe(Packet.RCODE.NOERROR);
    expect(rr(p).authorities).toEqual([['school.test', 'SOA', 300]]);
  });

  it('a CNAME inside the zones is followed: the answer holds the chain and the address', async () => {
    const p = await udp('alias.school.test', 'A');
    expect(p.header).toMatchObject({ aa: 1, rcode: Packet.RCODE.NOERROR });
    expect(p.answers.map((r) => [r.name, Packet.typeName(r.type), r.domain ?? r.address])).toEqual([
      ['alias.school.test', 'CNAME', 'www.school.test'],
      ['www.school.test', 'CNAME', 'web.school.test'],
      ['web.school.test', 'A', '192.168.111.50'],
    ]);
    const across = await udp('mailhost.school.test', 'A');
    expect(across.answers.map((r) => r.domain ?? r.address)).toEqual(['mail.naver.com', '192.168.111.100']);
  });

  it('asked for the CNAME itself, only the CNAME comes back', async () => {
    const p = await udp('www.school.test', 'CNAME');
    expect(rr(p).answers).toEqual([['www.school.test', 'CNAME', 3600]]);
  });

  it('a CNAME to a missing name answers NXDOMAIN with the CNAME and the SOA (RFC 6604)', async () => {
    const p = await udp('dangling.school.test', 'A');
    expect(p.header.rcode).toBe(Packet.RCODE.NXDOMAIN);
    expect(rr(p).answers).toEqual([['dangling.school.test', 'CNAME', 3600]]);
    expect(rr(p).authorities).toEqual([['school.test', 'SOA', 300]]);
  });

  it('a CNAME out of the lab is answered as far as it goes, never chased', async () => {
    const p = await udp('away.school.test', 'A');
    expect(p.header).toMatchObject({ rcode: Packet.RCODE.NOERROR, ra: 0 });
    expect(p.answers.map((r) => r.domain)).toEqual(['www.google.com']);
  });

  it('a CNAME loop ends: each alias once, NOERROR', async () => {
    const p = await udp('loop1.school.test', 'A');
    expect(p.answers.map((r) => r.domain)).toEqual(['loop2.school.test', 'loop1.school.test']);
  });

  it('a name outside the lab zones is REFUSED, without AA and without recursion', async () => {
    for (const name of ['google.com', 'naver.com.evil.test', 'com']) {
      const p = await udp(name, 'A');
      expect(p.header).toMatchObject({ rcode: Packet.RCODE.REFUSED, aa: 0, ra: 0 });
      expect(p.answers).toEqual([]);
    }
  });

  it('ANY returns every record of the name', async () => {
    const p = await udp('naver.com', 'ANY');
    expect(p.answers.map((r) => Packet.typeName(r.type)).sort()).toEqual(['A', 'MX', 'NS', 'SOA']);
  });

  it('a type the zones do not hold (SRV) is NODATA', async () => {
    const p = await udp('naver.com', 'SRV');
    expect(p.header.rcode).toBe(Packet.RCODE.NOERROR);
    expect(rr(p).authorities).toEqual([['naver.com', 'SOA', 3600]]);
  });

  it('TXT strings come back as separate strings', async () => {
    const p = await udp('text.school.test', 'TXT');
    expect(p.answers[0].data).toEqual(['v=spf1 mx -all', 'second; string']);
  });

  it('an opcode other than QUERY is NOTIMP; a class other than IN is REFUSED (RFC 1035 section 4.1.1)', async () => {
    const status = await udp('naver.com', 'A', { opcode: 2, id: 9 });
    expect(status.header).toMatchObject({ id: 9, opcode: 2, rcode: Packet.RCODE.NOTIMP, aa: 0 });
    const chaos = await udp('version.bind', 'TXT', { cls: Packet.CLASS.CH });
    expect(chaos.header.rcode).toBe(Packet.RCODE.REFUSED);
    const hs = await udp('naver.com', 'A', { cls: Packet.CLASS.HS });
    expect(hs.header.rcode).toBe(Packet.RCODE.REFUSED);
  });

  it('zone transfers are refused; MAILB is not implemented', async () => {
    expect((await tcp('naver.com', 'AXFR')).header.rcode).toBe(Packet.RCODE.REFUSED);
    expect((await udp('naver.com', 'MAILB')).header.rcode).toBe(Packet.RCODE.NOTIMP);
  });

  it('EDNS is answered with EDNS; an unknown EDNS version gets BADVERS (RFC 6891)', async () => {
    const p = await udp('naver.com', 'MX', { edns: { size: 4096 } });
    const opt = p.additionals.find((r) => r.type === Packet.TYPE.EDNS);
    expect(opt).toMatchObject({ class: 1232 });
    const bad = await udp('naver.com', 'MX', { edns: { version: 1 } });
    expect(bad.header.rcode).toBe(16);
    expect(bad.answers).toEqual([]);
  });

  it('an answer over 512 bytes without EDNS is truncated (TC), whole over EDNS and over TCP', async () => {
    const small = await udp('big.school.test', 'A');
    expect(small.header).toMatchObject({ tc: 1, rcode: Packet.RCODE.NOERROR });
    expect(small.answers).toEqual([]);
    expect(small.questions).toMatchObject([{ name: 'big.school.test' }]);
    const edns = await udp('big.school.test', 'A', { edns: { size: 1232 } });
    expect(edns.header.tc).toBe(0);
    expect(edns.answers).toHaveLength(40);
    const overTcp = await tcp('big.school.test', 'A');
    expect(overTcp.header.tc).toBe(0);
    expect(overTcp.answers).toHaveLength(40);
  });

  it('garbage gets FORMERR with its ID, a runt gets nothing, and the next query is answered', async () => {
    const header = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const formerr = Packet.parse(await askUdp(port, Buffer.concat([header, Buffer.from([0x3f, 0x61])])));
    expect(formerr.header).toMatchObject({ id: 0xabcd, qr: 1, rcode: Packet.RCODE.FORMERR });
    // a 5-byte runt has no ID to answer: the first reply that comes is the real query's
    const next = Packet.parse(await askUdp(port, Buffer.from('hello'), buildQuery('naver.com', 'MX', { id: 31337 })));
    expect(next.header).toMatchObject({ id: 31337, rcode: Packet.RCODE.NOERROR });
    // two questions in one query
    const two = buildQuery('naver.com', 'A', { id: 55 });
    two.writeUInt16BE(2, 4);
    expect(Packet.parse(await askUdp(port, two)).header).toMatchObject({ id: 55, rcode: Packet.RCODE.FORMERR });
    // a response sent to the server is not answered (no loops between servers)
    const response = buildQuery('naver.com', 'A', { id: 56 });
    response[2] |= 0x80;
    expect(Packet.parse(await askUdp(port, response, buildQuery('naver.com', 'A', { id: 57 }))).header.id).toBe(57);
  });

  it('TCP: pipelined queries on one connection, a garbage message in between gets FORMERR', async () => {
    const garbage = Buffer.from('0123456789abcdefgh');
    const answers = (await askTcp(port, [buildQuery('naver.com', 'MX', { id: 1 }), garbage, buildQuery('daum.net', 'MX', { id: 2 })])).map((b) => Packet.parse(b));
    expect(answers.map((p) => [p.header.id, p.header.rcode])).toEqual([[1, 0], [0x3031, Packet.RCODE.FORMERR], [2, 0]]);
    expect(answers[2].answers).toMatchObject([{ exchange: 'mail.daum.net' }]);
  });

  it('queries from outside become dns hops without steps; a lab host\'s queries do not', async () => {
    const before = lab.trace.events.length;
    await udp('daum.net', 'MX', { id: 4321 });
    const event = await lab.trace.waitFor((e) => e.kind === 'dns' && e.seq > before, 5000);
    expect(event).toMatchObject({ from: 'outside', to: 'Server', toAddress: '192.168.111.100', status: 'ok', protocol: 'DNS/UDP' });
    expect(event.steps).toBeUndefined();
    expect(event.transcript).toEqual([
      { dir: 'C', line: 'QUERY daum.net. IN MX' },
      { dir: 'S', line: 'daum.net. 10800 IN MX 10 mail.daum.net.' },
      { dir: 'S', line: 'mail.daum.net. 10800 IN A 192.168.111.200' },
    ]);
    const refused = await udp('google.com', 'A');
    expect(refused.header.rcode).toBe(Packet.RCODE.REFUSED);
    const refusedEvent = await lab.trace.waitFor((e) => e.kind === 'dns' && e.status === 'refused' && e.seq > event.seq, 5000);
    expect(refusedEvent.transcript).toEqual([{ dir: 'C', line: 'QUERY google.com. IN A' }, { dir: 'S', line: 'REFUSED' }]);

    // Server-B's resolver asks through the lab network: answered, not reported by the server
    const count = lab.trace.events.length;
    await lab.resolver('Server-B').resolveMx('naver.com');
    await lab.resolver('Server-B').resolveA('big.school.test'); // UDP, then TCP
    await udp('naver.com', 'NS'); // an outside query after them, to know the server has reported what it would
    await lab.trace.waitFor((e) => e.seq > count && e.transcript?.[0].line === 'QUERY naver.com. IN NS', 5000);
    expect(lab.trace.events.slice(count).map((e) => e.from)).toEqual(['outside']);
  });

  it('listens on a port given to it, and a taken port is an error', async () => {
    const other = await startNameServer(lab.ctx, { port: 0 });
    try {
      const fixed = other.port;
      await expect(startNameServer(lab.ctx, { port: fixed })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const p = Packet.parse(await askUdp(fixed, buildQuery('naver.com', 'A')));
      expect(p.answers).toMatchObject([{ address: '192.168.111.100' }]);
      expect((await askTcp(fixed, [buildQuery('naver.com', 'A')])).length).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('TCP limits: connections over the limit are closed at once, idle ones after the idle time', async () => {
    const limited = await startNameServer(lab.ctx, { port: 0, maxTcpClients: 2, tcpIdleMs: 100 });
    const open = async () => {
      const socket = net.connect(limited.port, '127.0.0.1');
      await once(socket, 'connect');
      return socket;
    };
    try {
      const a = await open();
      const b = await open();
      // a third connection is closed at once, without an answer
      expect((await askTcp(limited.port, [buildQuery('naver.com', 'A')])).length).toBe(0);
      const closedA = once(a, 'close');
      const closedB = once(b, 'close');
      // idle connections end after tcpIdleMs (RFC 7766 section 6.2.3); then there is room again
      await Promise.all([closedA, closedB]);
      const answers = await askTcp(limited.port, [buildQuery('naver.com', 'A')]);
      expect(Packet.parse(answers[0]).answers).toMatchObject([{ address: '192.168.111.100' }]);
    } finally {
      await limited.close();
    }
  });
});
