import type { Topology } from '../topology/types.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import type { ServiceName } from '../topology/schema.ts';
import type { FetchedLetter, Letter, SendResult } from '../client/client-pc.ts';

/** A client PC as a runtime offers it: the embedded ClientPc, or a client container. */
export interface ClientHandle {
  readonly account: string;
  readonly server: { name: string };
  send(letter: Letter): Promise<SendResult>;
  fetchPop3(): Promise<FetchedLetter[]>;
  fetchImap(): Promise<FetchedLetter[]>;
  fetch(): Promise<FetchedLetter[]>;
}

export interface EndpointRow {
  host: string;
  address: string;
  hostname?: string;
  role?: string;
  services: { service: string; virtual: string; real: string }[];
}

/** What the Lab API needs of a runtime (embedded: one process on loopback; containers: Docker). */
export interface LabRuntime {
  readonly kind: 'embedded' | 'containers';
  readonly topology: Topology;
  readonly trace: TraceBus;
  readonly dataDir: string;
  /** the address a program on this computer uses to reach the lab's published ports */
  readonly publicHost: string;
  client(name: string): ClientHandle;
  /** the port on publicHost where a host's service answers */
  port(host: string, service: ServiceName): number;
  endpoints(): EndpointRow[];
  hostDown(name: string): Promise<void>;
  hostUp(name: string): Promise<void>;
  serviceDown(name: string, service: ServiceName): Promise<void>;
  serviceUp(name: string, service: ServiceName): Promise<void>;
  linkDown(a: string, b: string): Promise<void>;
  linkUp(a: string, b: string): Promise<void>;
  flush(host: string): Promise<void>;
  /** resolves when every hop reported so far is in the trace (containers report over streams) */
  settle?(): Promise<void>;
  /**
   * Where a file a hop names is on this computer: the embedded runtime's hosts write the data
   * folder itself; a container writes /data/<Host>/..., its bind mount of <data>/<Host>/.
   */
  localFile?(file: string): string;
  stop(): Promise<void>;
}
