import type { Host, Topology } from '../topology/types.ts';
import type { LabNet } from '../net/lab-net.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import { StubResolver } from '../net/resolver.ts';
import type { Clock } from '../trace/lab-clock.ts';

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
   * a role goes through it.
   */
  clock: Clock;
}

/** A running service of a host: listening on a real port, stoppable. */
export interface Service {
  readonly port: number;
  close(): Promise<void>;
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
}): HostContext {
  const { topology, name, net, trace } = options;
  const found = topology.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name} in ${topology.file}`);
  const host = options.retry && found.mail ? { ...found, mail: { ...found.mail, retry: options.retry } } : found;
  return {
    host,
    topology,
    net,
    trace,
    resolver: new StubResolver({ net, from: name, nameServer: host.resolver ?? name, trace, timeoutMs: options.dnsTimeoutMs ?? 1500, clock: trace.clock }),
    dataDir: options.dataDir,
    listen: options.listen ?? topology.listen,
    clock: trace.clock,
  };
}
