import { z } from 'zod';

// The topology file (DESIGN.md, "The topology file"). Ports under `services` are the real
// loopback ports of the embedded runtime; 0 means "let the OS choose" (--ports auto).
// The virtual ports are always the standard ones (53, 25, 110, 143).

const port = z.number().int().min(0).max(65535);
const ipv4 = z.string().refine((s) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(s) && s.split('.').every((n) => Number(n) <= 255), 'an IPv4 address such as 192.168.111.100 (four numbers 0-255)');
const hostName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'a host name such as Server-B (letters, digits, dashes)');
const domain = z.string().regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a lower-case domain such as naver.com');

export const limitsSchema = z.strictObject({
  /** bytes; advertised as SIZE (RFC 1870) */
  messageSize: z.number().int().positive().default(10 * 1024 * 1024),
  recipients: z.number().int().positive().default(100),
  /** longest command line, bytes (RFC 5321 section 4.5.3.1.4 says at least 512) */
  lineLength: z.number().int().min(512).default(2048),
  clients: z.number().int().positive().default(50),
  /** idle time-out of a client session, ms */
  idleTimeout: z.number().int().positive().default(5 * 60_000),
  /** most Received headers before a message is refused as looping (RFC 5321 section 6.3) */
  maxHops: z.number().int().positive().default(30),
  // zod 4's .default({}) hands back {} as it is, without the defaults above; .prefault({})
  // parses {} so that a topology without "limits:" gets every default.
}).prefault({});

export const userSchema = z.strictObject({
  password: z.string().min(1),
  /** the person's name for From headers */
  name: z.string().optional(),
});

export const mailSchema = z.strictObject({
  /** sendmail's local-host-names: the domains this host takes mail for */
  domains: z.array(domain).min(1),
  /** sendmail's access file: address prefixes allowed to relay (Connect:192.168.111 RELAY) */
  relay: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){0,3}$/, 'an address or prefix such as 192.168.111')).default([]),
  /** plaintext AUTH PLAIN/LOGIN without TLS (a lab setting) */
  plaintextAuth: z.boolean().default(true),
  /** user name (local part) -> account; the address is user@domain for the host's domains */
  // letters of any script (RFC 6531): 김유신 is a user name as much as kim
  users: z.record(z.string().regex(/^[\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Nd}._-]+(@[a-z0-9.-]+)?$/u, 'a lower-case local part such as lee or 김유신 (or an address such as lee@naver.com)'), userSchema).default({}),
  /**
   * The user whose mailbox takes mail for postmaster (RFC 5321 section 4.5.1: every host has
   * one, and mail to it is always accepted); default the host's first user.
   */
  postmaster: z.string().optional(),
  limits: limitsSchema,
  /** queue runner retry schedule, Haraka style: "5s, 30s*2, 5m" */
  retry: z.string().default('5s, 30s*2, 2m*3'),
}).superRefine((mail, check) => {
  const locals = Object.keys(mail.users).map((key) => key.split('@')[0]);
  if (mail.postmaster !== undefined && !locals.includes(mail.postmaster)) {
    check.addIssue({ code: 'custom', path: ['postmaster'], message: `postmaster must name one of this host's users (${locals.join(', ') || 'none yet'}), such as postmaster: ${locals[0] ?? 'lee'}` });
  }
});

export const clientSchema = z.strictObject({
  /** the account this PC uses, e.g. lee@naver.com */
  account: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'an address such as lee@naver.com'),
  password: z.string().min(1),
  /** the lab host it sends through and reads from */
  server: hostName,
  read: z.enum(['pop3', 'imap']).default('pop3'),
});

export const servicesSchema = z.strictObject({
  dns: port.optional(),
  smtp: port.optional(),
  pop3: port.optional(),
  imap: port.optional(),
});

export const hostSchema = z.strictObject({
  address: ipv4,
  hostname: z.string().optional(),
  /** which host's name server it asks (its /etc/resolv.conf) */
  resolver: hostName.optional(),
  services: servicesSchema.default({}),
  mail: mailSchema.optional(),
  client: clientSchema.optional(),
  /** a line of explanation shown in the address table */
  role: z.string().optional(),
});

export const topologySchema = z.strictObject({
  name: z.string().default('lab'),
  /** the lab subnet, CIDR */
  network: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'a CIDR network such as 192.168.111.0/24'),
  /** where the embedded runtime binds the real endpoints */
  listen: z.string().default('127.0.0.1'),
  /** the port of the browser view (`npm run lab` serves it on the listen address); 0: chosen by the OS */
  web: port.optional(),
  /** zone name -> BIND zone file, relative to the topology file */
  zones: z.record(domain, z.string()).default({}),
  hosts: z.record(hostName, hostSchema),
});

export type TopologyFile = z.infer<typeof topologySchema>;
export type HostFile = z.infer<typeof hostSchema>;
export type MailConfig = z.infer<typeof mailSchema>;
export type Limits = z.infer<typeof limitsSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
export type ServiceName = keyof z.infer<typeof servicesSchema>;

export { STANDARD_PORTS } from './ports.ts';
