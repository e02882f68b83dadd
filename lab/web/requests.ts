import { z } from 'zod';
import type { Topology } from '../topology/types.ts';

// What the page may send, checked before anything happens: a request that fails here gets a
// 400 with the reason and changes nothing in the lab.

export class BadRequest extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

const hostName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a host name from the topology, such as Server-B');
// An address as a person types it; the mail server itself decides whether it exists (that is the lesson).
const address = z.string().trim().regex(/^[^@\s<>(),;:"\\]+@[^@\s<>(),;:"\\]+$/, 'an address such as lee@naver.com');
const service = z.enum(['dns', 'smtp', 'pop3', 'imap']);

export const sendRequest = z.strictObject({
  /** the client PC that sends: WinClient, Client */
  from: hostName,
  to: z.union([address, z.array(address).min(1).max(20)]),
  cc: z.union([address, z.array(address).max(20)]).optional(),
  subject: z.string().max(998, 'a subject of at most 998 characters (RFC 5322 section 2.1.1)'),
  body: z.string().max(100_000, 'a body of at most 100,000 characters'),
  /** the Message-ID this letter answers */
  inReplyTo: z.string().regex(/^<[^<>\s]+>$/, 'a Message-ID such as <abc@daum.net>').optional(),
});

export const fetchRequest = z.strictObject({
  client: hostName,
  protocol: z.enum(['pop3', 'imap']).optional(),
});

export const faultRequest = z.discriminatedUnion('fault', [
  z.strictObject({ fault: z.enum(['host-down', 'host-up']), host: hostName }),
  z.strictObject({ fault: z.enum(['service-down', 'service-up']), host: hostName, service }),
  z.strictObject({ fault: z.enum(['link-down', 'link-up']), host: hostName, peer: hostName }),
]);

export const flushRequest = z.strictObject({ host: hostName });
export const scenarioRequest = z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/, 'a shipped scenario name such as kim-to-lee') });
export const stepRequest = z.strictObject({ on: z.boolean() });
export const playRequest = z.strictObject({
  /** ms between two hops; 0 stops playing */
  interval: z.number().int().min(0).max(60_000),
});
export const emptyRequest = z.strictObject({});

/** Parse a request body against a schema, or throw a 400 that says what was wrong. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `"${issue.path.join('.')}": ` : '';
  throw new BadRequest(`${where}${issue.message}`);
}

/** A host that must exist in the topology, and be of the wanted sort. */
export function requireHost(topology: Topology, name: string, sort?: 'client' | 'mail'): void {
  const host = topology.hosts.find((h) => h.name === name);
  if (!host) throw new BadRequest(`no host "${name}" in this lab; hosts: ${topology.hosts.map((h) => h.name).join(', ')}`);
  if (sort === 'client' && !host.client) {
    throw new BadRequest(`${name} is not a client PC; client PCs: ${topology.hosts.filter((h) => h.client).map((h) => h.name).join(', ')}`);
  }
  if (sort === 'mail' && !host.mail) {
    throw new BadRequest(`${name} is not a mail server; mail servers: ${topology.hosts.filter((h) => h.mail).map((h) => h.name).join(', ')}`);
  }
}
