import type { Host, Topology } from '../topology/types.ts';
import type { LabNet } from '../net/lab-net.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import path from 'node:path';
import { StubResolver } from '../net/resolver.ts';
import { LabClock, type Clock } from '../trace/lab-clock.ts';
import { MailStore } from '../mailbox/mail-store.ts';
import { LoginPolicy } from './login-policy.ts';

/**
 * Everything a role needs, handed to it when the runtime builds the host (DESIGN.md): its slice
 * of the topology, the network, the trace, a clock, a data folder, its stub resolver.
 * Roles never import each other.
 */
export interface HostContext {
  host: Host;
  topology: Topology;
  net: LabNet;
  trace: TraceBus;
  resolver: StubResolver;
  /** <data>/<Host>: queue/ and mail/ live below it and outlive the process */
  dataDir: string;
  /** the real address the embedded runtime binds (127.0.0.1) or 0.0.0.0 in a container */
  listen: string;
  /**
   * The lab's clock (lab/trace/lab-clock.ts): `now()` is the date; `setTimeout`, `sleep` and
   * `track(socket)` stand still while a hop is held in --step mode. Every timer or time-out of
   * a role goes through it (the failed-login delay too).
   */
  clock: Clock;
  /** the one login policy of this host: SMTP AUTH, POP3 and IMAP ask it alike */
  login: LoginPolicy;
  /**
   * The host's one mail store (<dataDir>/mail): the MDA delivers into it, POP3 and IMAP read it,
   * so all three share one model of each folder (order, UIDs, flags) and news of changes.
   */
  mailStore: MailStore;
}

/** A running service of a host: listening on a real port, stoppable. */
export interface Service {
  readonly port: number;
  close(): Promise<void>;
}

/** A host's clock and its login policy on that clock (test fixtures that build a context by hand use this too). */
export function clockAndLogin(host: Host, options: { clock?: Clock; failedLoginDelayMs?: number } = {}): Pick<HostContext, 'clock' | 'login'> {
  // a host of its own (a role's test) runs on a clock of its own, which nothing holds
  const clock = options.clock ?? new LabClock();
  return { clock, login: new LoginPolicy(host, clock, { failedLoginDelayMs: options.failedLoginDelayMs }) };
}

/** Build a host's context: its slice of the topology, the network, the trace, its resolver. */
export function buildHostContext(options: {
  topology: Topology;
  name: string;
  net: LabNet;
  trace: TraceBus;
  /** <data>/<Host> */
  dataDir: string;
  listen?: string;
  /** per-query DNS time-out of the host's stub resolver, ms */
  dnsTimeoutMs?: number;
  /** retry schedule override for a mail host */
  retry?: string;
  /** wait after a failed login (SMTP, POP3, IMAP), ms */
  failedLoginDelayMs?: number;
  clock?: Clock;
}): HostContext {
  const { topology, name, net, trace } = options;
  const found = topology.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name} in ${topology.file}`);
  const host = options.retry && found.mail ? { ...found, mail: { ...found.mail, retry: options.retry } } : found;
  const clock = options.clock ?? trace.clock;
  return {
    host,
    topology,
    net,
    trace,
    resolver: new StubResolver({ net, from: name, nameServer: host.resolver ?? name, trace, timeoutMs: options.dnsTimeoutMs ?? 1500, clock }),
    dataDir: options.dataDir,
    listen: options.listen ?? topology.listen,
    ...clockAndLogin(host, { clock, failedLoginDelayMs: options.failedLoginDelayMs }),
    mailStore: new MailStore(path.join(options.dataDir, 'mail')),
  };
}
