import type { Host, Topology } from '../topology/types.ts';
import type { LabNet } from '../net/lab-net.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import type { StubResolver } from '../net/resolver.ts';

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
  clock: { now(): number };
}

/** A running service of a host: listening on a real port, stoppable. */
export interface Service {
  readonly port: number;
  close(): Promise<void>;
}
