import { fs } from '../node-builtins.ts';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { lineAt, explainIssueSaid, syntaxError, type Said } from './yaml-lines.ts';
import { topologySchema, hostSchema, mailSchema, clientSchema, servicesSchema, limitsSchema, userSchema, type TopologyFile } from './schema.ts';
import { josa } from '../trace/korean.ts';
import { parseZone, ZoneFileError } from './zone-file.ts';
import type { Host, Topology } from './types.ts';
import { inSubnet } from './address-plan.ts';

/** A topology error: the file, the line, what is wrong and what to write instead (`ko`: in Korean). */
export class TopologyError extends Error {
  readonly file: string;
  readonly line: number;
  readonly ko: string;
  constructor(file: string, line: number, message: string | Said) {
    const said = typeof message === 'string' ? { en: message, ko: message } : message;
    super(`${file}:${line}: ${said.en}`);
    this.ko = `${file}:${line}: ${said.ko}`;
    this.file = file;
    this.line = line;
  }
}

/** The keys each part of a topology file may have, for "did you mean". */
const KEYS: Record<string, readonly string[]> = {
  top: Object.keys(topologySchema.shape),
  host: Object.keys(hostSchema.shape),
  mail: Object.keys(mailSchema.shape),
  client: Object.keys(clientSchema.shape),
  services: Object.keys(servicesSchema.shape),
  limits: Object.keys((limitsSchema.unwrap() as unknown as { shape: object }).shape),
  user: Object.keys(userSchema.shape),
};

function keysAt(where: (string | number)[]): readonly string[] {
  // where: the path of the object that holds the unknown key
  if (where.length === 0) return KEYS.top;
  if (where[0] !== 'hosts' || where.length < 2) return [];
  if (where.length === 2) return KEYS.host;
  const part = where[2];
  if (part === 'mail' && where[3] === 'limits') return KEYS.limits;
  if (part === 'mail' && where[3] === 'users') return KEYS.user;
  return where.length === 3 ? (KEYS[part as string] ?? []) : [];
}

export interface LoadOptions {
  /** 'auto': every service port becomes 0, chosen by the OS (many labs at once) */
  ports?: 'fixed' | 'auto';
  /** each file read is added here (the topology, its zone files): what load-cache.ts checks */
  files?: string[];
}

export function loadTopology(file: string, options: LoadOptions = {}): Topology {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
    options.files?.push(path.resolve(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TopologyError(file, 0, { en: `cannot read the topology file (${code}); give the path of a YAML file such as topology/classroom.yaml`, ko: `실습망 설정 파일을 읽을 수 없습니다 (${code}). topology/classroom.yaml 같은 YAML 파일의 경로를 쓰세요` });
  }
  return parseTopology(text, file, options);
}

/**
 * Longest topology file read: the classroom's is 2 KB. The yaml package checks duplicate keys in
 * time that grows with the square of a map's size (npm run fuzz found a 150 KB line that took
 * seconds), so a file far past any real one is refused before it is parsed.
 */
export const MAX_YAML_BYTES = 64 * 1024;

export function parseTopology(text: string, file: string, options: LoadOptions = {}): Topology {
  if (Buffer.byteLength(text) > MAX_YAML_BYTES) {
    throw new TopologyError(file, 1, `the file is ${Buffer.byteLength(text)} bytes, more than a topology ever needs (at most ${MAX_YAML_BYTES}); topology/classroom.yaml is about 2 KB`);
  }
  const lineCounter = new LineCounter();
  // The yaml package throws (not reports) on some input: nesting deep enough to overflow its
  // parser's stack, an alias used before its anchor, too many aliases. Found by npm run fuzz.
  const yamlFailure = (err: unknown): TopologyError =>
    new TopologyError(file, 1, `YAML: ${err instanceof RangeError ? 'nested too deeply' : (err as Error).message.split('\n')[0]}; write plain keys and values, as topology/classroom.yaml does`);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false });
  } catch (err) {
    throw yamlFailure(err);
  }
  if (doc.errors.length) {
    const { line, said } = syntaxError(doc.errors[0], text, lineCounter);
    throw new TopologyError(file, line, said);
  }
  const lineOf = (at: (string | number)[]) => lineAt(doc, lineCounter, at);
  let js: unknown;
  try {
    js = doc.toJS();
  } catch (err) {
    throw yamlFailure(err);
  }
  const parsed = topologySchema.safeParse(js);
  if (!parsed.success) {
    // A misspelt key makes the right one missing too: the misspelling is what to fix.
    const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    const known = issue.code === 'unrecognized_keys' ? keysAt(where) : [];
    // An unknown key: point at the key itself, not at the object holding it.
    if (issue.code === 'unrecognized_keys') where.push(issue.keys[0]);
    const value = where.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], js);
    const said = explainIssueSaid(issue as Parameters<typeof explainIssueSaid>[0], 'topology/classroom.yaml', known, value);
    const name = where.length ? where.join('.') : 'the file';
    throw new TopologyError(file, lineOf(where), { en: `${name}: ${said.en}`, ko: `${where.length ? name : '파일'}: ${said.ko}` });
  }
  const data = parsed.data;
  const dir = path.dirname(file);
  const hosts: Host[] = Object.entries(data.hosts).map(([name, h]) => ({ name, ...h }));
  checkHosts(data, hosts, file, lineOf);
  if (options.ports === 'auto') {
    for (const host of hosts) {
      for (const key of Object.keys(host.services) as (keyof Host['services'])[]) host.services[key] = 0;
    }
  }
  const warnings: Said[] = [];
  const zones = Object.entries(data.zones).map(([origin, zoneFile]) => {
    const full = path.resolve(dir, zoneFile);
    let zoneText: string;
    try {
      zoneText = fs.readFileSync(full, 'utf8');
      options.files?.push(full);
    } catch {
      throw new TopologyError(file, lineOf(['zones', origin]), {
        en: `zone file ${zoneFile} for ${origin} not found (looked at ${full}); write the path of a BIND zone file relative to ${path.basename(file)}, e.g. zones/${origin}.zone`,
        ko: `${origin}의 존 파일 ${zoneFile}${josa(zoneFile, '이')} 없습니다 (찾아본 곳: ${full}). ${path.basename(file)}에서 본 BIND 존 파일의 경로를 쓰세요 (예: zones/${origin}.zone)`,
      });
    }
    try {
      const zone = parseZone(zoneText, origin, full);
      // named-checkzone's warnings, with the zone file and line, for the CLI to print
      const shown = path.relative(process.cwd(), full).startsWith('..') ? full : path.relative(process.cwd(), full);
      for (const w of zone.warnings ?? []) warnings.push({ en: `${shown}:${w.line}: ${w.en}`, ko: `${shown}:${w.line}: ${w.ko}` });
      return zone;
    } catch (err) {
      if (err instanceof ZoneFileError) throw err;
      throw new TopologyError(file, lineOf(['zones', origin]), { en: `zone ${origin}: ${(err as Error).message}`, ko: `존 ${origin}: ${(err as Error).message}` });
    }
  });
  const { hosts: _h, zones: _z, ...rest } = data;
  return { ...rest, file, hosts, zones, ...(warnings.length ? { warnings } : {}) };
}

function checkHosts(data: TopologyFile, hosts: Host[], file: string, lineOf: (at: (string | number)[]) => number): void {
  const names = hosts.map((h) => h.name);
  const fail = (at: (string | number)[], message: Said): never => {
    throw new TopologyError(file, lineOf(at), message);
  };
  const dnsHosts = hosts.filter((h) => h.services.dns !== undefined).map((h) => h.name);
  const byAddress = new Map<string, string>();
  const ports = new Map<number, string>();
  const mailDomains = new Map<string, string>();
  for (const host of hosts) {
    const at = ['hosts', host.name];
    if (!inSubnet(host.address, data.network)) {
      fail([...at, 'address'], { en: `${host.name}'s address ${host.address} is outside the lab network ${data.network}; give it an address in that network, e.g. ${exampleAddress(data.network)}`, ko: `${host.name}의 주소 ${host.address}${josa(host.address, '는')} 실습망 ${data.network} 밖에 있습니다. 그 안의 주소를 쓰세요 (예: ${exampleAddress(data.network)})` });
    }
    const other = byAddress.get(host.address);
    if (other) fail([...at, 'address'], { en: `${host.name} has the address ${host.address}, which ${other} already has; give each host its own address`, ko: `${host.name}의 주소 ${host.address}${josa(host.address, '는')} 이미 ${other}${josa(other, '가')} 쓰고 있습니다. 호스트마다 다른 주소를 쓰세요` });
    byAddress.set(host.address, host.name);
    if (host.resolver && !names.includes(host.resolver)) {
      fail([...at, 'resolver'], { en: `${host.name}'s resolver "${host.resolver}" is not a host here; write one of: ${dnsHosts.length ? dnsHosts.join(', ') : names.join(', ')}`, ko: `${host.name}의 resolver "${host.resolver}"${josa(host.resolver, '는')} 이 실습망에 없는 호스트입니다. 네임 서버가 있는 호스트를 쓰세요: ${dnsHosts.length ? dnsHosts.join(', ') : names.join(', ')}` });
    }
    if (host.resolver) {
      const ns = hosts.find((h) => h.name === host.resolver);
      if (ns && ns.services.dns === undefined) {
        const which = dnsHosts.length ? `write ${dnsHosts.join(' or ')} (the host${dnsHosts.length === 1 ? ' that runs' : 's that run'} DNS)` : `give ${host.resolver} "services: { dns: 5300 }"`;
        const whichKo = dnsHosts.length ? `네임 서버가 있는 ${dnsHosts.join(', ')}${josa(dnsHosts.at(-1)!, '을')} 쓰세요` : `${host.resolver}에 "services: { dns: 5300 }"을 주세요`;
        fail([...at, 'resolver'], { en: `${host.name}'s resolver ${host.resolver} runs no name server; ${which}`, ko: `${host.name}의 resolver ${host.resolver}에는 네임 서버가 없습니다. ${whichKo}` });
      }
    }
    for (const [service, port] of Object.entries(host.services)) {
      if (port === undefined || port === 0) continue;
      const taken = ports.get(port);
      if (taken) fail([...at, 'services', service], { en: `${host.name}'s ${service} port ${port} is already used by ${taken}; every service needs its own port on ${data.listen}`, ko: `${host.name}의 ${service} 포트 ${port}${josa(String(port), '는')} 이미 ${taken}${josa(taken, '가')} 씁니다. ${data.listen}에서 서비스마다 다른 포트를 쓰세요` });
      ports.set(port, `${host.name}'s ${service}`);
    }
    if (host.mail) {
      if (host.services.smtp === undefined) fail([...at, 'mail'], { en: `${host.name} takes mail but runs no SMTP service; add "services: { smtp: 2525 }"`, ko: `${host.name}${josa(host.name, '는')} 메일을 받는데 SMTP 서비스가 없습니다. "services: { smtp: 2525 }"를 더하세요` });
      for (const domain of host.mail.domains) {
        const owner = mailDomains.get(domain);
        if (owner) fail([...at, 'mail', 'domains'], { en: `${host.name} and ${owner} both take mail for ${domain}; one host per domain`, ko: `${host.name}${josa(host.name, '와')} ${owner}${josa(owner, '가')} 둘 다 ${domain}의 메일을 받습니다. 도메인 하나에 호스트 하나만 쓰세요` });
        mailDomains.set(domain, host.name);
      }
      for (const key of Object.keys(host.mail.users)) {
        const atSign = key.indexOf('@');
        if (atSign < 0) continue;
        const domain = key.slice(atSign + 1);
        if (!host.mail.domains.includes(domain)) {
          fail([...at, 'mail', 'users', key], { en: `user ${key} is on ${host.name}, which takes no mail for ${domain} (its domains: ${host.mail.domains.join(', ')}); put the user on the host for ${domain}, or add ${domain} to its domains`, ko: `사용자 ${key}${josa(key, '가')} ${host.name}에 있는데, ${host.name}${josa(host.name, '는')} ${domain}의 메일을 받지 않습니다 (도메인: ${host.mail.domains.join(', ')}). 사용자를 ${domain}의 호스트로 옮기거나 ${domain}${josa(domain, '을')} domains에 더하세요` });
        }
        // The store is keyed by local part: lee@naver.com and lee are the same account here.
        const local = key.slice(0, atSign);
        host.mail.users[local] = host.mail.users[key];
        delete host.mail.users[key];
      }
    }
    if (host.client) {
      const server = hosts.find((h) => h.name === host.client!.server);
      const mailHosts = hosts.filter((h) => h.mail).map((h) => h.name).join(', ');
      if (!server) fail([...at, 'client', 'server'], { en: `${host.name}'s mail server "${host.client.server}" is not a host here; write one of: ${mailHosts}`, ko: `${host.name}의 메일 서버 "${host.client.server}"${josa(host.client.server, '는')} 이 실습망에 없는 호스트입니다. 다음 중 하나를 쓰세요: ${mailHosts}` });
      if (!server!.mail) fail([...at, 'client', 'server'], { en: `${host.name}'s mail server ${server!.name} takes no mail; name a host with a "mail:" section`, ko: `${host.name}의 메일 서버 ${server!.name}${josa(server!.name, '는')} 메일을 받지 않습니다. "mail:"이 있는 호스트를 쓰세요: ${mailHosts}` });
    }
  }
  for (const host of hosts) {
    if (!host.client) continue;
    const [local, domain] = host.client.account.toLowerCase().split('@');
    const server = hosts.find((h) => h.name === host.client!.server)!;
    if (!server.mail!.domains.includes(domain)) {
      fail(['hosts', host.name, 'client', 'account'], { en: `${host.name}'s account ${host.client.account} is on ${server.name}, which takes no mail for ${domain}; use an address in ${server.mail!.domains.join(', ')} or another server`, ko: `${host.name}의 계정 ${host.client.account}${josa(host.client.account, '는')} ${server.name}에 있는데, ${server.name}${josa(server.name, '는')} ${domain}의 메일을 받지 않습니다. ${server.mail!.domains.join(', ')}의 주소를 쓰거나 다른 서버를 쓰세요` });
    }
    if (!Object.hasOwn(server.mail!.users, local)) {
      fail(['hosts', host.name, 'client', 'account'], { en: `${host.name}'s account ${host.client.account} is not a user on ${server.name}; add "${local}: { password: ... }" under ${server.name}'s mail.users`, ko: `${host.name}의 계정 ${host.client.account}${josa(host.client.account, '는')} ${server.name}의 사용자가 아닙니다. ${server.name}의 mail.users 아래에 "${local}: { password: ... }"를 더하세요` });
    }
  }
}

function exampleAddress(network: string): string {
  const [base] = network.split('/');
  const parts = base.split('.');
  parts[3] = '100';
  return parts.join('.');
}
