// The answer cache gives the very bytes the whole path (dns2's writer, every time) gives, for
// every kind of answer, with the asker's ID, RD bit and letters in the question.
import { describe, it, expect } from 'vitest';
import { Packet } from 'dns2';
import { loadTopology } from '../../lab/topology/load.ts';
import { parseZone } from '../../lab/topology/zone-file.ts';
import { Authority } from '../../lab/dns/authority.ts';
import { AnswerCache, readPlainQuery } from '../../lab/dns/answer-cache.ts';
import { respond, serverLines, type Transport } from '../../lab/dns/responder.ts';
import { CLASSROOM, SCHOOL_ZONE } from './dns-lab.ts';

const topology = loadTopology(CLASSROOM, { ports: 'auto' });
const zones = [...topology.zones, parseZone(SCHOOL_ZONE, 'school.test', 'school.test.zone')];
const authority = () => new Authority(zones);

interface Ask {
  id?: number;
  rd?: 0 | 1;
  cls?: number;
  edns?: { size: number; do?: boolean; version?: number; options?: { ednsCode: number; data?: Buffer }[] };
}

function query(name: string, type: number, ask: Ask = {}): Buffer {
  const p = new Packet();
  p.header = new Packet.Header({ id: ask.id ?? 0x1234, rd: ask.rd ?? 1 });
  p.questions.push(new Packet.Question(name, type, ask.cls ?? Packet.CLASS.IN));
  if (ask.edns) p.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: ask.edns.size, doFlag: ask.edns.do, version: ask.edns.version }));
  return p.toBuffer();
}

/** An OPT with one option dns2 has no decoder for (a COOKIE, as dig sends), written by hand. */
function withCookie(bytes: Buffer): Buffer {
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
  const out = Buffer.concat([bytes, opt]);
  out.writeUInt16BE(1, 10);
  return out;
}

const T = Packet.TYPE;
const NAMES: [string, number][] = [
  ['naver.com', T.MX], ['NaVeR.CoM', T.MX], ['mail.naver.com', T.A], ['MAIL.Naver.COM', T.A], ['daum.net', T.NS],
  ['naver.com', T.ANY], ['naver.com', T.TXT], ['nobody.naver.com', T.A], ['NoBody.NAVER.com', T.AAAA], ['x.y.naver.com', T.A],
  ['alias.school.test', T.A], ['ALIAS.school.TEST', T.A], ['www.school.test', T.CNAME], ['dangling.school.test', T.A],
  ['away.school.test', T.A], ['loop1.school.test', T.A], ['mailhost.school.test', T.A], ['empty.school.test', T.A],
  ['text.school.test', T.TXT], ['big.school.test', T.A], ['BIG.School.Test', T.A], ['two.school.test', T.MX],
  ['google.com', T.A], ['GOOGLE.com', T.MX], ['com', T.A], ['naver.com', T.AXFR], ['naver.com', T.MAILB], ['naver.com', T.EDNS],
  ['naver.com', 65], ['nomail.school.test', T.MX],
];
const ASKS: Ask[] = [
  {}, { rd: 0 }, { edns: { size: 512 } }, { edns: { size: 700, do: true } }, { edns: { size: 1232 } }, { edns: { size: 4096, do: true } },
  { edns: { size: 100 } }, { cls: Packet.CLASS.CH }, { cls: Packet.CLASS.ANY },
];

describe('the answer cache', () => {
  for (const transport of ['udp', 'tcp'] as Transport[]) {
    it(`${transport}: the same bytes, question, rcode, TC and transcript lines as the whole path, asked twice with other IDs`, () => {
      const cache = new AnswerCache(authority());
      const whole = authority();
      let n = 0;
      for (const [name, type] of NAMES) {
        for (const ask of ASKS) {
          for (const id of [0x0102, 0xfeff]) {
            const bytes = query(name, type, { ...ask, id, rd: ask.rd ?? (id & 1 ? 1 : 0) });
            expect(readPlainQuery(bytes), `${name} is plain`).toBeDefined();
            const a = cache.respond(bytes, transport);
            const b = respond(bytes, whole, transport);
            const what = `${name} ${type} ${JSON.stringify(ask)} id ${id}`;
            expect(a.bytes?.toString('hex'), what).toBe(b.bytes?.toString('hex'));
            expect([a.question, a.rcode, a.truncated], what).toEqual([b.question, b.rcode, b.truncated]);
            expect(serverLines(a), what).toEqual(serverLines(b));
            n++;
          }
        }
      }
      // the second ID of each query was a hit; one entry per (name in any case, type, class, EDNS)
      expect(cache.hits + cache.misses).toBe(n);
      expect(cache.hits).toBeGreaterThan(n / 2);
    });
  }

  it('one encoding serves every size a datagram may take: whole, without the additional section, or cut with TC', () => {
    const cache = new AnswerCache(authority());
    const whole = authority();
    for (const size of [512, 600, 700, 800, 900, 1000, 1100, 1232, 1500, 4096, 600, 512]) {
      const bytes = query('big.school.test', T.A, { edns: { size } });
      const a = cache.respond(bytes, 'udp');
      expect(a.bytes!.equals(respond(bytes, whole, 'udp').bytes!), `size ${size}`).toBe(true);
      expect(a.bytes!.length).toBeLessThanOrEqual(Math.min(Math.max(size, 512), 1232));
    }
    expect(cache.size).toBe(1);
    // glue dropped without TC (RFC 2181 section 9): two.school.test's MX fits, its A records are extra
    const mx = Packet.parse(cache.respond(query('two.school.test', T.MX), 'udp').bytes!);
    expect(mx.header.tc).toBe(0);
  });

  it('patches the ID, the RD bit and the letters of the question as asked (0x20), pointers and all', () => {
    const cache = new AnswerCache(authority());
    cache.respond(query('mail.naver.com', T.A, { id: 1, rd: 1 }), 'udp');
    const mixed = cache.respond(query('mAiL.NaVeR.cOm', T.A, { id: 0xbeef, rd: 0 }), 'udp');
    expect(cache.hits).toBe(1);
    const p = Packet.parse(mixed.bytes!);
    expect(p.header).toMatchObject({ id: 0xbeef, rd: 0, qr: 1, aa: 1, rcode: 0 });
    expect(p.questions[0].name).toBe('mAiL.NaVeR.cOm');
    // the answer's owner is a compression pointer to the question, so it reads as asked too (as before)
    expect(p.answers[0]).toMatchObject({ name: 'mAiL.NaVeR.cOm', address: '192.168.111.100' });
    expect(mixed.question).toEqual({ name: 'mAiL.NaVeR.cOm', type: 'A' });
  });

  it('anything unusual takes the whole path and still gets its answer', () => {
    const cache = new AnswerCache(authority());
    const whole = authority();
    const twoOpts = (() => {
      const p = Packet.parse(query('naver.com', T.A, { edns: { size: 1232 } }));
      p.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: 512 }));
      return p.toBuffer();
    })();
    const trailing = Buffer.concat([query('naver.com', T.A), Buffer.from([0])]);
    const status = query('naver.com', T.A);
    status[2] |= 2 << 3; // opcode STATUS
    const response = query('naver.com', T.A);
    response[2] |= 0x80;
    const dotted = query('a.b', T.A);
    dotted[13] = 0x2e; // a label holding a dot
    const ecs = (() => {
      const p = Packet.parse(query('naver.com', T.A));
      p.additionals.push(Packet.Resource.EDNS([Packet.Resource.EDNS.ECS('192.168.1.0/24')], { udpPayloadSize: 1232 }));
      return p.toBuffer();
    })();
    const odd = [
      ['version 1 (BADVERS)', query('naver.com', T.MX, { edns: { size: 1232, version: 1 } })],
      ['two OPTs', twoOpts], ['a trailing byte', trailing], ['opcode STATUS', status], ['a response', response],
      ['a dot in a label', dotted], ['ECS', ecs], ['garbage', Buffer.from('0123456789abcdefgh')], ['a runt', Buffer.from('hello')],
    ] as const;
    for (const [what, bytes] of odd) {
      expect(readPlainQuery(bytes), what).toBeUndefined();
      for (const transport of ['udp', 'tcp'] as const) {
        expect(cache.respond(bytes, transport).bytes?.toString('hex'), what).toBe(respond(bytes, whole, transport).bytes?.toString('hex'));
      }
    }
    expect(cache.size).toBe(0);
    // an option dns2 only skips (dig's COOKIE) is plain: answered from the cache, OPT echoed as before
    const cookie = withCookie(query('naver.com', T.MX));
    expect(readPlainQuery(cookie)).toMatchObject({ edns: 1, udpSize: 1232 });
    expect(cache.respond(cookie, 'udp').bytes!.equals(respond(cookie, whole, 'udp').bytes!)).toBe(true);
  });

  it('a flood of random names does not grow it past its bound; the names asked most stay', () => {
    const cache = new AnswerCache(authority(), { maxEntries: 100 });
    const hot = query('naver.com', T.MX);
    for (let i = 0; i < 5000; i++) {
      cache.respond(query(`r${i}.naver.com`, T.A), 'udp');
      cache.respond(query(`r${i}.example.org`, T.A), 'udp');
      if (i % 10 === 0) cache.respond(hot, 'udp');
    }
    expect(cache.size).toBe(100);
    const before = cache.hits;
    cache.respond(hot, 'udp');
    expect(cache.hits).toBe(before + 1);
  });
});
