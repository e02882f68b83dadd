import fs from 'node:fs';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { lineAt, explainIssue } from './yaml-lines.ts';
import { topologySchema, type TopologyFile } from './schema.ts';
import { parseZone, ZoneFileError } from './zone-file.ts';
import type { Host, Topology } from './types.ts';
import { inSubnet } from './address-plan.ts';

/** A topology error: the file, the line, what is wrong and what to write instead. */
export class TopologyError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.file = file;
    this.line = line;
  }
}

export interface LoadOptions {
  /** 'auto': every service port becomes 0, chosen by the OS (many labs at once) */
  ports?: 'fixed' | 'auto';
}

export function loadTopology(file: string, options: LoadOptions = {}): Topology {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TopologyError(file, 0, `cannot read the topology file (${(err as NodeJS.ErrnoException).code}); give the path of a YAML file such as topology/classroom.yaml`);
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
    const err = doc.errors[0];
    const line = err.linePos?.[0].line ?? lineCounter.linePos(err.pos[0]).line;
    throw new TopologyError(file, line, `YAML syntax: ${err.message.split('\n')[0]}`);
  }
  const lineOf = (at: (string | number)[]) => lineAt(doc, lineCounter, at);
  let plain: unknown;
  try {
    plain = doc.toJS();
  } catch (err) {
    throw yamlFailure(err);
  }
  const parsed = topologySchema.safeParse(plain);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    // An unknown key: point at the key itself, not at the object holding it.
    if (issue.code === 'unrecognized_keys') where.push(issue.keys[0]);
    const name = where.length ? where.join('.') : 'the file';
    throw new TopologyError(file, lineOf(where), `${name}: ${explainIssue(issue as Parameters<typeof explainIssue>[0], 'topology/classroom.yaml')}`);
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
  const zones = Object.entries(data.zones).map(([origin, zoneFile]) => {
    const full = path.resolve(dir, zoneFile);
    let zoneText: string;
    try {
      zoneText = fs.readFileSync(full, 'utf8');
    } catch {
      throw new TopologyError(file, lineOf(['zones', origin]), `zone file ${zoneFile} for ${origin} not found (looked at ${full}); write the path of a BIND zone file relative to ${path.basename(file)}, e.g. zones/${origin}.zone`);
    }
    try {
      return parseZone(zoneText, origin, full);
    } catch (err) {
      if (err instanceof ZoneFileError) throw err;
      throw new TopologyError(file, lineOf(['zones', origin]), `zone ${origin}: ${(err as Error).message}`);
    }
  });
  const { hosts: _h, zones: _z, ...rest } = data;
  return { ...rest, file, hosts, zones };
}

function checkHosts(data: TopologyFile, hosts: Host[], file: string, lineOf: (at: (string | number)[]) => number): void {
  const names = hosts.map((h) => h.name);
  const fail = (at: (string | number)[], message: string): never => {
    throw new TopologyError(file, lineOf(at), message);
  };
  const byAddress = new Map<string, string>();
  const ports = new Map<number, string>();
  const mailDomains = new Map<string, string>();
  for (const host of hosts) {
    const at = ['hosts', host.name];
    if (!inSubnet(host.address, data.network)) {
      fail([...at, 'address'], `${host.name}'s address ${host.address} is outside the lab network ${data.network}; give it an address in that network, e.g. ${exampleAddress(data.network)}`);
    }
    const other = byAddress.get(host.address);
    if (other) fail([...at, 'address'], `${host.name} has the address ${host.address}, which ${other} already has; give each host its own address`);
    byAddress.set(host.address, host.name);
    if (host.resolver && !names.includes(host.resolver)) {
      fail([...at, 'resolver'], `${host.name}'s resolver "${host.resolver}" is not a host here; write one of: ${names.join(', ')}`);
    }
    if (host.resolver) {
      const ns = hosts.find((h) => h.name === host.resolver);
      if (ns && ns.services.dns === undefined) fail([...at, 'resolver'], `${host.name}'s resolver ${host.resolver} runs no name server; give ${host.resolver} "services: { dns: 5300 }" or name a host that has one`);
    }
    for (const [service, port] of Object.entries(host.services)) {
      if (port === undefined || port === 0) continue;
      const taken = ports.get(port);
      if (taken) fail([...at, 'services', service], `${host.name}'s ${service} port ${port} is already used by ${taken}; every service needs its own port on ${data.listen}`);
      ports.set(port, `${host.name}'s ${service}`);
    }
    if (host.mail) {
      if (host.services.smtp === undefined) fail([...at, 'mail'], `${host.name} takes mail but runs no SMTP service; add "services: { smtp: 2525 }"`);
      for (const domain of host.mail.domains) {
        const owner = mailDomains.get(domain);
        if (owner) fail([...at, 'mail', 'domains'], `${host.name} and ${owner} both take mail for ${domain}; one host per domain`);
        mailDomains.set(domain, host.name);
      }
      for (const key of Object.keys(host.mail.users)) {
        const atSign = key.indexOf('@');
        if (atSign < 0) continue;
        const domain = key.slice(atSign + 1);
        if (!host.mail.domains.includes(domain)) {
          fail([...at, 'mail', 'users', key], `user ${key} is on ${host.name}, which takes no mail for ${domain} (its domains: ${host.mail.domains.join(', ')}); put the user on the host for ${domain}, or add ${domain} to its domains`);
        }
        // The store is keyed by local part: lee@naver.com and lee are the same account here.
        const local = key.slice(0, atSign);
        host.mail.users[local] = host.mail.users[key];
        delete host.mail.users[key];
      }
    }
    if (host.client) {
      const server = hosts.find((h) => h.name === host.client!.server);
      if (!server) fail([...at, 'client', 'server'], `${host.name}'s mail server "${host.client.server}" is not a host here; write one of: ${hosts.filter((h) => h.mail).map((h) => h.name).join(', ')}`);
      if (!server!.mail) fail([...at, 'client', 'server'], `${host.name}'s mail server ${server!.name} takes no mail; name a host with a "mail:" section`);
    }
  }
  for (const host of hosts) {
    if (!host.client) continue;
    const [local, domain] = host.client.account.toLowerCase().split('@');
    const server = hosts.find((h) => h.name === host.client!.server)!;
    if (!server.mail!.domains.includes(domain)) {
      fail(['hosts', host.name, 'client', 'account'], `${host.name}'s account ${host.client.account} is on ${server.name}, which takes no mail for ${domain}; use an address in ${server.mail!.domains.join(', ')} or another server`);
    }
    if (!Object.hasOwn(server.mail!.users, local)) {
      fail(['hosts', host.name, 'client', 'account'], `${host.name}'s account ${host.client.account} is not a user on ${server.name}; add "${local}: { password: ... }" under ${server.name}'s mail.users`);
    }
  }
}

function exampleAddress(network: string): string {
  const [base] = network.split('/');
  const parts = base.split('.');
  parts[3] = '100';
  return parts.join('.');
}
