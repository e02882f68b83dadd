import { z } from 'zod';

// A scenario file (scenarios/*.yaml): a topology, actions, expectations.

const hostName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a host name from the topology, such as Server-B');
const address = z.string().regex(/^[^@\s]+@[^@\s]+$/, 'an address such as lee@naver.com');
const duration = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+(ms|s|m)$/, 'a time such as 500ms, 10s or 2m')]);
const addresses = z.union([address, z.array(address).min(1)]);
const bilingual = z.union([z.string(), z.strictObject({ ko: z.string(), en: z.string() })]);

const send = z.strictObject({
  send: z.strictObject({
    /** the client PC that sends (WinClient), or 'outside' with a server to talk to */
    from: hostName.or(z.literal('outside')),
    /** with from: outside, the mail server to connect to */
    server: hostName.optional(),
    /** envelope/From address; default the PC's account */
    sender: address.optional(),
    to: addresses,
    cc: addresses.optional(),
    subject: z.string(),
    body: z.string(),
    /** reply to the newest letter in this PC's mailbox */
    replyToLast: z.boolean().optional(),
    /** what the server must answer: 'accepted' (250) or 'refused' (a 5xx for every recipient) */
    expect: z.enum(['accepted', 'refused']).default('accepted'),
  }),
});

const fetch = z.strictObject({
  fetch: z.strictObject({
    client: hostName,
    protocol: z.enum(['pop3', 'imap']).optional(),
  }),
});

/** Waits are in order: each looks at the hops after the one the previous wait found. */
const waitFor = z.strictObject({
  wait: z.strictObject({
    for: z.enum(['delivered', 'queued', 'deferred', 'relayed', 'bounced', 'dequeued', 'fetched', 'dns']),
    /** the host where it happens (delivered: the mailbox's host; deferred/relayed: the sending host) */
    host: hostName.optional(),
    recipient: address.optional(),
    timeout: duration.default('15s'),
  }),
});

const down = z.strictObject({ down: hostName });
const up = z.strictObject({ up: hostName });
const linkDown = z.strictObject({ 'link-down': z.tuple([hostName, hostName]) });
const linkUp = z.strictObject({ 'link-up': z.tuple([hostName, hostName]) });
const flush = z.strictObject({ flush: hostName });
const service = z.enum(['dns', 'smtp', 'pop3', 'imap']);
/** one service of a host stops (bind9 crashed) while the rest runs */
const serviceDown = z.strictObject({ 'service-down': z.tuple([hostName, service]) });
const serviceUp = z.strictObject({ 'service-up': z.tuple([hostName, service]) });

export const actionSchema = z.union([send, fetch, waitFor, down, up, linkDown, linkUp, flush, serviceDown, serviceUp]);

const mailboxExpect = z.strictObject({
  mailbox: z.strictObject({
    host: hostName,
    user: z.string(),
    /** how many letters (default: at least one matching) */
    count: z.number().int().nonnegative().optional(),
    subject: z.string().optional(),
    /** a DSN naming this recipient as failed */
    bounceFor: address.optional(),
    /** a text the letter's source must contain */
    contains: z.string().optional(),
    /** Received headers naming these addresses, in any order */
    receivedFrom: z.array(z.string()).optional(),
  }),
});
const queueExpect = z.strictObject({
  queue: z.strictObject({
    host: hostName,
    count: z.number().int().nonnegative(),
    status: z.enum(['deferred', 'pending']).optional(),
  }),
});
const stepsExpect = z.strictObject({
  /** these sendmail-figure steps, in this order (others may come between) */
  steps: z.array(z.string().regex(/^\d+(-\d+)?$/, 'a step label such as 4-5')).min(1),
});
const dnsExpect = z.strictObject({
  asked: z.strictObject({ name: z.string(), type: z.enum(['MX', 'A', 'AAAA', 'NS', 'SOA', 'CNAME', 'TXT', 'PTR']), by: hostName.optional() }),
});
const fetchedExpect = z.strictObject({
  fetched: z.strictObject({ client: hostName, subject: z.string().optional(), count: z.number().int().nonnegative().optional() }),
});
const refusedExpect = z.strictObject({
  refused: z.strictObject({ host: hostName, recipient: address.optional(), code: z.number().int().optional(), text: z.string().optional() }),
});
const eventExpect = z.strictObject({
  event: z.strictObject({ kind: z.string(), status: z.string().optional(), from: z.string().optional(), to: z.string().optional() }),
});

export const expectationSchema = z.union([mailboxExpect, queueExpect, stepsExpect, dnsExpect, fetchedExpect, refusedExpect, eventExpect]);

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case name with dashes, such as kim-to-lee'),
  title: bilingual,
  description: bilingual.optional(),
  /** the topology file, relative to the scenario file */
  topology: z.string().default('../topology/classroom.yaml'),
  /** retry schedule for the mail hosts during this scenario */
  retry: z.string().optional(),
  /** per-query DNS time-out of the hosts' resolvers */
  dnsTimeout: duration.optional(),
  /** the runtime to play it in unless --runtime says otherwise */
  runtime: z.enum(['embedded', 'containers']).default('embedded'),
  /** the runtimes this scenario makes sense in (the CI tests play it in each) */
  runtimes: z.array(z.enum(['embedded', 'containers'])).default(['embedded', 'containers']),
  actions: z.array(actionSchema).min(1),
  expect: z.array(expectationSchema).default([]),
});

export type Scenario = z.infer<typeof scenarioSchema> & { file: string; lines: { actions: number[]; expect: number[] } };
export type Action = z.infer<typeof actionSchema>;
export type Expectation = z.infer<typeof expectationSchema>;

export { toMs } from './duration.ts';
