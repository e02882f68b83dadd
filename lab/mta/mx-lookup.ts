import type { HostContext } from '../host/host-context.ts';
import type { TranscriptLine, HopStatus } from '../trace/hop-event.ts';
import { DnsError, questionLine } from '../net/resolver.ts';
import { STEPS } from '../trace/steps.ts';
import { mxRefs } from '../host/config-refs.ts';

// Part of step 3 of the seed's sendmail figure (and of the overview's ②): the MTA asks its name
// server where mail for the recipient's domain goes (MX naver.com, then A mail.naver.com), as
// Haraka's get_mx does. The step is held before it, where the queue run asks the MDA to send.

/** One place to send the mail to, in preference order. */
export interface MxHost {
  exchange: string;
  preference: number;
  addresses: string[];
  /** no MX record: the domain's own A record stands in (RFC 5321 section 5.1) */
  implicit?: boolean;
}

export type DeliveryAction = 'defer' | 'bounce';

/**
 * Why a delivery did not happen, and what the queue does about it: defer (retry on the
 * schedule) or bounce (a DSN to the sender). `reply` is written like an SMTP reply because the
 * DSN's Diagnostic-Code and mailq show it; `status` is the enhanced status code (RFC 3463).
 */
export class DeliveryFailure extends Error {
  readonly action: DeliveryAction;
  readonly status: string;
  readonly reply: string;
  /** the MTA that said so, when one did (the DSN's Remote-MTA) */
  readonly remoteMta?: string;
  constructor(action: DeliveryAction, status: string, reply: string, remoteMta?: string) {
    super(reply);
    this.action = action;
    this.status = status;
    this.reply = reply;
    this.remoteMta = remoteMta;
  }
}

/**
 * The mail exchangers for a domain, best first, each with its addresses. Throws DeliveryFailure:
 * defer for a name server that fails or does not answer, bounce for a domain that does not
 * exist, has neither MX nor address, says it takes no mail (null MX, RFC 7505), or whose best
 * MX is this host itself ("mail loops back to me").
 */
/**
 * Answers shared between letters queued together (sendmail asks the resolver for each letter;
 * a burst of 5,000 would ask 10,000 times): a lookup under way is joined, and a good answer is
 * kept for at most SHARE_MS of lab time, never past its TTL, and only while the name server that
 * gave it is up and reached the same way. Failures are never kept, and the
 * class, after editing a zone, never meets an old answer (an edit takes longer than SHARE_MS).
 * Each letter still gets its own DNS hop (step 3), which says where the answer came from.
 */
export class MxCache {
  static readonly SHARE_MS = 1000;
  private readonly answers = new Map<string, { at: number; until: number; via: string; result: Promise<{ hosts: MxHost[]; log: TranscriptLine[] }> }>();

  /**
   * The shared answer for a domain, if there is one still good at `now` and it came by the same
   * way (`via`: the name server's real endpoint; a name server taken down, or unreachable,
   * ends every answer it gave).
   */
  take(domain: string, now: number, via = '') {
    const entry = this.answers.get(domain);
    if (entry && now < entry.until && entry.via === via) return entry;
    if (entry) this.answers.delete(domain);
    return undefined;
  }

  /** a lookup under way: joined until it settles, then kept for its time if it found exchangers */
  put(domain: string, now: number, result: Promise<{ hosts: MxHost[]; log: TranscriptLine[]; ttl: number }>, via = ''): void {
    const entry = { at: now, until: Infinity, via, result };
    this.answers.set(domain, entry);
    result.then(
      ({ ttl }) => {
        entry.until = now + Math.min(MxCache.SHARE_MS, ttl * 1000);
        if (entry.until <= now) this.answers.delete(domain);
      },
      () => this.answers.get(domain) === entry && this.answers.delete(domain),
    );
  }
}

export async function lookupMx(ctx: HostContext, domain: string, queueId?: string, cache?: MxCache): Promise<MxHost[]> {
  const nameServer = ctx.host.resolver ?? ctx.host.name;
  const nsHost = ctx.topology.hosts.find((h) => h.name === nameServer);
  const preview = {
    kind: 'dns' as const,
    from: ctx.host.name,
    to: nameServer,
    fromAddress: ctx.host.address,
    toAddress: nsHost?.address,
    steps: STEPS.mxLookup,
    protocol: 'DNS',
    summary: { ko: `네임 서버에 ${domain}의 메일 서버(MX)를 묻기`, en: `Asking the name server for the MX of ${domain}` },
  };
  let log: TranscriptLine[] = [];
  let hosts: MxHost[] = [];
  let failure: DeliveryFailure | undefined;
  const key = domain.toLowerCase();
  const now = ctx.clock.now();
  // answers are shared only while the name server is up and reachable by the same way
  const endpoint = nsHost && ctx.net.reachable(ctx.host.name, nameServer) ? ctx.net.endpoint(nsHost.address, 53) : undefined;
  const via = endpoint ? `${nameServer} ${endpoint.host}:${endpoint.port}` : undefined;
  const shared = via ? cache?.take(key, now, via) : undefined;
  let from: { ago: number } | undefined;
  try {
    if (shared) {
      const answer = await shared.result.catch(() => undefined);
      if (answer) {
        ({ hosts } = answer);
        from = { ago: Math.max(0, now - shared.at) };
        log = [
          { dir: 'C', line: `;; ${questionLine(domain, 'MX')}: the answer the resolver got ${from.ago} ms ago (kept ${MxCache.SHARE_MS / 1000} s at most, within its TTL)` },
          ...answer.log.filter((l) => l.dir === 'S'),
        ];
      }
    }
    if (!from) {
      const result = resolveExchangers(ctx, domain, log);
      if (via) cache?.put(key, now, result.then((r) => ({ hosts: r.hosts, log, ttl: r.ttl })), via);
      ({ hosts } = await result);
    }
  } catch (err) {
    if (!(err instanceof DeliveryFailure)) throw err;
    failure = err;
  }
  const status: HopStatus = failure ? (failure.action === 'defer' ? 'deferred' : 'bounced') : 'ok';
  const found = {
    ko: hosts.map((h) => `${h.exchange}${h.implicit ? '' : `(우선순위 ${h.preference})`}, IP ${h.addresses.join(', ')}`).join('; '),
    en: hosts.map((h) => `${h.exchange}${h.implicit ? '' : ` (preference ${h.preference})`}, IP ${h.addresses.join(', ')}`).join('; '),
  };
  ctx.trace.report({
    ...preview,
    status,
    transcript: log,
    queueId,
    ...(from ? { to: ctx.host.name, toAddress: ctx.host.address } : {}),
    summary: failure
      ? { ko: `${domain}의 메일 서버를 찾지 못했습니다: "${failure.reply}"`, en: `No mail server found for ${domain}: ${failure.reply}` }
      : hosts[0]?.implicit
        ? { ko: `네임 서버의 답: ${domain}에는 MX 레코드가 없어 A 레코드로 보냅니다: ${found.ko}`, en: `The name server says: ${domain} has no MX record; its A record is the implicit MX: ${found.en}` }
        : from
          ? { ko: `${from.ago}ms 전에 네임 서버에서 받은 답(리졸버의 캐시): ${domain}의 메일 서버(MX)는 ${found.ko}`, en: `From the resolver's cache (the name server's answer of ${from.ago} ms ago): mail for ${domain} goes to ${found.en}` }
          : { ko: `네임 서버의 답: ${domain}의 메일 서버(MX)는 ${found.ko}`, en: `The name server says: mail for ${domain} goes to ${found.en}` },
    detail: {
      ...(from ? { cached: true, answeredMsAgo: from.ago } : {}),
      domain,
      mx: hosts.map((h) => ({ exchange: h.exchange, preference: h.preference, implicit: h.implicit ?? false })),
      addresses: Object.fromEntries(hosts.map((h) => [h.exchange, h.addresses])),
      ...(failure ? { error: failure.reply, action: failure.action } : {}),
    },
    config: mxRefs(ctx.topology, ctx.host, domain, hosts, failure),
  });
  if (failure) throw failure;
  return hosts;
}

async function resolveExchangers(ctx: HostContext, domain: string, log: TranscriptLine[]): Promise<{ hosts: MxHost[]; ttl: number }> {
  const resolver = ctx.resolver;
  let records: { exchange: string; preference: number }[];
  let implicit = false;
  try {
    records = await resolver.resolveMx(domain, log);
  } catch (err) {
    if (!(err instanceof DnsError)) throw err;
    if (err.code !== 'NODATA') throw dnsFailure(err, domain);
    // RFC 5321 section 5.1: no MX records, the domain itself is the one mail exchanger.
    records = [{ exchange: domain, preference: 0 }];
    implicit = true;
  }
  // RFC 7505: a single MX of preference 0 and exchange "." says the domain takes no mail.
  if (records.length === 1 && (records[0].exchange === '' || records[0].exchange === '.')) {
    throw new DeliveryFailure('bounce', '5.1.10', `556 5.1.10 ${domain}: Domain does not accept mail (null MX)`);
  }
  records.sort((a, b) => a.preference - b.preference);

  const hosts: MxHost[] = [];
  let temporary: DnsError | undefined;
  let lastError: DnsError | undefined;
  /** exchangers the name server says do not exist (an MX written without its final dot) */
  const unknown: string[] = [];
  for (const record of records) {
    let addresses: string[] = [];
    try {
      addresses = await resolver.resolveA(record.exchange, log);
    } catch (err) {
      if (!(err instanceof DnsError)) throw err;
      if (implicit) {
        // no MX and no address: sendmail's "Host unknown"
        if (err.temporary) throw dnsFailure(err, domain);
        throw new DeliveryFailure('bounce', '5.1.2', `550 5.1.2 ${domain}: Host unknown (Name server: ${domain}: no MX and no address record)`);
      }
      lastError = err;
      if (err.temporary) temporary = err;
      else unknown.push(record.exchange);
      continue; // an MX without an address is skipped; the next one may do
    }
    hosts.push({ exchange: record.exchange, preference: record.preference, addresses, ...(implicit ? { implicit } : {}) });
  }

  // RFC 5321 section 5.1: if this host is one of the exchangers, only those strictly more
  // preferred may be used; none left means the mail would come back here.
  const me = ctx.host;
  const mine = hosts.filter((h) => (me.hostname !== undefined && h.exchange === me.hostname.toLowerCase()) || h.addresses.includes(me.address));
  let usable = hosts;
  if (mine.length) {
    const ours = Math.min(...mine.map((h) => h.preference));
    usable = hosts.filter((h) => h.preference < ours);
    if (usable.length === 0) {
      throw new DeliveryFailure('bounce', '5.3.5', `553 5.3.5 ${mine[0].exchange}. config error: mail loops back to me (MX problem?)`);
    }
  }
  if (usable.length === 0) {
    if (temporary) throw dnsFailure(temporary, domain);
    // sendmail's words for an MX host that does not exist: "Host unknown (Name server: mail.naver.com.naver.com: host not found)"
    if (unknown.length) throw new DeliveryFailure('bounce', '5.1.2', `550 5.1.2 ${domain}: Host unknown (Name server: ${unknown.join(', ')}: host not found)`);
    throw new DeliveryFailure('bounce', '5.1.2', `550 5.1.2 ${domain}: Host unknown (no address for its mail exchangers${lastError ? `: ${lastError.message}` : ''})`);
  }
  return { hosts: usable, ttl: implicit ? 0 : answerTtl(log) };
}

function dnsFailure(err: DnsError, domain: string): DeliveryFailure {
  switch (err.code) {
    case 'NXDOMAIN':
      return new DeliveryFailure('bounce', '5.1.2', `550 5.1.2 ${domain}: Host unknown (Name server: ${domain}: host not found)`);
    case 'NODATA':
      return new DeliveryFailure('bounce', '5.1.2', `550 5.1.2 ${domain}: Host unknown (Name server: ${domain}: no data known)`);
    case 'REFUSED':
      // the lab's name server answers only for the lab's zones: nothing leaves the lab
      return new DeliveryFailure('bounce', '5.1.2', `550 5.1.2 ${domain}: Host unknown (Name server refused the query: not a lab domain)`);
    default:
      // SERVFAIL, TIMEOUT, UNREACHABLE: sendmail's "Host name lookup failure", retried later
      return new DeliveryFailure('defer', '4.4.3', `451 4.4.3 ${domain}: Host name lookup failure (${err.code}: ${err.message})`);
  }
}

/**
 * The shortest TTL among the records the name server gave (the resolver logs each as dig prints
 * it, `naver.com. 10800 IN MX 10 mail.naver.com.`); 0, not kept, when there is none.
 */
function answerTtl(log: TranscriptLine[]): number {
  let ttl = Infinity;
  for (const l of log) {
    const m = l.dir === 'S' ? /^\S+\s+(\d+)\s+IN\s+(?:MX|A)\s/.exec(l.line) : null;
    if (m) ttl = Math.min(ttl, Number(m[1]));
  }
  return ttl === Infinity ? 0 : ttl;
}
