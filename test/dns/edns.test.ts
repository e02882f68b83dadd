// EDNS (RFC 6891) and the DO bit (RFC 3225) as dig sees them: +dnssec, +bufsize, +edns=1, +noedns.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Packet } from 'dns2';
import { startDnsLab, dig, hasDig, askUdp, buildQuery, type DnsLab } from './dns-lab.ts';

let lab: DnsLab;
beforeAll(async () => {
  lab = await startDnsLab();
});
afterAll(() => lab?.close());

/** The OPT PSEUDOSECTION of dig's output: version, flags, udp size. */
function optOf(raw: string): { version?: number; flags: string[]; udp?: number } | undefined {
  const m = /; EDNS: version: (\d+), flags:([^;]*); udp: (\d+)/.exec(raw);
  if (!m) return undefined;
  return { version: Number(m[1]), flags: m[2].trim().split(/\s+/).filter(Boolean), udp: Number(m[3]) };
}

describe.skipIf(!hasDig)('EDNS with dig', () => {
  it('dig +dnssec: the DO bit comes back (RFC 3225 section 3), with an OPT of version 0 and our payload size', async () => {
    const out = await dig(lab.server.port, 'naver.com', 'MX', '+dnssec');
    expect(out.status).toBe('NOERROR');
    expect(optOf(out.raw)).toEqual({ version: 0, flags: ['do'], udp: 1232 });
    // without +dnssec the DO bit stays clear
    const plain = await dig(lab.server.port, 'naver.com', 'MX');
    expect(optOf(plain.raw)).toEqual({ version: 0, flags: [], udp: 1232 });
  });

  it('dig +noedns: no OPT in the answer', async () => {
    const out = await dig(lab.server.port, 'naver.com', 'MX', '+noedns');
    expect(out.status).toBe('NOERROR');
    expect(optOf(out.raw)).toBeUndefined();
  });

  it('dig +edns=1: BADVERS, with an OPT saying version 0 (RFC 6891 section 6.1.3)', async () => {
    const out = await dig(lab.server.port, 'naver.com', 'MX', '+edns=1', '+noednsnegotiation');
    expect(out.status).toBe('BADVERS');
    expect(optOf(out.raw)?.version).toBe(0);
    expect(out.sections.ANSWER).toBeUndefined();
  });

  it('dig +bufsize=512 +ignore of a long answer: cut at the asker\'s size with TC set; +bufsize=1232 fits', async () => {
    const cut = await dig(lab.server.port, 'big.school.test', 'A', '+bufsize=512', '+ignore', '+dnssec');
    expect(cut.flags).toContain('tc');
    expect(cut.sections.ANSWER).toBeUndefined();
    // the truncated answer still answers EDNS with EDNS, DO copied
    expect(optOf(cut.raw)).toEqual({ version: 0, flags: ['do'], udp: 1232 });
    const whole = await dig(lab.server.port, 'big.school.test', 'A', '+bufsize=1232');
    expect(whole.flags).not.toContain('tc');
    expect(whole.sections.ANSWER).toHaveLength(40);
  });
});

describe('EDNS on the wire', () => {
  it('never sends a datagram larger than the requester\'s payload size', async () => {
    for (const size of [512, 700, 900, 1232, 4096]) {
      const answer = await askUdp(lab.server.port, buildQuery('big.school.test', 'A', { edns: { size } }));
      expect(answer.length).toBeLessThanOrEqual(Math.min(size, 1232));
      const p = Packet.parse(answer);
      const fits = p.answers.length === 40;
      expect(p.header.tc).toBe(fits ? 0 : 1);
      expect(p.additionals.filter((r) => r.type === Packet.TYPE.EDNS)).toHaveLength(1);
    }
  });
});

describe('EDNS in a format error', () => {
  it('a query with one OPT and two questions gets FORMERR with an OPT (RFC 6891 section 6.1.1); two OPTs get FORMERR', async () => {
    const packet = new Packet();
    packet.header = new Packet.Header({ id: 99, rd: 1 });
    packet.questions.push(new Packet.Question('naver.com', Packet.TYPE.A, Packet.CLASS.IN), new Packet.Question('daum.net', Packet.TYPE.A, Packet.CLASS.IN));
    packet.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: 1232, doFlag: true }));
    const answer = Packet.parse(await askUdp(lab.server.port, packet.toBuffer()));
    expect(answer.header).toMatchObject({ id: 99, rcode: Packet.RCODE.FORMERR });
    const opt = answer.additionals.find((r) => r.type === Packet.TYPE.EDNS) as { doFlag?: boolean } | undefined;
    expect(opt?.doFlag).toBe(true);
    packet.questions.pop();
    packet.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: 1232 }));
    const two = Packet.parse(await askUdp(lab.server.port, packet.toBuffer()));
    expect(two.header.rcode).toBe(Packet.RCODE.FORMERR);
  });
});
