// The data side of the bind9 role: what an authoritative server answers from its zones
// (RFC 1034 section 4.3.2, steps 1-3, without recursion). Packets are the wire layer's job.
import type { ResourceRecord, ZoneData } from '../topology/zone-file.ts';

type Cname = Extract<ResourceRecord, { type: 'CNAME' }>;

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export interface ZoneAnswer {
  rcode: Rcode;
  /** AA: set only for names inside one of our zones */
  authoritative: boolean;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

/** Longest CNAME chain followed before giving up (BIND stops at 16; a lab needs far fewer). */
const MAX_CHAIN = 8;

export class Authority {
  readonly zones: ZoneData[];
  private readonly byName = new Map<string, ResourceRecord[]>();
  /** every name that owns records, with each of its ancestors inside the zone (empty non-terminals) */
  private readonly existing = new Set<string>();

  constructor(zones: ZoneData[]) {
    this.zones = zones;
    for (const zone of zones) {
      for (const record of zone.records) {
        const list = this.byName.get(record.name) ?? [];
        list.push(record);
        this.byName.set(record.name, list);
        for (let name = record.name; ; name = name.slice(name.indexOf('.') + 1)) {
          this.existing.add(name);
          if (name === zone.origin || !name.includes('.')) break;
        }
      }
    }
  }

  /** The zone a name belongs to: the longest origin it ends with. */
  zoneFor(name: string): ZoneData | undefined {
    let best: ZoneData | undefined;
    for (const zone of this.zones) {
      const inside = name === zone.origin || name.endsWith(`.${zone.origin}`);
      if (inside && (!best || zone.origin.length > best.origin.length)) best = zone;
    }
    return best;
  }

  /** Answer one question. `type` is a type name ('MX', 'ANY', 'SRV', 'TYPE65' ...). */
  answer(qname: string, type: string): ZoneAnswer {
    let name = qname.toLowerCase().replace(/\.$/, '');
    let zone = this.zoneFor(name);
    // Not ours: refuse rather than recurse, so the lab is never an open resolver.
    if (!zone) return { rcode: 'REFUSED', authoritative: false, answers: [], authority: [], additional: [] };
    const answers: ResourceRecord[] = [];
    const seen = new Set<string>();
    for (;;) {
      const here = this.byName.get(name) ?? [];
      if (!this.existing.has(name)) return this.negative('NXDOMAIN', zone, answers);
      const cname = here.find((r): r is Cname => r.type === 'CNAME');
      if (cname && type !== 'CNAME' && type !== 'ANY') {
        // RFC 1034 section 4.3.2 step 3a: put the CNAME in the answer and go on with its target.
        answers.push(cname);
        seen.add(name);
        const next = this.zoneFor(cname.target);
        if (!next || seen.has(cname.target) || seen.size >= MAX_CHAIN) {
          // A target outside our zones is the asker's to chase; a loop is answered as far as it goes.
          return { rcode: 'NOERROR', authoritative: true, answers, authority: [], additional: [] };
        }
        name = cname.target;
        zone = next;
        continue;
      }
      const found = type === 'ANY' ? here : here.filter((r) => r.type === type);
      if (found.length === 0) return this.negative('NOERROR', zone, answers);
      answers.push(...found);
      return { rcode: 'NOERROR', authoritative: true, answers, authority: [], additional: this.additionalFor(found) };
    }
  }

  /** NXDOMAIN or NODATA: the zone's SOA in the authority section, TTL min(SOA TTL, minimum) (RFC 2308 section 3). */
  private negative(rcode: 'NXDOMAIN' | 'NOERROR', zone: ZoneData, answers: ResourceRecord[]): ZoneAnswer {
    const soa = zone.records.find((r) => r.type === 'SOA');
    const authority = soa && soa.type === 'SOA' ? [{ ...soa, ttl: Math.min(soa.ttl, soa.minimum) }] : [];
    return { rcode, authoritative: true, answers, authority, additional: [] };
  }

  /** Addresses of the hosts an MX or NS answer names, so the asker need not ask again (RFC 1035 section 3.3.9). */
  private additionalFor(records: ResourceRecord[]): ResourceRecord[] {
    const hosts = new Set<string>();
    for (const r of records) {
      if (r.type === 'MX') hosts.add(r.exchange);
      if (r.type === 'NS') hosts.add(r.host);
    }
    const out: ResourceRecord[] = [];
    for (const host of hosts) {
      for (const r of this.byName.get(host) ?? []) if (r.type === 'A' || r.type === 'AAAA') out.push(r);
    }
    return out;
  }
}
