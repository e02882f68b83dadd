import { z } from 'zod';

// An exercise file (exercises/NN-name.yaml): a task in Korean and English, the starting files,
// the files the student edits, and checks written as data, each with its points and a hint.
// Everything here is data: no check runs code from the file, and every size is bounded, so a
// broken or hostile file gets an error with its line instead of a hung or a harmed lab.

const text = z.string().min(1).max(4000);
const bilingual = z.strictObject({ ko: text, en: text });
const hostName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'a host name from the topology, such as Server-B');
const address = z.string().max(254).regex(/^[^@\s]+@[^@\s]+$/, 'an address such as lee@naver.com');
const domainName = z.string().max(253).regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/, 'a domain name such as naver.com');
/** a path inside the work folder: relative, no "..", plain characters */
export const workPath = z.string().max(200).regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path inside the work folder such as zones/naver.com.zone (no "..", no leading "/")');
const duration = z.string().regex(/^(\d{1,5}ms|\d{1,2}s)$/, 'a time such as 500ms or 10s (at most 99s)');
const service = z.enum(['dns', 'smtp', 'pop3', 'imap']);

/** What the lab does before or after a check: the faults and repairs of the scenarios. */
export const actionSchema = z.union([
  z.strictObject({ down: hostName }),
  z.strictObject({ up: hostName }),
  z.strictObject({ 'service-down': z.tuple([hostName, service]) }),
  z.strictObject({ 'service-up': z.tuple([hostName, service]) }),
  z.strictObject({ 'link-down': z.tuple([hostName, hostName]) }),
  z.strictObject({ 'link-up': z.tuple([hostName, hostName]) }),
  z.strictObject({ flush: hostName }),
]);

const auth = z.strictObject({ user: z.string().min(1).max(100), password: z.string().min(1).max(200) });

/** Who sends: a client PC of the topology (from its lab address), or a program outside the lab. */
const sender = {
  from: hostName.or(z.literal('outside')),
  /** with from: outside, the mail server to talk to */
  server: hostName.optional(),
  auth: auth.optional(),
  /** the envelope sender; default the PC's account (outside: student@example.org) */
  sender: address.optional(),
  to: address,
  subject: z.string().max(200).optional(),
};

export const checkKinds = {
  /** the topology and its zones load, as BIND and the lab load them */
  loads: z.strictObject({}),
  /** the name server answers: exactly `answer` (any order), or at least `contains`, or an rcode */
  dns: z.strictObject({
    server: hostName.optional(),
    name: domainName,
    type: z.enum(['A', 'AAAA', 'MX', 'NS', 'CNAME', 'TXT', 'SOA', 'PTR']),
    answer: z.array(z.string().max(300)).max(20).optional(),
    contains: z.array(z.string().max(300)).max(20).optional(),
    rcode: z.enum(['NOERROR', 'NXDOMAIN', 'NODATA', 'REFUSED', 'SERVFAIL']).optional(),
  }),
  /** an SMTP conversation: the server takes the letter (250) or refuses it (with this code, this text) */
  send: z.strictObject({
    ...sender,
    expect: z.enum(['accepted', 'refused']),
    code: z.number().int().min(200).max(599).optional(),
    text: z.string().max(200).optional(),
  }),
  /** a letter's journey: it reaches the user's mailbox, bounces (with this reason), or waits in a queue */
  deliver: z.strictObject({
    ...sender,
    expect: z.enum(['delivered', 'bounced', 'queued']),
    /** delivered: the mailbox's host; queued: the host whose queue keeps it */
    host: hostName.optional(),
    /** delivered: the user whose mailbox gets it (default the address's local part) */
    user: z.string().max(64).optional(),
    /** bounced or queued: text the reason contains */
    reason: z.string().max(200).optional(),
    timeout: duration.default('15s'),
  }),
  /** a user logs in to dovecot by IMAP or POP3 (from outside, as a mail program does) */
  login: z.strictObject({
    host: hostName,
    protocol: z.enum(['imap', 'pop3']),
    user: z.string().min(1).max(100),
    password: z.string().min(1).max(200),
    expect: z.enum(['ok', 'refused']).default('ok'),
  }),
  /** a client PC reads its mail the way its topology says; `keep`: the mail stays on the server */
  fetch: z.strictObject({
    client: hostName,
    protocol: z.enum(['imap', 'pop3']).optional(),
    keep: z.boolean().default(false),
    count: z.number().int().min(0).max(1000).default(1),
  }),
  /** a mail queue, as mailq shows it */
  queue: z.strictObject({
    host: hostName,
    count: z.number().int().min(0).max(1000),
    status: z.enum(['deferred', 'pending']).optional(),
  }),
  /** a mailbox holds the letter an earlier check sent (waiting for it), or letters with this subject */
  mailbox: z.strictObject({
    host: hostName,
    user: z.string().min(1).max(64),
    /** the number of the deliver or send check whose letter must arrive */
    letterOf: z.number().int().min(1).max(100).optional(),
    subject: z.string().max(200).optional(),
    /** Received headers naming these addresses (the way it came) */
    receivedFrom: z.array(z.string().max(100)).max(10).optional(),
    timeout: duration.default('10s'),
  }),
  /** an answer the student writes in a YAML file of the work folder: one of these (letters, words) */
  answer: z.strictObject({
    file: workPath,
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,40}$/, 'a key such as where'),
    expect: z.array(z.string().min(1).max(100)).min(1).max(20),
  }),
} as const;

export type CheckKind = keyof typeof checkKinds;
export const CHECK_KINDS = Object.keys(checkKinds) as CheckKind[];

const kindFields = Object.fromEntries(CHECK_KINDS.map((k) => [k, checkKinds[k].optional()])) as { [K in CheckKind]: z.ZodOptional<(typeof checkKinds)[K]> };

export const checkSchema = z.strictObject({
  title: bilingual,
  points: z.number().int().min(0).max(100).default(1),
  /** shown after the check failed */
  hint: bilingual.optional(),
  before: z.array(actionSchema).max(10).default([]),
  after: z.array(actionSchema).max(10).default([]),
  ...kindFields,
}).superRefine((check, ctx) => {
  const kinds = CHECK_KINDS.filter((k) => check[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({ code: 'custom', message: kinds.length ? `has ${kinds.join(' and ')}; a check does one thing: keep one of them` : `says nothing to check; give it one of ${CHECK_KINDS.join(', ')}` });
  }
});

export const exerciseSchema = z.strictObject({
  title: bilingual,
  task: bilingual,
  /** the starting files: path in the work folder -> a file of the project, relative to this exercise file */
  start: z.record(workPath, z.string().max(300)).refine((m) => Object.keys(m).length > 0 && Object.keys(m).length <= 30, 'give between 1 and 30 starting files'),
  /** the files the student edits or creates (shown by start) */
  edit: z.array(workPath).min(1).max(30),
  /** the topology the check starts, in the work folder */
  topology: workPath.default('topology.yaml'),
  /** the mail hosts' retry schedule during a check (long: a deferred letter stays deferred) */
  retry: z.string().regex(/^[\d\smhs*,.]{1,60}$/, 'a schedule such as 1m*3').default('1m*3'),
  /** each stub resolver's time-out per query: a name server that is down is noticed this fast */
  dnsTimeout: duration.default('400ms'),
  checks: z.array(checkSchema).min(1).max(40),
});

export type ExerciseFile = z.infer<typeof exerciseSchema>;
export type Check = z.infer<typeof checkSchema>;
export type ExerciseAction = z.infer<typeof actionSchema>;

export function toMs(value: string): number {
  const m = /^(\d+)(ms|s)$/.exec(value)!;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}
