// The configuration lines that decided a hop (HopEvent.config): which line of which lab file,
// and where the same setting lives on the seed's real machines. The roles call one function
// each; everything about files, lines and wording is here, so a role's edit is one line.
//
// Lines come from the files themselves: the topology's YAML is read again (once per loaded
// topology) for its line numbers, and zone records carry their line from the parser. Where each
// setting's line is comes from the yaml package once per file content, then from the load cache
// (lab/topology/load-cache.ts cachedLines), so a start whose topology is unchanged loads no yaml. Where a
// file cannot be read (the containers runtime has no copy of topology/), its refs are left out
// rather than made up.
import { fs } from '../node-builtins.ts';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Node as YamlNode, LineCounter } from 'yaml';
import type { Bilingual, ConfigRef } from '../trace/hop-event.ts';
import type { Host, Topology } from '../topology/types.ts';
import type { ResourceRecord, ZoneData } from '../topology/zone-file.ts';
import { OUTSIDE, type Peer } from '../net/lab-net.ts';
import { matchesPrefix } from '../topology/address-plan.ts';
import { cachedLines, keepLines } from '../topology/load-cache.ts';
import { REAL, TRUST_AUTH, accessText, dovecotPlaintext, dovecotProtocols, passwdLine, zoneRealFile } from './real-files.ts';

const PROJECT = path.resolve(import.meta.dirname, '..', '..');

/** the yaml package (about 70 modules), loaded by the first hop that names a topology line, not at start */
let yamlPackage: typeof import('yaml') | undefined;
const yaml = () => (yamlPackage ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/** shownPath's answers for the working folder they were worked out in (a lab names a few files, in every hop) */
const shown = new Map<string, string>();
let shownIn = '';

/** A file as a ref names it: relative to the project, else to the working folder, else absolute. */
export function shownPath(file: string): string {
  const cwd = process.cwd();
  if (cwd !== shownIn) {
    shown.clear();
    shownIn = cwd;
  }
  let name = shown.get(file);
  if (name === undefined) {
    name = relativeName(file, cwd);
    if (shown.size < 1000) shown.set(file, name);
  }
  return name;
}

function relativeName(file: string, cwd: string): string {
  const full = path.resolve(file);
  for (const base of [PROJECT, cwd]) {
    const rel = path.relative(base, full);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return full;
}

// ---- the files' lines -------------------------------------------------------------------------

interface YamlSource {
  file: string;
  lines: string[];
  /** "hosts\0Server\0mail\0relay\01" -> the line of that map key (or list item) */
  at: Map<string, number>;
}

const yamlSources = new WeakMap<Topology, YamlSource | null>();
const zoneLines = new WeakMap<ZoneData, string[] | null>();

function readLines(file: string): string[] | null {
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return null;
  }
}

const pathKey = (at: (string | number)[]) => at.map(String).join('\0');

function yamlOf(topology: Topology): YamlSource | undefined {
  let source = yamlSources.get(topology);
  if (source === undefined) {
    source = null;
    const lines = readLines(topology.file);
    if (lines) {
      const text = lines.join('\n');
      const at = cachedLines(text) ?? settingLines(text);
      if (at) source = { file: topology.file, lines, at: new Map(Object.entries(at)) };
    }
    yamlSources.set(topology, source);
  }
  return source ?? undefined;
}

/**
 * Every setting's line, by the yaml package: a map entry's is its key's line, a list item's where
 * it starts; the first of two equal keys counts. Undefined for a file with YAML errors.
 */
export function settingLines(text: string): Record<string, number> | undefined {
  const { LineCounter: Counter, parseDocument, isMap, isSeq, isScalar, isNode } = yaml();
  const counter: LineCounter = new Counter();
  const doc = parseDocument(text, { lineCounter: counter });
  if (doc.errors.length) return undefined;
  const lines: Record<string, number> = {};
  const walk = (node: unknown, at: string[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const path = [...at, String(pair.key.value)];
        const key = path.join('\0');
        if (key in lines) continue;
        if (pair.key.range) lines[key] = counter.linePos(pair.key.range[0]).line;
        walk(pair.value, path);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const path = [...at, String(i)];
        if (isNode(item) && (item as YamlNode).range) lines[path.join('\0')] = counter.linePos((item as YamlNode).range![0]).line;
        walk(item, path);
      });
    }
  };
  walk(doc.contents, []);
  keepLines(text, lines);
  return lines;
}

/** The line of the key at `at` (a map entry), or where the node starts (a list item). */
function nodeLine(src: YamlSource, at: (string | number)[]): number | undefined {
  return src.at.get(pathKey(at));
}

/** The line of a user's entry: its key is `lee` or `lee@naver.com` in the file. */
function userLine(src: YamlSource, host: Host, user: string): number | undefined {
  const prefix = `${pathKey(['hosts', host.name, 'mail', 'users'])}\0`;
  for (const [key, line] of src.at) {
    if (!key.startsWith(prefix) || key.includes('\0', prefix.length)) continue;
    const name = key.slice(prefix.length).toLowerCase();
    if (name === user || name.startsWith(`${user}@`)) return line;
  }
  return undefined;
}

/** A ref to a line of the topology file, or nothing when the file or the line is not there. */
function topologyRef(topology: Topology, at: (string | number)[] | number | undefined, real: Omit<ConfigRef, 'file' | 'line' | 'text'>): ConfigRef | undefined {
  const src = yamlOf(topology);
  if (!src || at === undefined) return undefined;
  const line = typeof at === 'number' ? at : nodeLine(src, at);
  if (line === undefined) return undefined;
  return { file: shownPath(src.file), line, text: (src.lines[line - 1] ?? '').trim(), ...real };
}

/** A record's line as written in its zone file (the exported file is a verbatim copy). */
function zoneText(zone: ZoneData, record: ResourceRecord): string {
  let lines = zoneLines.get(zone);
  if (lines === undefined) {
    lines = readLines(zone.file);
    zoneLines.set(zone, lines);
  }
  return lines?.[record.line - 1]?.trim() || presentation(record);
}

function zoneRef(zone: ZoneData, record: ResourceRecord, why: Bilingual): ConfigRef {
  const text = zoneText(zone, record);
  return { file: shownPath(zone.file), line: record.line, text, real: zoneRealFile(zone.origin), realText: text, why };
}

function presentation(r: ResourceRecord): string {
  const data = r.type === 'MX' ? `${r.preference} ${r.exchange}.` : r.type === 'A' || r.type === 'AAAA' ? r.address : r.type === 'NS' ? `${r.host}.` : r.type;
  return `${r.name}. ${r.ttl} IN ${r.type} ${data}`;
}

function compact(refs: (ConfigRef | undefined)[]): ConfigRef[] | undefined {
  const out: ConfigRef[] = [];
  for (const ref of refs) {
    if (ref && !out.some((r) => r.file === ref.file && r.line === ref.line)) out.push(ref);
  }
  return out.length ? out : undefined;
}

// ---- sendmail: local-host-names, access, the users -------------------------------------------

/** The access rule a peer matches (whole octets, as sendmail's Connect: does), if any. */
function matchingRule(host: Host, peer: Peer): number {
  if (peer.host === OUTSIDE) return -1;
  return (host.mail?.relay ?? []).findIndex((p) => matchesPrefix(peer.address, p));
}

function who(peer: Peer): string {
  return peer.host === OUTSIDE ? `outside (${peer.address})` : `${peer.host} (${peer.address})`;
}

function whoKo(peer: Peer): string {
  return peer.host === OUTSIDE ? `실습망 밖의 컴퓨터 (${peer.address})` : `${peer.host} (${peer.address})`;
}

// A letter's hops name the same few lines again and again (the relay rule at Server-B, the domain
// and the user at Server): each ref is worked out once per topology, working folder and what
// decides it, then shared, read-only, by every hop that names it.
const memos = new WeakMap<Topology, { cwd: string; refs: Map<string, ConfigRef | undefined> }>();
const MEMO_SIZE = 500;

function memoRef(topology: Topology, key: string, make: () => ConfigRef | undefined): ConfigRef | undefined {
  const cwd = process.cwd();
  let memo = memos.get(topology);
  if (!memo || memo.cwd !== cwd) memos.set(topology, (memo = { cwd, refs: new Map() }));
  if (memo.refs.has(key)) return memo.refs.get(key);
  const ref = make();
  if (memo.refs.size >= MEMO_SIZE) memo.refs.clear();
  memo.refs.set(key, ref);
  return ref;
}

function localDomainRef(topology: Topology, host: Host, domain: string): ConfigRef | undefined {
  return memoRef(topology, `domain\0${host.name}\0${domain}`, () => makeLocalDomainRef(topology, host, domain));
}

function makeLocalDomainRef(topology: Topology, host: Host, domain: string): ConfigRef | undefined {
  const index = host.mail?.domains.indexOf(domain) ?? -1;
  return topologyRef(topology, ['hosts', host.name, 'mail', 'domains', Math.max(0, index)], {
    real: REAL.localHostNames,
    realText: domain,
    why: { ko: `${domain}: local-host-names에 있으므로 이 서버가 받는 메일입니다`, en: `${domain} is in local-host-names: the mail is for this host` },
  });
}

function userRef(topology: Topology, host: Host, user: string, why: Bilingual): ConfigRef | undefined {
  const src = yamlOf(topology);
  return topologyRef(topology, src && userLine(src, host, user), { real: REAL.passwd, realText: passwdLine(host, user), why });
}

function unknownUserRef(topology: Topology, host: Host, local: string): ConfigRef | undefined {
  const users = Object.keys(host.mail?.users ?? {}).join(', ') || '-';
  return topologyRef(topology, ['hosts', host.name, 'mail', 'users'], {
    real: REAL.passwd,
    why: { ko: `${local}: 이 서버에 없는 사용자입니다 (사용자: ${users})`, en: `${local} is not a user here (users: ${users})` },
  });
}

function relayRefs(topology: Topology, host: Host, peer: Peer, authenticated: string | undefined, allowed: boolean): (ConfigRef | undefined)[] {
  const rules = host.mail?.relay ?? [];
  const rule = matchingRule(host, peer);
  if (allowed && rule >= 0) {
    return [memoRef(topology, `relay\0${host.name}\0${rule}\0${peer.host}\0${peer.address}`, () => topologyRef(topology, ['hosts', host.name, 'mail', 'relay', rule], {
      real: REAL.access,
      realText: accessText(rules[rule]),
      why: {
        ko: `${whoKo(peer)}의 주소가 ${accessText(rules[rule])} 규칙에 맞으므로 다른 도메인으로 중계(릴레이)를 허용합니다`,
        en: `${who(peer)} matches ${accessText(rules[rule])}: relaying to other domains is allowed`,
      },
    }))];
  }
  if (allowed && authenticated) {
    const user = authenticated.split('@')[0];
    return [
      topologyRef(topology, ['hosts', host.name, 'mail', 'plaintextAuth'], {
        real: REAL.sendmailMc,
        realText: TRUST_AUTH,
        why: { ko: `${user} 사용자가 SMTP AUTH로 로그인했으므로 중계를 허용합니다`, en: `${user} logged in with SMTP AUTH: relaying is allowed` },
      }),
      userRef(topology, host, user, { ko: `${user}: 로그인한 사용자 계정`, en: `${user}: the account that logged in` }),
    ];
  }
  const list = rules.map(accessText).join(', ');
  return [topologyRef(topology, rules.length ? ['hosts', host.name, 'mail', 'relay'] : ['hosts', host.name, 'mail'], {
    real: REAL.access,
    realText: rules.length ? rules.map(accessText).join('; ') : undefined,
    why: {
      ko: `${whoKo(peer)}에 맞는 RELAY 규칙이 없고 로그인(AUTH)도 하지 않아 중계를 거부합니다 (규칙: ${list || '없음'})`,
      en: `${who(peer)} matches no RELAY rule and did not log in (AUTH): relaying denied (rules: ${list || 'none'})`,
    },
  })];
}

/** How the access rules decided one recipient (the listener's RecipientDecision fits). */
export type RecipientVerdict =
  | { accept: true; route: 'local' | 'relay'; user?: string }
  | { accept: false; reason: string };

export interface SmtpClientView {
  peer: Peer;
  authenticated?: string;
}

/**
 * Why each recipient of an SMTP session was taken or refused: local-host-names and the user
 * (mail for this host), the access rule or the login (relaying), or the rule that was missing.
 */
export function recipientRefs(topology: Topology, host: Host, client: SmtpClientView, recipients: { address: string; decision?: RecipientVerdict }[]): ConfigRef[] | undefined {
  const refs: (ConfigRef | undefined)[] = [];
  for (const { address, decision } of recipients) {
    if (!decision) continue;
    const at = address.lastIndexOf('@');
    const local = at < 0 ? address : address.slice(0, at);
    const domain = at < 0 ? '' : address.slice(at + 1).toLowerCase();
    if (decision.accept && decision.route === 'local') {
      refs.push(localDomainRef(topology, host, domain));
      const user = decision.user ?? local;
      refs.push(memoRef(topology, `user\0${host.name}\0${user}`, () => userRef(topology, host, user, { ko: `${user}: 이 서버의 사용자 계정이 있습니다`, en: `${user} is a user here` })));
    } else if (decision.accept) {
      refs.push(...relayRefs(topology, host, client.peer, client.authenticated, true));
    } else if (decision.reason === 'relay-denied') {
      refs.push(...relayRefs(topology, host, client.peer, client.authenticated, false));
    } else if (decision.reason === 'user-unknown') {
      if (host.mail?.domains.includes(domain)) refs.push(localDomainRef(topology, host, domain));
      refs.push(unknownUserRef(topology, host, local));
    }
  }
  return compact(refs);
}

/** Steps 6-7: the recipient's domain is ours and the user exists (or does not). */
export function mailboxRefs(topology: Topology, host: Host, recipient: string, user: string | undefined): ConfigRef[] | undefined {
  const decision: RecipientVerdict = user ? { accept: true, route: 'local', user } : { accept: false, reason: 'user-unknown' };
  return recipientRefs(topology, host, { peer: { host: host.name, address: host.address } }, [{ address: recipient, decision }]);
}

// ---- bind9: the MX and A records -----------------------------------------------------------

export interface ExchangerView {
  exchange: string;
  preference: number;
  addresses: string[];
  implicit?: boolean;
}

function zoneFor(topology: Topology, name: string): ZoneData | undefined {
  let best: ZoneData | undefined;
  for (const zone of topology.zones) {
    if ((name === zone.origin || name.endsWith(`.${zone.origin}`)) && (!best || zone.origin.length > best.origin.length)) best = zone;
  }
  return best;
}

function recordsOf(topology: Topology, name: string, type: ResourceRecord['type']): { zone: ZoneData; record: ResourceRecord }[] {
  const zone = zoneFor(topology, name);
  return zone ? zone.records.filter((r) => r.name === name && r.type === type).map((record) => ({ zone, record })) : [];
}

function hasAddress(topology: Topology, name: string): boolean {
  return recordsOf(topology, name, 'A').length + recordsOf(topology, name, 'AAAA').length > 0;
}

/**
 * Step 3: the zone lines the answer came from (each MX of the domain, the A records of the
 * exchangers used), and when the lookup failed, what in the files explains it: no zone for the
 * domain, an MX host written without its final dot, or a name server that did not answer.
 */
export function mxRefs(topology: Topology, host: Host, domain: string, found: ExchangerView[], failure?: { action: 'defer' | 'bounce'; reply: string }): ConfigRef[] | undefined {
  const refs: (ConfigRef | undefined)[] = [];
  const zone = zoneFor(topology, domain);
  if (!zone) {
    const zones = topology.zones.map((z) => z.origin).join(', ') || '-';
    refs.push(topologyRef(topology, ['zones'], {
      real: REAL.namedConfLocal,
      why: { ko: `${domain}: 실습 네임 서버에 이 도메인의 존이 없습니다 (존: ${zones})`, en: `${domain}: the lab's name server has no zone for it (zones: ${zones})` },
    }));
  }
  const mx = recordsOf(topology, domain, 'MX');
  const self = host.hostname?.toLowerCase();
  for (const { zone: z, record } of mx) {
    if (record.type !== 'MX') continue;
    const used = found.some((f) => f.exchange === record.exchange && !f.implicit);
    const text = zoneText(z, record);
    let why: Bilingual;
    if (used) {
      why = { ko: `${domain}의 메일 서버(MX, 우선순위 ${record.preference}): ${record.exchange}`, en: `mail for ${domain} goes to ${record.exchange} (MX preference ${record.preference})` };
    } else if (record.exchange === self) {
      why = {
        ko: `MX ${record.preference} ${record.exchange}: 이 서버 자신이므로 우선순위 숫자가 더 작은 MX에만 보냅니다`,
        en: `MX ${record.preference} ${record.exchange} is this host itself: only more preferred (lower) MX hosts are tried`,
      };
    } else if (!hasAddress(topology, record.exchange)) {
      // "mail.naver.com" without its final dot is relative: BIND appends the origin
      const token = text.replace(/;.*$/, '').trim().split(/\s+/).pop() ?? '';
      const noDot = !token.endsWith('.') && token !== '@' && (token.toLowerCase() === z.origin || token.toLowerCase().endsWith(`.${z.origin}`));
      why = noDot
        ? {
            ko: `MX 호스트 이름 끝에 점(.)이 없어 BIND가 읽은 이름: ${record.exchange} (주소 없음). 끝에 점을 붙여 쓰십시오: ${token}.`,
            en: `the MX host has no final dot, so BIND reads it as ${record.exchange}, which has no address; write ${token}. with the dot`,
          }
        : { ko: `MX ${record.preference} ${record.exchange}: 주소(A 레코드)가 없습니다`, en: `MX ${record.preference} ${record.exchange} has no address (A record)` };
    } else {
      why = { ko: `MX ${record.preference} ${record.exchange}: 이번에는 쓰지 않았습니다`, en: `MX ${record.preference} ${record.exchange}: not used this time` };
    }
    refs.push(zoneRef(z, record, why));
  }
  for (const f of found) {
    for (const { zone: z, record } of recordsOf(topology, f.exchange, 'A')) {
      if (record.type !== 'A') continue;
      refs.push(zoneRef(z, record, f.implicit
        ? { ko: `MX 레코드가 없어 ${domain}의 A 레코드를 메일 서버로 씁니다 (RFC 5321 5.1): ${record.address}`, en: `no MX record: ${domain}'s own A record is the mail server (RFC 5321 section 5.1): ${record.address}` }
        : { ko: `${f.exchange}의 주소: ${record.address}`, en: `${f.exchange} is at ${record.address}` }));
    }
  }
  if (failure?.action === 'defer') refs.push(resolverRef(topology, host));
  return compact(refs);
}

/** The host's /etc/resolv.conf: which name server it asks, and that it did not answer. */
function resolverRef(topology: Topology, host: Host): ConfigRef | undefined {
  const nsName = host.resolver ?? host.name;
  const ns = topology.hosts.find((h) => h.name === nsName);
  return topologyRef(topology, host.resolver ? ['hosts', host.name, 'resolver'] : ['hosts', host.name], {
    real: REAL.resolv,
    realText: `nameserver ${ns?.address ?? '?'}`,
    why: {
      ko: `${host.name}의 네임 서버: ${nsName} (${ns?.address ?? '?'}). 응답이 없어 메일은 메일 큐에 남고 나중에 다시 시도합니다`,
      en: `${host.name} asks the name server on ${nsName} (${ns?.address ?? '?'}); it did not answer, so the mail stays in the queue and is retried`,
    },
  });
}

// ---- dovecot: the login --------------------------------------------------------------------

/** Step 8: dovecot serves the protocol, allows plaintext logins, and the user exists (or not). */
export function loginRefs(topology: Topology, host: Host, protocol: 'pop3' | 'imap', user: string, ok: boolean): ConfigRef[] | undefined {
  const name = protocol.toUpperCase();
  const known = Object.hasOwn(host.mail?.users ?? {}, user);
  const plain = host.mail?.plaintextAuth !== false;
  return compact([
    topologyRef(topology, ['hosts', host.name, 'services', protocol], {
      real: REAL.dovecot,
      realText: dovecotProtocols(host),
      why: { ko: `dovecot 서비스의 프로토콜에 ${name} 포함`, en: `dovecot serves ${name}` },
    }),
    topologyRef(topology, ['hosts', host.name, 'mail', 'plaintextAuth'], {
      real: REAL.dovecot,
      realText: dovecotPlaintext(host),
      why: plain
        ? { ko: 'TLS 없이 평문 비밀번호 로그인을 허용합니다 (실습 설정)', en: 'plaintext password logins are allowed without TLS (a lab setting)' }
        : { ko: 'TLS 없는 평문 로그인을 허용하지 않습니다', en: 'plaintext logins without TLS are not allowed' },
    }),
    known
      ? userRef(topology, host, user, ok
          ? { ko: `${user}: 계정이 있고 비밀번호가 맞습니다`, en: `${user}: the account exists and the password matches` }
          : { ko: `${user}: 계정은 있지만 비밀번호가 다릅니다`, en: `${user}: the account exists, but the password is different` })
      : unknownUserRef(topology, host, user),
  ]);
}
