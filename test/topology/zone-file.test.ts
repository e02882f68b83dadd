import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseZone, ZoneFileError, type ResourceRecord } from '../../lab/topology/zone-file.ts';

const ZONES = path.join(import.meta.dirname, '..', '..', 'topology', 'zones');
const hasCheckzone = (() => {
  try {
    execFileSync('named-checkzone', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A minimal valid head, so each test adds only the lines it is about. */
const HEAD = `$TTL 3H
@ IN SOA @ root. ( 2 1D 1H 1W 1H )
  IN NS @
  IN A 192.168.111.100
`;

function errorOf(text: string, origin = 'naver.com'): ZoneFileError {
  try {
    parseZone(text, origin, 'naver.com.zone');
  } catch (err) {
    if (err instanceof ZoneFileError) return err;
    throw err;
  }
  throw new Error('expected a ZoneFileError, got none');
}

function find(records: ResourceRecord[], name: string, type: string): ResourceRecord[] {
  return records.filter((r) => r.name === name && r.type === type);
}

/** A record as `named-checkzone -D` prints it, lower-cased, single-spaced. */
function presentation(r: ResourceRecord): string {
  const n = (name: string) => `${name}.`;
  const data = {
    SOA: () => r.type === 'SOA' && `${n(r.mname)} ${n(r.rname)} ${r.serial} ${r.refresh} ${r.retry} ${r.expire} ${r.minimum}`,
    NS: () => r.type === 'NS' && n(r.host),
    MX: () => r.type === 'MX' && `${r.preference} ${n(r.exchange)}`,
    A: () => r.type === 'A' && r.address,
    AAAA: () => r.type === 'AAAA' && r.address,
    CNAME: () => r.type === 'CNAME' && n(r.target),
    PTR: () => r.type === 'PTR' && n(r.target),
    TXT: () => r.type === 'TXT' && r.strings.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(' '),
  }[r.type]();
  return `${n(r.name)} ${r.ttl} in ${r.type} ${data}`.toLowerCase();
}

describe('the shipped zones (the seed bind9 style)', () => {
  it('naver.com: SOA with unit times, an empty owner that inherits @, MX and the hosts', () => {
    const text = fs.readFileSync(path.join(ZONES, 'naver.com.zone'), 'utf8');
    const zone = parseZone(text, 'naver.com', 'naver.com.zone');
    expect(zone.origin).toBe('naver.com');
    expect(zone.records.map(presentation)).toEqual([
      'naver.com. 10800 in SOA naver.com. root. 2 86400 3600 604800 3600'.toLowerCase(),
      'naver.com. 10800 in ns naver.com.',
      'naver.com. 10800 in a 192.168.111.100',
      'naver.com. 10800 in mx 10 mail.naver.com.',
      'mail.naver.com. 10800 in a 192.168.111.100',
      'ns.naver.com. 10800 in a 192.168.111.100',
    ]);
    // the MX line comes after a blank line and still belongs to @
    expect(find(zone.records, 'naver.com', 'MX')[0].line).toBe(text.split('\n').findIndex((l) => l.includes('MX')) + 1);
  });

  it('daum.net: its name server is ns.naver.com, outside the zone', () => {
    const zone = parseZone(fs.readFileSync(path.join(ZONES, 'daum.net.zone'), 'utf8'), 'daum.net', 'daum.net.zone');
    expect(find(zone.records, 'daum.net', 'NS')).toMatchObject([{ host: 'ns.naver.com' }]);
    expect(find(zone.records, 'daum.net', 'MX')).toMatchObject([{ preference: 10, exchange: 'mail.daum.net', ttl: 10800 }]);
    expect(find(zone.records, 'mail.daum.net', 'A')).toMatchObject([{ address: '192.168.111.200' }]);
  });

  it.skipIf(!hasCheckzone)('agrees with named-checkzone on the shipped zones', () => {
    for (const origin of ['naver.com', 'daum.net']) {
      const file = path.join(ZONES, `${origin}.zone`);
      const ours = parseZone(fs.readFileSync(file, 'utf8'), origin, file).records.map(presentation).sort();
      expect(ours).toEqual(checkzoneDump(origin, file));
    }
  });
});

/** named-checkzone's canonical dump of a zone: the oracle for what BIND makes of the syntax. */
function checkzoneDump(origin: string, file: string): string[] {
  const out = execFileSync('named-checkzone', ['-D', '-o', '-', origin, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => /\sIN\s/.test(l)).map((l) => l.trim().split(/\s+/).join(' ').toLowerCase()).sort();
}

const FEATURES = `; every syntax feature at once
$TTL 1h30m
$ORIGIN Example.TEST.
@\tIN\tSOA\tns\thostmaster ( 2024010101 ; serial, a comment inside the parentheses
\t\t3H\t; refresh
\t\t15M\t; retry
\t\t1W\t; expire
\t\t1D )\t; minimum
\tNS\tns
ns\t3600\tIN\tA\t192.168.111.100
MAIL\tIN\t2h\tA\t192.168.111.101

; a blank line and a comment line do not end the owner
\tin\taaaa\tFD00::0:101
\t1W\tMX\t5\tmail
@\tMX\t10 mail.example.test.
www\t\tCNAME\tmail
$ORIGIN sub
host\tA\t10.1.2.3
$ORIGIN example.test.
txt\tTXT\t"a \\"quoted\\" word; not a comment" plain \\065BC "\\\\back"
100\tPTR\tmail
`;

describe('zone-file syntax', () => {
  const zone = parseZone(FEATURES, 'example.test', 'example.test.zone');

  it.skipIf(!hasCheckzone)('reads every feature the way named-checkzone does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-'));
    try {
      const file = path.join(dir, 'example.test.zone');
      fs.writeFileSync(file, FEATURES);
      expect(zone.records.map(presentation).sort()).toEqual(checkzoneDump('example.test', file));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('$TTL with units, and a TTL of its own per record (1h30m = 5400, 2h, 1W)', () => {
    expect(find(zone.records, 'example.test', 'NS')[0].ttl).toBe(5400);
    expect(find(zone.records, 'mail.example.test', 'A')[0].ttl).toBe(7200);
    expect(find(zone.records, 'mail.example.test', 'MX')[0].ttl).toBe(604800);
    // with $TTL set, an explicit TTL does not carry over to the next record
    expect(find(zone.records, 'mail.example.test', 'AAAA')[0].ttl).toBe(5400);
  });

  it('SOA times with units, across lines in parentheses with comments inside', () => {
    expect(zone.records[0]).toMatchObject({ type: 'SOA', name: 'example.test', mname: 'ns.example.test', rname: 'hostmaster.example.test', serial: 2024010101, refresh: 10800, retry: 900, expire: 604800, minimum: 86400, line: 4 });
  });

  it('TTL and class in either order, case-insensitive types and classes', () => {
    expect(find(zone.records, 'ns.example.test', 'A')[0]).toMatchObject({ ttl: 3600, address: '192.168.111.100' });
    expect(find(zone.records, 'mail.example.test', 'A')[0]).toMatchObject({ ttl: 7200, address: '192.168.111.101' });
    expect(find(zone.records, 'mail.example.test', 'AAAA')[0]).toMatchObject({ address: 'fd00::101' });
  });

  it('an empty owner inherits the previous owner, across blank and comment lines', () => {
    expect(find(zone.records, 'mail.example.test', 'AAAA')).toHaveLength(1);
    expect(find(zone.records, 'mail.example.test', 'MX')[0]).toMatchObject({ preference: 5, exchange: 'mail.example.test' });
    expect(find(zone.records, 'example.test', 'NS')[0]).toMatchObject({ host: 'ns.example.test' });
  });

  it('names: @, relative, absolute, relative $ORIGIN; all lower-case without the trailing dot', () => {
    expect(find(zone.records, 'example.test', 'MX')[0]).toMatchObject({ exchange: 'mail.example.test' });
    expect(find(zone.records, 'www.example.test', 'CNAME')[0]).toMatchObject({ target: 'mail.example.test' });
    expect(find(zone.records, 'host.sub.example.test', 'A')).toHaveLength(1);
    expect(find(zone.records, '100.example.test', 'PTR')[0]).toMatchObject({ target: 'mail.example.test' });
    expect(zone.records.every((r) => r.name === r.name.toLowerCase() && !r.name.endsWith('.'))).toBe(true);
  });

  it('quoted strings with escapes; a ";" inside quotes is text; \\DDD is a byte', () => {
    expect(find(zone.records, 'txt.example.test', 'TXT')[0]).toMatchObject({ strings: ['a "quoted" word; not a comment', 'plain', 'ABC', '\\back'] });
  });

  it('every record carries the line it starts on', () => {
    expect(find(zone.records, 'txt.example.test', 'TXT')[0].line).toBe(FEATURES.split('\n').findIndex((l) => l.startsWith('txt')) + 1);
  });

  it('without $TTL: the SOA takes its minimum, later records the last explicit TTL (RFC 1035)', () => {
    const z = parseZone('@ IN SOA ns root ( 1 1H 1H 1H 300 )\n 600 IN NS ns\nns IN A 10.0.0.1\n', 'a.test');
    expect(z.records.map((r) => r.ttl)).toEqual([300, 600, 600]);
  });

  it('a ( may sit next to a field and a ) may end a line early', () => {
    const z = parseZone('$TTL 60\n@ SOA ns root (1 2 3 4\n 5)\n NS ns\nns A 10.0.0.1\nt TXT ("x"\n "y")\n', 'b.test');
    expect(find(z.records, 'b.test', 'SOA')[0]).toMatchObject({ serial: 1, minimum: 5 });
    expect(find(z.records, 't.b.test', 'TXT')[0]).toMatchObject({ strings: ['x', 'y'] });
  });

  it('"." is the root name: a null MX (RFC 7505)', () => {
    const z = parseZone(HEAD + ' IN MX 0 .\n', 'naver.com');
    expect(find(z.records, 'naver.com', 'MX')[0]).toMatchObject({ preference: 0, exchange: '' });
  });

  it('CRLF line ends are read like LF', () => {
    const z = parseZone(HEAD.replace(/\n/g, '\r\n') + 'mail IN A 192.168.111.7\r\n', 'naver.com');
    expect(find(z.records, 'mail.naver.com', 'A')[0]).toMatchObject({ address: '192.168.111.7' });
  });
});

describe('zone-file errors: the file, the line, and what to write instead', () => {
  const cases: [string, string, number, RegExp][] = [
    ['MX without a preference', HEAD + 'mail IN A 192.168.111.100\n IN MX mail.naver.com.\n', 6, /MX needs a preference and a host, e\.g\. "IN MX 10 mail\.naver\.com\."/],
    ['MX with a word for a preference', HEAD + 'mail IN A 192.168.111.100\n IN MX ten mail\n', 6, /MX needs a preference \(a number/],
    ['MX preference too large', HEAD + 'mail IN A 192.168.111.100\n IN MX 70000 mail\n', 6, /whole number from 0 to 65535/],
    ['an A record with a bad address', HEAD + 'mail IN A 192.168.111.300\n', 5, /"192\.168\.111\.300" is not an IPv4 address; write four numbers 0-255.*mail IN A 192\.168\.111\.100/],
    ['an AAAA record with a bad address', HEAD + 'mail IN AAAA fd00::zz\n', 5, /is not an IPv6 address; write it as e\.g\./],
    ['an A record with two addresses', HEAD + 'mail IN A 10.0.0.1 10.0.0.2\n', 5, /A needs one IPv4 address/],
    ['a "(" never closed', HEAD + 'x IN TXT ( "a"\n "b"\n', 5, /the "\(" opened here is never closed; close it with "\)"/],
    ['a ")" without "("', HEAD + 'x IN A 10.0.0.1 )\n', 5, /a "\)" without a "\(" before it/],
    ['nested parentheses', HEAD + 'x IN TXT ( ( "a" ) )\n', 5, /inside another "\("/],
    ['a quoted string not closed', HEAD + 'x IN TXT "open\n', 5, /quoted string is not closed/],
    ['a TTL with a bad unit', HEAD + 'x 3X IN A 10.0.0.1\n', 5, /"3X" is not a time for the TTL; write seconds \(10800\) or numbers with units/],
    ['$TTL without a value', '$TTL\n' + HEAD, 1, /\$TTL needs one time, e\.g\. "\$TTL 3H"/],
    ['$TTL with a bad value', '$TTL 3 hours\n' + HEAD, 1, /\$TTL needs one time/],
    ['$INCLUDE', HEAD + '$INCLUDE other.zone\n', 5, /\$INCLUDE is not supported by the lab/],
    ['$ORIGIN without a name', HEAD + '$ORIGIN\n', 5, /\$ORIGIN needs one domain name, e\.g\. "\$ORIGIN naver\.com\."/],
    ['the first record with a blank owner', '$TTL 3H\n  IN SOA @ root. ( 2 1D 1H 1W 1H )\n', 2, /no owner name.*write "@" for naver\.com itself/],
    ['a record without a type', HEAD + 'mail IN 3H\n', 5, /a record type is missing after "mail IN 3H"; write e\.g\. "mail IN A/],
    ['a type the lab does not serve', HEAD + '_sip._tcp IN SRV 0 5 5060 sip\n', 5, /"SRV" is not a record type the lab serves; write one of SOA, NS, MX, A, AAAA, CNAME, TXT, PTR/],
    ['a class other than IN', HEAD + 'x CH A 10.0.0.1\n', 5, /class CH is not served in the lab; write IN/],
    ['a TTL given twice', HEAD + 'x 3H 1H A 10.0.0.1\n', 5, /"1H" is not a record type.*a TTL or a class appears twice/],
    ['a name outside the zone', HEAD + 'mail.daum.net. IN A 10.0.0.1\n', 5, /mail\.daum\.net is outside the zone naver\.com; write a name ending in naver\.com\./],
    ['a name with a bad character', HEAD + 'mail!box IN A 10.0.0.1\n', 5, /"mail!box" is not a valid domain name/],
    ['a label longer than 63', HEAD + `${'a'.repeat(64)} IN A 10.0.0.1\n`, 5, /at most 63 each/],
    ['an empty label', HEAD + 'mail..x IN A 10.0.0.1\n', 5, /not a valid domain name/],
    ['a wildcard', HEAD + '* IN A 10.0.0.1\n', 5, /wildcard names \("\*"\) are not served in the lab/],
    ['a TXT string over 255 bytes', HEAD + `x IN TXT "${'y'.repeat(256)}"\n`, 5, /longer than 255 bytes; split it into several quoted strings/],
    ['TXT without a string', HEAD + 'x IN TXT\n', 5, /TXT needs at least one string/],
    ['an SOA with too few fields', '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W )\n IN NS @\n', 2, /SOA needs the primary name server, the administrator's mailbox and five numbers.*"@ IN SOA @ root\. \( 2 1D 1H 1W 1H \)"/],
    ['an SOA serial with a unit', '$TTL 3H\n@ IN SOA @ root. ( 2D 1D 1H 1W 1H )\n IN NS @\n', 2, /"2D" is not a number for the SOA serial/],
    ['an SOA retry that is no time', '$TTL 3H\n@ IN SOA @ root. ( 2 1D soon 1W 1H )\n IN NS @\n', 2, /"soon" is not a time for the SOA retry time/],
    ['no SOA', '$TTL 3H\n@ IN NS ns\nns IN A 10.0.0.1\n', 1, /has no SOA record; start it with "\$TTL 3H" and "@ IN SOA @ root\. \( 2 1D 1H 1W 1H \)"/],
    ['two SOA records', HEAD + '@ IN SOA @ root. ( 3 1D 1H 1W 1H )\n', 5, /a second SOA record; a zone has exactly one/],
    ['an SOA not at the apex', '$TTL 3H\nwww IN SOA @ root. ( 2 1D 1H 1W 1H )\n@ IN NS ns\nns IN A 10.0.0.1\n', 2, /belongs to www\.naver\.com, not the zone naver\.com; write its owner as "@"/],
    ['no NS at the apex', '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n IN A 10.0.0.1\n', 4, /has no NS record; add one under the SOA, e\.g\. "@ IN NS ns\.naver\.com\."/],
    ['a CNAME with other data', HEAD + 'www IN CNAME @\nwww IN A 10.0.0.1\n', 6, /www\.naver\.com has a CNAME and a A record; a CNAME must stand alone \(RFC 1034 section 3\.6\.2\)/],
    ['an NS host without an address', '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n IN NS ns\n', 3, /named-checkzone: NS 'ns\.naver\.com' has no address records \(A or AAAA\); add its address, e\.g\. "ns IN A 192\.168\.111\.100" \(BIND does not load this zone\)/],
    ['an NS host that is a CNAME', '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n IN NS ns\nns IN CNAME mail\nmail IN A 192.168.111.100\n', 3, /named-checkzone: NS 'ns\.naver\.com' is a CNAME \(illegal\)/],
    ['an NS written without its final dot', '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n IN NS ns.naver.com\nns IN A 192.168.111.100\n', 3, /NS 'ns\.naver\.com\.naver\.com' has no address records.*write "ns\.naver\.com\." \(with the final dot\) or "ns"/],
    ['no TTL anywhere', '@ IN NS ns\n', 1, /this record has no TTL; put "\$TTL 3H" at the top of the file/],
    ['a backslash in a name', HEAD + 'a\\.b IN A 10.0.0.1\n', 5, /is not a plain domain name/],
    ['an escape that is no byte', HEAD + 'x IN TXT "\\300"\n', 5, /"\\300" is not a byte/],
  ];
  for (const [what, text, line, message] of cases) {
    it(what, () => {
      const err = errorOf(text);
      expect(err).toBeInstanceOf(ZoneFileError);
      expect(err.file).toBe('naver.com.zone');
      expect(err.line).toBe(line);
      expect(err.message.startsWith(`naver.com.zone:${line}: `)).toBe(true);
      expect(err.message).toMatch(message);
      // and in Korean, for a Korean class: no English sentence left
      expect(err.ko.startsWith(`naver.com.zone:${line}: `)).toBe(true);
      expect(err.ko.slice(`naver.com.zone:${line}: `.length)).toMatch(/[가-힣]/);
      expect(err.ko).not.toMatch(/\b(write|needs|is not|has no|the zone)\b/);
    });
  }

  it('the example in a message uses the zone being read', () => {
    expect(errorOf('$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n IN NS ns\n', 'daum.net').message).toContain('"ns IN A 192.168.111.100"');
    const text = HEAD.replace('@ IN A', '@ IN A') + ' IN MX mail\n';
    expect(errorOf(text, 'daum.net').message).toContain('"IN MX 10 mail.daum.net."');
  });
});

describe('what BIND loads with a warning loads here too, with the same warning and the fix', () => {
  it('"MX 10 mail.naver.com" without the final dot: mail.naver.com.naver.com, no address (a warning, with file and line)', () => {
    const text = HEAD + ' IN MX 10 mail.naver.com\nmail IN A 192.168.111.100\n';
    const zone = parseZone(text, 'naver.com', 'naver.com.zone');
    expect(find(zone.records, 'naver.com', 'MX')[0]).toMatchObject({ exchange: 'mail.naver.com.naver.com', line: 5 });
    expect(zone.warnings).toHaveLength(1);
    expect(zone.warnings![0].line).toBe(5);
    expect(zone.warnings![0].en).toMatch(/^named-checkzone: naver\.com\/MX 'mail\.naver\.com\.naver\.com' has no address records \(A or AAAA\); the name has no final dot, so BIND added the zone to it: write "mail\.naver\.com\." \(with the final dot\) or "mail"/);
    expect(zone.warnings![0].ko).toMatch(/"mail\.naver\.com\."처럼 끝에 점을 찍거나 "mail"이라고 쓰세요/);
  });

  it('an MX host without an address, and an MX that is an alias: warnings, the zone loads', () => {
    expect(parseZone(HEAD + ' IN MX 10 mail\n', 'naver.com').warnings![0].en).toMatch(/naver\.com\/MX 'mail\.naver\.com' has no address records \(A or AAAA\); add its address, e\.g\. "mail IN A 192\.168\.111\.100"/);
    expect(parseZone(HEAD + ' IN MX 10 www\nwww IN CNAME @\n', 'naver.com').warnings![0].en).toMatch(/naver\.com\/MX 'www\.naver\.com' is a CNAME \(illegal\).*RFC 2181 section 10\.3/);
  });

  // The oracle: the real named-checkzone (bind9-utils) loads or refuses each zone as the lab does,
  // and warns about the same names.
  const verdicts: [string, string][] = [
    ['MX without the final dot', HEAD + ' IN MX 10 mail.naver.com\nmail IN A 192.168.111.100\n'],
    ['MX to another domain without the final dot', HEAD + ' IN MX 10 mail.daum.net\n'],
    ['MX host without an address', HEAD + ' IN MX 10 mail\n'],
    ['MX to a CNAME', HEAD + ' IN MX 10 www\nwww IN CNAME @\n'],
    ['NS without an address', '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n IN NS ns\n'],
    ['NS to a CNAME', '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n IN NS ns\nns IN CNAME mail\nmail IN A 192.168.111.100\n'],
    ['the shipped zone', fs.readFileSync(path.join(ZONES, 'naver.com.zone'), 'utf8')],
    ['the shipped mistake', fs.readFileSync(path.join(ZONES, 'naver.com.no-final-dot.zone'), 'utf8')],
  ];
  for (const [what, text] of verdicts) {
    it.skipIf(!hasCheckzone)(`${what}: loaded or refused as named-checkzone does${hasCheckzone ? '' : ' (skipped: named-checkzone is missing)'}`, () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-zone-')), 'naver.com.zone');
      fs.writeFileSync(file, text);
      let bind: { ok: boolean; out: string };
      try {
        bind = { ok: true, out: execFileSync('named-checkzone', ['naver.com', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
      } catch (err) {
        bind = { ok: false, out: String((err as { stdout?: string }).stdout ?? '') };
      }
      let ours: { ok: boolean; said: string };
      try {
        ours = { ok: true, said: (parseZone(text, 'naver.com', file).warnings ?? []).map((w) => w.en).join('\n') };
      } catch (err) {
        ours = { ok: false, said: (err as Error).message };
      }
      expect(ours.ok).toBe(bind.ok);
      // every complaint of BIND's ("naver.com/MX 'x' has no address records", "NS 'x' is a CNAME") is ours too
      const complaints = [...bind.out.matchAll(/zone naver\.com\/IN: (.*(?:has no address records|is a CNAME).*)/g)].map((m) => m[1].replace(/ \(illegal\)$/, ''));
      for (const c of complaints) expect(ours.said).toContain(c);
      if (!complaints.length) expect(ours.said).toBe('');
    });
  }
});
