import { josa } from '../trace/korean.ts';
import { zoneMessageKo } from './zone-file-ko.ts';

// BIND zone-file parser (RFC 1035 section 5), our own: the npm parsers mishandle BIND syntax
// (an empty owner, units in TTLs, parentheses across lines). Every error names the file, the
// line and what to write instead, because students edit these files by hand.

export type RecordType = 'SOA' | 'NS' | 'MX' | 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'PTR';

export type RecordData =
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 'NS'; host: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'TXT'; strings: string[] }
  | { type: 'PTR'; target: string };

/** One resource record; names are absolute, lower-case, without the trailing dot. */
export type ResourceRecord = { name: string; ttl: number; class: 'IN'; line: number } & RecordData;

export interface ZoneData {
  /** the zone's origin, e.g. naver.com */
  origin: string;
  file: string;
  records: ResourceRecord[];
  /** what BIND loads but named-checkzone warns about (an MX host without an address) */
  warnings?: ZoneWarning[];
}

/** A named-checkzone warning: the zone loads, as BIND loads it, but something will not work. */
export interface ZoneWarning {
  line: number;
  en: string;
  ko: string;
}

export class ZoneFileError extends Error {
  readonly file: string;
  readonly line: number;
  /** the same in Korean */
  readonly ko: string;
  constructor(file: string, line: number, message: string, ko = zoneMessageKo(message)) {
    super(`${file}:${line}: ${message}`);
    this.ko = `${file}:${line}: ${ko}`;
    this.file = file;
    this.line = line;
  }
}

export const RECORD_TYPES: readonly RecordType[] = ['SOA', 'NS', 'MX', 'A', 'AAAA', 'CNAME', 'TXT', 'PTR'];
const CLASSES = ['IN', 'CH', 'HS', 'CS'];
const MAX_TTL = 2 ** 31 - 1; // RFC 2181 section 8

interface Token {
  text: string;
  quoted: boolean;
  line: number;
}

/** One logical entry: a line, or several lines joined by parentheses (RFC 1035 section 5.1). */
interface Entry {
  line: number;
  /** the entry starts with blank space: its owner is the previous one */
  blankOwner: boolean;
  tokens: Token[];
}

/** Parse a zone file's text. `origin` is the zone name from the topology ($ORIGIN may change it). */
export function parseZone(text: string, origin: string, file = '<zone>'): ZoneData {
  const zone = canonicalName(origin);
  const fail = (line: number, message: string, ko?: string): never => {
    throw new ZoneFileError(file, line, message, ko);
  };
  let currentOrigin = zone;
  let defaultTtl: number | undefined; // $TTL (RFC 2308 section 4)
  let lastTtl: number | undefined; // RFC 1035: else the last explicit TTL
  let previousOwner: string | undefined;
  const records: ResourceRecord[] = [];

  for (const entry of entries(text, fail)) {
    const tokens = entry.tokens;
    const first = tokens[0];
    if (!entry.blankOwner && first.text.startsWith('$') && !first.quoted) {
      const directive = first.text.toUpperCase();
      if (directive === '$ORIGIN') {
        if (tokens.length !== 2) fail(entry.line, `$ORIGIN needs one domain name, e.g. "$ORIGIN ${zone}."`);
        currentOrigin = toName(tokens[1], currentOrigin, fail);
      } else if (directive === '$TTL') {
        if (tokens.length !== 2) fail(entry.line, '$TTL needs one time, e.g. "$TTL 3H" or "$TTL 10800"');
        defaultTtl = toTtl(tokens[1], fail, 'the $TTL');
      } else {
        fail(entry.line, `${first.text} is not supported by the lab; write the records in this file, with only $ORIGIN and $TTL as directives`);
      }
      continue;
    }

    let at = 0;
    let owner: string;
    if (entry.blankOwner) {
      if (previousOwner === undefined) fail(entry.line, `this record has no owner name (the line starts with a space); write "@" for ${zone} itself, or a name such as "mail"`);
      owner = previousOwner!;
    } else {
      owner = toName(tokens[at++], currentOrigin, fail);
    }
    previousOwner = owner;

    // TTL and class are both optional and may come in either order (RFC 1035 section 5.1).
    let ttl: number | undefined;
    let cls: string | undefined;
    for (let i = 0; i < 2 && at < tokens.length; i++) {
      const t = tokens[at];
      if (!cls && CLASSES.includes(t.text.toUpperCase())) {
        cls = t.text.toUpperCase();
        at++;
      } else if (ttl === undefined && /^\d/.test(t.text)) {
        ttl = toTtl(t, fail, 'the TTL');
        at++;
      } else break;
    }
    if (cls && cls !== 'IN') fail(entry.line, `class ${cls} is not served in the lab; write IN (or leave the class out)`);
    const typeToken = tokens[at++];
    if (!typeToken) fail(entry.line, `a record type is missing after "${tokens.map((t) => t.text).join(' ')}"; write e.g. "mail IN A 192.168.111.100"`);
    const type = typeToken.text.toUpperCase();
    if (!RECORD_TYPES.includes(type as RecordType)) {
      const hint = /^\d/.test(typeToken.text) || CLASSES.includes(type) ? ' (a TTL or a class appears twice?)' : '';
      fail(typeToken.line, `"${typeToken.text}" is not a record type the lab serves${hint}; write one of ${RECORD_TYPES.join(', ')}`);
    }
    const data = toData(type as RecordType, tokens.slice(at), { entry, origin: currentOrigin, zone, fail });
    if (ttl !== undefined) lastTtl = ttl;
    else if (defaultTtl !== undefined) ttl = defaultTtl;
    else if (lastTtl !== undefined) ttl = lastTtl;
    else if (data.type === 'SOA') ttl = data.minimum; // what BIND does without $TTL
    else fail(entry.line, 'this record has no TTL; put "$TTL 3H" at the top of the file, or give the record one, e.g. "mail 3H IN A 192.168.111.100"');
    if (owner !== zone && !owner.endsWith(`.${zone}`)) {
      fail(entry.line, `${owner} is outside the zone ${zone}; write a name ending in ${zone}. (or a relative name such as "mail")`);
    }
    records.push({ name: owner, ttl: ttl!, class: 'IN', line: entry.line, ...data });
  }

  const warnings = checkZone(zone, records, text, fail);
  return { origin: zone, file, records, ...(warnings.length ? { warnings } : {}) };
}

/**
 * Whole-zone rules as named-checkzone applies them: what BIND refuses to load (an NS host in
 * the zone without an address, or an alias) is refused here too; what it loads with a warning
 * (an MX host without an address, or an alias) loads, and the warning is returned.
 */
function checkZone(zone: string, records: ResourceRecord[], text: string, fail: (line: number, message: string, ko?: string) => never): ZoneWarning[] {
  const warnings: ZoneWarning[] = [];
  const soa = records.filter((r) => r.type === 'SOA');
  const example = `"@ IN SOA @ root. ( 2 1D 1H 1W 1H )"`;
  if (soa.length === 0) fail(1, `the zone ${zone} has no SOA record; start it with "$TTL 3H" and ${example}`);
  if (soa.length > 1) fail(soa[1].line, `a second SOA record; a zone has exactly one, at "@"`);
  if (soa[0].name !== zone) fail(soa[0].line, `the SOA record belongs to ${soa[0].name}, not the zone ${zone}; write its owner as "@", e.g. ${example}`);
  if (!records.some((r) => r.type === 'NS' && r.name === zone)) {
    const lastLine = text.split('\n').length;
    fail(lastLine, `the zone ${zone} has no NS record; add one under the SOA, e.g. "@ IN NS ns.${zone}." (and "ns IN A ...")`);
  }
  const byName = new Map<string, ResourceRecord[]>();
  for (const r of records) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const [name, list] of byName) {
    const cname = list.find((r) => r.type === 'CNAME');
    if (cname && list.length > 1) {
      const other = list.find((r) => r !== cname)!;
      fail(Math.max(cname.line, other.line), `${name} has a CNAME and a ${other.type} record; a CNAME must stand alone (RFC 1034 section 3.6.2): give the ${other.type} record to the CNAME's target instead`);
    }
  }
  // An MX or NS host inside this zone must have an address and must not be an alias (RFC 2181 section 10.3).
  for (const r of records) {
    const host = r.type === 'MX' ? r.exchange : r.type === 'NS' ? r.host : undefined;
    if (host === undefined || (host !== zone && !host.endsWith(`.${zone}`))) continue;
    const there = byName.get(host) ?? [];
    const label = host === zone ? '@' : host.slice(0, -zone.length - 1);
    // named-checkzone's own words: "naver.com/MX 'mail.naver.com.naver.com' has no address records (A or AAAA)"
    const bind = r.type === 'MX' ? `${r.name}/MX '${host}'` : `NS '${host}'`;
    // "mail.naver.com" written without its final dot: BIND put the zone after it
    const undotted = label.includes('.') ? label : undefined;
    const short = undotted?.endsWith(`.${zone}`) ? undotted.slice(0, -zone.length - 1) : label;
    const fix = undotted
      ? { en: `the name has no final dot, so BIND added the zone to it: write "${undotted}." (with the final dot) or "${short}"`, ko: `이름 끝에 점이 없어서 BIND가 존 이름을 뒤에 붙였습니다. "${undotted}."처럼 끝에 점을 찍거나 "${short}"${josa(short, '이') === '이' ? '이라고' : '라고'} 쓰세요` }
      : { en: `add its address, e.g. "${label} IN A 192.168.111.100"`, ko: `주소 레코드를 더하세요 (예: "${label} IN A 192.168.111.100")` };
    const alias = there.some((x) => x.type === 'CNAME');
    const noAddress = !alias && !there.some((x) => x.type === 'A' || x.type === 'AAAA');
    if (!alias && !noAddress) continue;
    const what = alias
      ? { en: `named-checkzone: ${bind} is a CNAME (illegal): an ${r.type} record must name the host itself (RFC 2181 section 10.3), not an alias; name the CNAME's target instead`, ko: `named-checkzone: ${bind}${josa(host, '는')} CNAME입니다 (허용되지 않음). ${r.type} 레코드에는 별명이 아니라 호스트 자신을 써야 합니다 (RFC 2181 10.3절): CNAME이 가리키는 이름을 쓰세요` }
      : { en: `named-checkzone: ${bind} has no address records (A or AAAA); ${fix.en}`, ko: `named-checkzone: ${bind}에 주소 레코드(A 또는 AAAA)가 없습니다. ${fix.ko}` };
    // BIND refuses a zone whose own name server it cannot reach; an MX that leads nowhere only warns
    if (r.type === 'NS') fail(r.line, `${what.en} (BIND does not load this zone)`, `${what.ko} (BIND는 이 존을 읽지 않습니다)`);
    warnings.push({ line: r.line, en: `${what.en} (BIND loads the zone; mail sent to ${r.name} will not arrive)`, ko: `${what.ko} (BIND는 이 존을 읽지만, ${r.name}${josa(r.name, '으로')} 보낸 메일은 도착하지 못합니다)` });
  }
  return warnings;
}

interface DataContext {
  entry: Entry;
  origin: string;
  zone: string;
  fail: (line: number, message: string) => never;
}

function toData(type: RecordType, args: Token[], { entry, origin, zone, fail }: DataContext): RecordData {
  const line = entry.line;
  const expect = (count: number, usage: string): void => {
    if (args.length !== count) fail(line, `${type} needs ${usage}`);
  };
  const name = (t: Token) => toName(t, origin, fail);
  switch (type) {
    case 'SOA': {
      expect(7, `the primary name server, the administrator's mailbox and five numbers (serial refresh retry expire minimum), e.g. "@ IN SOA @ root. ( 2 1D 1H 1W 1H )"`);
      const serial = toNumber(args[2], 2 ** 32 - 1, 'the SOA serial', fail);
      const [refresh, retry, expire, minimum] = args.slice(3).map((t, i) => toTtl(t, fail, `the SOA ${['refresh', 'retry', 'expire', 'minimum'][i]} time`));
      return { type, mname: name(args[0]), rname: name(args[1]), serial, refresh, retry, expire, minimum };
    }
    case 'NS':
      expect(1, `one name server host, e.g. "@ IN NS ns.${zone}."`);
      return { type, host: name(args[0]) };
    case 'MX':
      expect(2, `a preference and a host, e.g. "IN MX 10 mail.${zone}."`);
      if (!/^\d+$/.test(args[0].text)) fail(line, `MX needs a preference (a number, lower is tried first) before the host, e.g. "IN MX 10 mail.${zone}."`);
      return { type, preference: toNumber(args[0], 65535, 'the MX preference', fail), exchange: name(args[1]) };
    case 'A': {
      expect(1, `one IPv4 address, e.g. "mail IN A 192.168.111.100"`);
      const parts = args[0].text.split('.');
      const ok = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
      if (!ok || args[0].quoted) fail(line, `"${args[0].text}" is not an IPv4 address; write four numbers 0-255 separated by dots, e.g. "mail IN A 192.168.111.100"`);
      return { type, address: parts.map(Number).join('.') };
    }
    case 'AAAA': {
      expect(1, `one IPv6 address, e.g. "mail IN AAAA fd00::100"`);
      const address = canonicalIPv6(args[0].text);
      if (!address || args[0].quoted) fail(line, `"${args[0].text}" is not an IPv6 address; write it as e.g. "mail IN AAAA fd00::100"`);
      return { type, address: address! };
    }
    case 'CNAME':
      expect(1, `one target name, e.g. "www IN CNAME mail.${zone}."`);
      return { type, target: name(args[0]) };
    case 'PTR':
      expect(1, `one target name, e.g. "100 IN PTR mail.${zone}."`);
      return { type, target: name(args[0]) };
    case 'TXT': {
      if (args.length === 0) fail(line, 'TXT needs at least one string, e.g. \'@ IN TXT "v=spf1 mx -all"\'');
      const strings = args.map((t) => {
        const s = t.quoted ? t.text : unescape(t, fail);
        // RFC 1035 section 3.3: a <character-string> is at most 255 octets
        if (Buffer.byteLength(s) > 255) fail(t.line, 'a TXT string is longer than 255 bytes; split it into several quoted strings, e.g. "first part" "second part"');
        return s;
      });
      return { type, strings };
    }
  }
}

// Split the text into logical entries: comments stripped, parentheses joined, quoted strings kept.
function entries(text: string, fail: (line: number, message: string) => never): Entry[] {
  const out: Entry[] = [];
  let line = 1;
  let current: Entry | undefined;
  let openLine = 0; // the line of an open "(", 0 when none
  let atLineStart = true;
  let i = 0;
  const finish = () => {
    if (current && current.tokens.length) out.push(current);
    current = undefined;
  };
  const push = (token: Token) => {
    if (!current) current = { line: token.line, blankOwner: false, tokens: [] };
    current.tokens.push(token);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      if (!openLine) finish();
      line++;
      i++;
      atLineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      // an entry that begins with blank space inherits the previous owner
      if (atLineStart && !openLine && !current) current = { line, blankOwner: true, tokens: [] };
      atLineStart = false;
      i++;
      continue;
    }
    atLineStart = false;
    if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '(') {
      if (openLine) fail(line, 'a "(" inside another "("; close the first one with ")" before opening another');
      openLine = line;
      if (!current) current = { line, blankOwner: false, tokens: [] };
      i++;
      continue;
    }
    if (c === ')') {
      if (!openLine) fail(line, 'a ")" without a "(" before it; remove it, or open the group with "("');
      openLine = 0;
      i++;
      continue;
    }
    if (c === '"') {
      const start = line;
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length || text[i] === '\n') fail(start, 'a quoted string is not closed; end it with " on the same line');
        const ch = text[i];
        if (ch === '"') break;
        if (ch === '\\') {
          const { value, length } = escapeAt(text, i, start, fail);
          s += value;
          i += length;
          continue;
        }
        s += ch;
        i++;
      }
      i++;
      push({ text: s, quoted: true, line: start });
      continue;
    }
    let word = '';
    while (i < text.length && !' \t\r\n;()"'.includes(text[i])) {
      if (text[i] === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
        word += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      word += text[i++];
    }
    push({ text: word, quoted: false, line });
  }
  if (openLine) fail(openLine, 'the "(" opened here is never closed; close it with ")" after the last field');
  finish();
  return out;
}

// RFC 1035 section 5.1: \X is X itself, \DDD is the octet with that decimal value.
function escapeAt(text: string, i: number, line: number, fail: (line: number, message: string) => never): { value: string; length: number } {
  const digits = /^\d{3}/.exec(text.slice(i + 1, i + 4));
  if (digits) {
    const n = Number(digits[0]);
    if (n > 255) fail(line, `"\\${digits[0]}" is not a byte; write \\DDD with DDD from 000 to 255`);
    return { value: String.fromCharCode(n), length: 4 };
  }
  if (i + 1 >= text.length || text[i + 1] === '\n') fail(line, 'a "\\" at the end of the line; write "\\\\" for a backslash');
  return { value: text[i + 1], length: 2 };
}

function unescape(token: Token, fail: (line: number, message: string) => never): string {
  let s = '';
  for (let i = 0; i < token.text.length; ) {
    if (token.text[i] === '\\') {
      const { value, length } = escapeAt(token.text, i, token.line, fail);
      s += value;
      i += length;
    } else s += token.text[i++];
  }
  return s;
}

/** A name as written in the file -> absolute, lower-case, no trailing dot ('' is the root). */
function toName(token: Token, origin: string, fail: (line: number, message: string) => never): string {
  const raw = token.text;
  if (token.quoted || raw.includes('\\')) fail(token.line, `"${raw}" is not a plain domain name; write letters, digits and dashes separated by dots, e.g. mail.${origin || 'naver.com'}.`);
  let name: string;
  if (raw === '@') name = origin;
  else if (raw === '.') name = '';
  else if (raw.endsWith('.')) name = raw.slice(0, -1);
  else name = origin ? `${raw}.${origin}` : raw;
  name = name.toLowerCase();
  const labels = name === '' ? [] : name.split('.');
  for (const label of labels) {
    if (label === '*') fail(token.line, `wildcard names ("*") are not served in the lab; write each name out, e.g. "mail"`);
    if (label === '' || label.length > 63 || !/^[a-z0-9_-]+$/.test(label)) {
      fail(token.line, `"${raw}" is not a valid domain name; use labels of letters, digits and dashes (at most 63 each) separated by single dots, e.g. mail.${origin || 'naver.com'}.`);
    }
  }
  if (name.length > 253) fail(token.line, `"${raw}" is longer than 253 characters; a domain name must be shorter (RFC 1035 section 2.3.4)`);
  return name;
}

function canonicalName(origin: string): string {
  return origin.toLowerCase().replace(/\.$/, '');
}

/** RFC 2308 section 4 / BIND: seconds, or numbers with units s m h d w (1h30m). */
export function parseTtl(text: string): number | undefined {
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else if (/^(\d+[smhdw])+$/i.test(text)) {
    const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
    seconds = 0;
    for (const [, n, u] of text.matchAll(/(\d+)([smhdw])/gi)) seconds += Number(n) * unit[u.toLowerCase()];
  } else return undefined;
  return seconds <= MAX_TTL ? seconds : undefined;
}

function toTtl(token: Token, fail: (line: number, message: string) => never, what: string): number {
  const seconds = token.quoted ? undefined : parseTtl(token.text);
  if (seconds === undefined) {
    fail(token.line, `"${token.text}" is not a time for ${what}; write seconds (10800) or numbers with units s, m, h, d, w (3H, 1D, 1h30m), at most ${MAX_TTL} seconds`);
  }
  return seconds!;
}

function toNumber(token: Token, max: number, what: string, fail: (line: number, message: string) => never): number {
  if (!/^\d+$/.test(token.text) || Number(token.text) > max) fail(token.line, `"${token.text}" is not a number for ${what}; write a whole number from 0 to ${max}`);
  return Number(token.text);
}

/** The RFC 5952 form of an IPv6 address, or undefined if it is not one. */
function canonicalIPv6(text: string): string | undefined {
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(':')) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}
