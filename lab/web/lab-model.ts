import path from 'node:path';
import type { Lab } from '../runtime/lab.ts';
import type { Topology } from '../topology/types.ts';
import type { ServiceName } from '../topology/schema.ts';
import type { ResourceRecord } from '../topology/zone-file.ts';
import type { QueueEntry } from '../runtime/queue-view.ts';
import type { Bilingual } from '../trace/hop-event.ts';
import type { Lang } from '../trace/language.ts';

// What the page is told about the lab (GET /api/lab) and its live state (GET /api/state and the
// `state` message of the stream). The page draws its figures from this, nothing else.

export interface ModelHost {
  name: string;
  address: string;
  hostname?: string;
  role?: string;
  services: ServiceName[];
  resolver?: string;
  mail?: { domains: string[]; users: { user: string; address: string; name?: string }[] };
  client?: { account: string; server: string; read: 'pop3' | 'imap' };
}

export interface ModelZone {
  origin: string;
  /** the zone file, relative to the project */
  file: string;
  records: { name: string; ttl: number; type: string; data: string; line: number }[];
}

export interface LabModel {
  name: string;
  network: string;
  /** the topology file, relative to the project */
  file: string;
  runtime: 'embedded' | 'containers';
  lang: Lang;
  hosts: ModelHost[];
  zones: ModelZone[];
  scenarios: { name: string; title: Bilingual }[];
  /** the client PC that sends first in the scenario being played: the figures put its side on the left */
  lead?: string;
  /** this browser may act (send, faults, reset); false for a watcher without the token */
  canAct: boolean;
  tokenRequired: boolean;
  /** the trace's seq at the last reset */
  resetAt: number;
}

export interface MailboxSummary {
  host: string;
  user: string;
  address: string;
  letters: { id: string; folder: 'new' | 'cur'; subject: string; from: string; to: string; date: string; size: number; messageId?: string }[];
  /** letters not listed (only the newest are) */
  more: number;
}

export interface LabState {
  /** ms since the epoch on the lab's clock, for the ages in the queue */
  now: number;
  queues: { host: string; entries: QueueEntry[] }[];
  mailboxes: MailboxSummary[];
}

const PROJECT = path.join(import.meta.dirname, '..', '..');
const MAX_LETTERS = 200;

export function labModel(topology: Topology, runtime: LabModel['runtime'], extra: Pick<LabModel, 'lang' | 'scenarios' | 'lead' | 'canAct' | 'tokenRequired' | 'resetAt'>): LabModel {
  return {
    name: topology.name,
    network: topology.network,
    file: path.relative(PROJECT, topology.file),
    runtime,
    hosts: topology.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      hostname: h.hostname,
      role: h.role,
      services: Object.keys(h.services) as ServiceName[],
      resolver: h.resolver,
      mail: h.mail && {
        domains: h.mail.domains,
        users: Object.entries(h.mail.users).map(([user, account]) => ({ user, address: user.includes('@') ? user : `${user}@${h.mail!.domains[0]}`, name: account.name })),
      },
      client: h.client && { account: h.client.account, server: h.client.server, read: h.client.read },
    })),
    zones: topology.zones.map((z) => ({ origin: z.origin, file: path.relative(PROJECT, z.file), records: z.records.map(recordRow) })),
    ...extra,
  };
}

function recordRow(r: ResourceRecord): ModelZone['records'][number] {
  const data = (() => {
    switch (r.type) {
      case 'SOA': return `${r.mname}. ${r.rname}. ${r.serial} ${r.refresh} ${r.retry} ${r.expire} ${r.minimum}`;
      case 'NS': return `${r.host}.`;
      case 'MX': return `${r.preference} ${r.exchange}.`;
      case 'A': case 'AAAA': return r.address;
      case 'CNAME': case 'PTR': return `${r.target}.`;
      case 'TXT': return r.strings.map((s) => JSON.stringify(s)).join(' ');
    }
  })();
  return { name: r.name, ttl: r.ttl, type: r.type, data, line: r.line };
}

/** Every mail server's queue and every user's mailbox, through the Lab API. */
export async function labState(lab: Lab): Promise<LabState> {
  const mailHosts = lab.topology.hosts.filter((h) => h.mail);
  const queues = await Promise.all(mailHosts.map(async (h) => ({ host: h.name, entries: await lab.queue(h.name).catch(() => []) })));
  const mailboxes = await Promise.all(mailHosts.flatMap((h) => Object.keys(h.mail!.users).map(async (user): Promise<MailboxSummary> => {
    const letters = await lab.mailbox(h.name, user).catch(() => []);
    const newest = letters.slice(-MAX_LETTERS);
    return {
      host: h.name,
      user,
      address: user.includes('@') ? user : `${user}@${h.mail!.domains[0]}`,
      letters: newest.map((l) => ({ id: path.basename(l.file), folder: l.folder, subject: l.subject, from: l.from, to: l.to, date: headerOf(l.headers, 'date'), size: l.raw.length, messageId: headerOf(l.headers, 'message-id') || undefined })),
      more: letters.length - newest.length,
    };
  })));
  return { now: Date.now(), queues, mailboxes };
}

function headerOf(headers: string, name: string): string {
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(headers)?.[1].trim() ?? '';
}
