// Each host's stub resolver: its /etc/resolv.conf. It speaks real DNS (UDP, TCP on truncation)
// to the name server the topology names, through the lab network.
import { crypto } from '../node-builtins.ts';
import type dgram from 'node:dgram';
import { Packet } from '../dns/dns-packet.ts';
import type { Resource } from '../dns/dns-packet.ts';
import type { LabNet } from './lab-net.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import type { TranscriptLine } from '../trace/hop-event.ts';
import { LabClock, type Clock, type LabTimer } from '../trace/lab-clock.ts';

/** for a resolver made without the lab's clock (a tool, a test): time as usual */
const PLAIN_CLOCK = new LabClock();

export type DnsFailure = 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'UNREACHABLE';

export class DnsError extends Error {
  readonly code: DnsFailure;
  readonly name_: string;
  readonly type: string;
  constructor(code: DnsFailure, name: string, type: string, message?: string) {
    super(message ?? `${type} ${name}: ${code}`);
    this.code = code;
    this.name_ = name;
    this.type = type;
  }
  /** A failure that may clear up (time-out, server failure) defers; the others are final. */
  get temporary(): boolean {
    return this.code === 'SERVFAIL' || this.code === 'TIMEOUT' || this.code === 'UNREACHABLE';
  }
}

export interface MxAnswer {
  exchange: string;
  preference: number;
}

export interface StubResolverOptions {
  net: LabNet;
  /** the host asking */
  from: string;
  /** the name server's host name (topology `resolver`) */
  nameServer: string;
  /** not reported to: the asking role puts the lookup's log into its own hop (step 3 for the MTA) */
  trace?: TraceBus;
  /** per-query time-out, ms */
  timeoutMs?: number;
  /** the lab's clock: a query's time-out stands still while a hop is held (--step) */
  clock?: Pick<Clock, 'setTimeout'>;
}

type QueryType = 'A' | 'AAAA' | 'MX';

const DNS_PORT = 53;
/** glibc's resolver gives up after following this many aliases too */
const MAX_CNAMES = 8;
const RCODE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Packet.RCODE).map(([k, v]) => [v, k]));

export class StubResolver {
  readonly options: StubResolverOptions;
  constructor(options: StubResolverOptions) {
    this.options = options;
  }

  /** MX records of a domain, lowest preference first. NODATA means: use the implicit MX (RFC 5321 section 5.1). */
  async resolveMx(domain: string, log?: TranscriptLine[]): Promise<MxAnswer[]> {
    const records = await this.lookup(domain, 'MX', log);
    return records
      .map((r) => ({ exchange: fqdnless(r.exchange ?? ''), preference: r.priority ?? 0 }))
      .sort((a, b) => a.preference - b.preference);
  }

  /** IPv4 addresses of a name, CNAMEs followed. */
  async resolveA(name: string, log?: TranscriptLine[]): Promise<string[]> {
    const records = await this.lookup(name, 'A', log);
    return records.map((r) => r.address ?? '');
  }

  /** Ask for (name, type); follow a CNAME chain the answer did not finish itself. */
  private async lookup(name: string, type: QueryType, log: TranscriptLine[] | undefined): Promise<Resource[]> {
    const asked = fqdnless(name);
    const seen = new Set<string>([asked]);
    let current = asked;
    for (;;) {
      const response = await this.query(current, type, log).catch((err: unknown) => {
        // name the failure after what the caller asked, not the alias target we were chasing
        if (!(err instanceof DnsError) || current === asked) throw err;
        throw new DnsError(err.code, asked, type, `${type} ${asked} (an alias for ${current}): ${err.message.replace(/^\S+ \S+: /, '')}`);
      });
      let owner = current;
      for (;;) {
        const found = response.answers.filter((r) => r.type === Packet.TYPE[type] && fqdnless(r.name) === owner);
        if (found.length) return found;
        const alias = response.answers.find((r) => r.type === Packet.TYPE.CNAME && fqdnless(r.name) === owner);
        if (!alias) break;
        owner = fqdnless(alias.domain ?? '');
        if (seen.has(owner) || seen.size > MAX_CNAMES) throw new DnsError('SERVFAIL', asked, type, `${type} ${asked}: CNAME loop or chain too long at ${owner}`);
        seen.add(owner);
      }
      if (response.header.rcode === Packet.RCODE.NXDOMAIN) {
        throw new DnsError('NXDOMAIN', asked, type, `${type} ${asked}: ${owner} does not exist (NXDOMAIN)`);
      }
      // The answer stopped at an alias it did not resolve (its target is in no zone of that
      // server) and gave no SOA for it: ask again for the target, as a resolver would.
      const negative = response.authorities.some((r) => r.type === Packet.TYPE.SOA);
      if (owner !== current && !negative) {
        current = owner;
        continue;
      }
      throw new DnsError('NODATA', asked, type, `${type} ${asked}: ${owner} exists but has no ${type} record (NODATA)`);
    }
  }

  /** One query: UDP first, TCP when the answer is truncated (RFC 1035 section 4.2.1). */
  private async query(name: string, type: QueryType, log: TranscriptLine[] | undefined): Promise<Packet> {
    const { net, from, nameServer } = this.options;
    const server = net.topology.hosts.find((h) => h.name === nameServer);
    log?.push({ dir: 'C', line: questionLine(name, type) });
    const fail = (code: DnsFailure, said: string, message: string): never => {
      log?.push({ dir: 'S', line: said });
      throw new DnsError(code, name, type, `${type} ${name}: ${message}`);
    };
    if (!server) return fail('UNREACHABLE', ';; no name server configured', `no host ${nameServer} in the topology to ask`);
    const at = `${server.address}#${DNS_PORT}`;
    if (!net.reachable(from, nameServer)) {
      return fail('UNREACHABLE', `;; communications error to ${at}: host unreachable`, `name server ${nameServer} (${server.address}) unreachable: the link ${from} - ${nameServer} is down`);
    }
    const endpoint = net.endpoint(server.address, DNS_PORT);
    // Nothing listens there (the host is down): a real resolver gets ICMP port unreachable at once.
    if (!endpoint) {
      return fail('UNREACHABLE', `;; communications error to ${at}: connection refused`, `name server ${nameServer} (${server.address}) is not answering on port ${DNS_PORT} (connection refused)`);
    }
    let response = await this.overUdp(endpoint, name, type, fail, at);
    if (response.header.tc) {
      log?.push({ dir: 'S', line: ';; Truncated, retrying in TCP mode.' });
      log?.push({ dir: 'C', line: `${questionLine(name, type)} +tcp` });
      response = await this.overTcp(server.address, name, type, fail, at);
    }
    const rcode = response.header.rcode;
    if (rcode === Packet.RCODE.NOERROR || rcode === Packet.RCODE.NXDOMAIN) {
      for (const line of answerLines(response)) log?.push({ dir: 'S', line });
      return response;
    }
    const said = RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
    if (rcode === Packet.RCODE.REFUSED) return fail('REFUSED', said, `the name server ${nameServer} refused the query (REFUSED): the name is in none of its zones`);
    return fail('SERVFAIL', said, `the name server ${nameServer} answered ${said}`);
  }

  private async overUdp(endpoint: { host: string; port: number }, name: string, type: QueryType, fail: Fail, at: string): Promise<Packet> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const socket = await this.options.net.udpSocket(this.options.from);
    // an ICMP error arriving between attempts must not become an uncaught 'error'
    socket.on('error', () => {});
    try {
      // A connected socket hears ICMP port unreachable as ECONNREFUSED instead of waiting.
      await new Promise<void>((resolve) => socket.connect(endpoint.port, endpoint.host, resolve));
      const ids = new Set<number>();
      for (let attempt = 0; attempt < 2; attempt++) {
        const id = crypto.randomInt(0x10000);
        ids.add(id);
        socket.send(query(id, name, type));
        const answer = await awaitDatagram(socket, ids, name, type, timeoutMs, this.options.clock ?? PLAIN_CLOCK);
        if (answer === 'refused') return fail('UNREACHABLE', `;; communications error to ${at}: connection refused`, `name server at ${at} is not answering (connection refused)`);
        if (answer !== 'timeout') return answer;
      }
      return fail('TIMEOUT', ';; connection timed out; no servers could be reached', `no answer from ${at} within ${timeoutMs} ms, tried twice`);
    } finally {
      socket.close();
    }
  }

  private async overTcp(address: string, name: string, type: QueryType, fail: Fail, at: string): Promise<Packet> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    let socket;
    try {
      socket = await this.options.net.connect(this.options.from, address, DNS_PORT);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail('UNREACHABLE', `;; communications error to ${at}: ${code === 'ECONNREFUSED' ? 'connection refused' : 'host unreachable'}`, `TCP to ${at} failed (${code})`);
    }
    try {
      const id = crypto.randomInt(0x10000);
      const message = query(id, name, type);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
      let timer: LabTimer | undefined;
      const clock = this.options.clock ?? PLAIN_CLOCK;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = clock.setTimeout(() => resolve('timeout'), timeoutMs)));
      const read = Packet.readStream(socket).catch(() => 'closed' as const);
      const bytes = await Promise.race([read, timedOut]);
      timer?.clear();
      if (bytes === 'timeout') return fail('TIMEOUT', ';; connection timed out; no servers could be reached', `no answer over TCP from ${at} within ${timeoutMs} ms`);
      const response = bytes === 'closed' ? undefined : parseAnswer(bytes, new Set([id]), name, type);
      if (!response) return fail('SERVFAIL', ';; communications error: bad answer over TCP', `no usable answer over TCP from ${at}`);
      return response;
    } finally {
      socket.destroy();
    }
  }
}

type Fail = (code: DnsFailure, said: string, message: string) => never;

function query(id: number, name: string, type: QueryType): Buffer {
  const packet = new Packet();
  packet.header = new Packet.Header({ id, rd: 1 });
  packet.questions.push(new Packet.Question(name, Packet.TYPE[type], Packet.CLASS.IN));
  return packet.toBuffer();
}

/** The first datagram that answers our question with one of our IDs (RFC 5452 section 4). */
function awaitDatagram(socket: dgram.Socket, ids: Set<number>, name: string, type: QueryType, timeoutMs: number, clock: Pick<Clock, 'setTimeout'>): Promise<Packet | 'timeout' | 'refused'> {
  return new Promise((resolve) => {
    const done = (result: Packet | 'timeout' | 'refused') => {
      timer.clear();
      socket.off('message', onMessage);
      socket.off('error', onError);
      resolve(result);
    };
    const onMessage = (bytes: Buffer) => {
      const response = parseAnswer(bytes, ids, name, type);
      if (response) done(response);
    };
    const onError = (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'timeout');
    const timer = clock.setTimeout(() => done('timeout'), timeoutMs);
    socket.on('message', onMessage);
    socket.on('error', onError);
  });
}

function parseAnswer(bytes: Buffer, ids: Set<number>, name: string, type: QueryType): Packet | undefined {
  let response: Packet;
  try {
    response = Packet.parse(bytes);
  } catch {
    return undefined;
  }
  const q = response.questions[0];
  const matches = response.header.qr === 1 && ids.has(response.header.id) && response.errors.length === 0
    && q !== undefined && fqdnless(q.name) === name && q.type === Packet.TYPE[type];
  return matches ? response : undefined;
}

function fqdnless(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function fqdn(name: string): string {
  return name === '' ? '.' : `${name.replace(/\.$/, '')}.`;
}

/** `QUERY naver.com. IN MX`, the C: line of a lookup. */
export function questionLine(name: string, type: string): string {
  return `QUERY ${fqdn(name)} IN ${type}`;
}

/** A record the way dig prints it: `naver.com. 10800 IN MX 10 mail.naver.com.` */
export function recordLine(r: Resource): string {
  const type = Packet.typeName(r.type);
  let data: string;
  switch (r.type) {
    case Packet.TYPE.A:
    case Packet.TYPE.AAAA:
      data = r.address ?? '';
      break;
    case Packet.TYPE.MX:
      data = `${r.priority} ${fqdn(r.exchange ?? '')}`;
      break;
    case Packet.TYPE.NS:
      data = fqdn(r.ns ?? '');
      break;
    case Packet.TYPE.CNAME:
    case Packet.TYPE.PTR:
      data = fqdn(r.domain ?? '');
      break;
    case Packet.TYPE.SOA:
      data = `${fqdn(r.primary ?? '')} ${fqdn(r.admin ?? '')} ${r.serial} ${r.refresh} ${r.retry} ${r.expiration} ${r.minimum}`;
      break;
    case Packet.TYPE.TXT: {
      const strings = Array.isArray(r.data) ? r.data : [String(r.data ?? '')];
      data = strings.map((s) => `"${String(s).replace(/["\\]/g, '\\$&')}"`).join(' ');
      break;
    }
    default:
      data = '';
  }
  return `${fqdn(r.name)} ${r.ttl} IN ${type} ${data}`.trimEnd();
}

/**
 * The S: lines of an answer: the records that answer, or the status when there are none
 * (NXDOMAIN, or NODATA for a name that exists without that record).
 */
export function answerLines(response: Packet): string[] {
  const rcode = response.header.rcode;
  const lines = response.answers.map(recordLine);
  if (rcode !== Packet.RCODE.NOERROR) lines.push(RCODE_NAMES[rcode] ?? `RCODE${rcode}`);
  else if (response.answers.length === 0) lines.push('NODATA');
  return lines;
}
