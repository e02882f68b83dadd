import type { ZoneData } from './zone-file.ts';
import type { HostFile, TopologyFile } from './schema.ts';

/** A host as the runtime hands it to its roles. */
export interface Host extends HostFile {
  name: string;
}

/** A loaded, validated topology: the file plus its parsed zones. */
export interface Topology extends Omit<TopologyFile, 'hosts' | 'zones'> {
  /** the file it came from (for messages) */
  file: string;
  hosts: Host[];
  zones: ZoneData[];
  /** what loaded but would make named-checkzone warn (a name without its final dot) */
  warnings?: { en: string; ko: string }[];
}

export function hostByName(topology: Topology, name: string): Host | undefined {
  return topology.hosts.find((h) => h.name === name);
}

export function hostByAddress(topology: Topology, address: string): Host | undefined {
  return topology.hosts.find((h) => h.address === address);
}
