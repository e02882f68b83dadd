// Each host's stub resolver: its /etc/resolv.conf. It speaks real DNS (UDP, TCP on truncation)
// to the name server the topology names, through the lab network. Written by the DNS work;
// this header fixes the shapes the MTA uses.
import type { LabNet } from './lab-net.ts';
import type { TraceBus } from '../trace/trace-bus.ts';

export type DnsFailure = 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'UNREACHABLE';

export class DnsError extends Error {
  readonly code: DnsFailure;
  readonly name_: string;
  readonly type: string;
  constructor(code: DnsFailure, name: string, type: string, message?: string) {
    super(message ?? `${type} ${name}: ${code}`);
    this.code = code;
    this.name_ = name;
    this.type = type;
  }
  /** A failure that may clear up (time-out, server failure) defers; the others are final. */
  get temporary(): boolean {
    return this.code === 'SERVFAIL' || this.code === 'TIMEOUT' || this.code === 'UNREACHABLE';
  }
}

export interface MxAnswer {
  exchange: string;
  preference: number;
}

export interface StubResolverOptions {
  net: LabNet;
  /** the host asking */
  from: string;
  /** the name server's host name (topology `resolver`) */
  nameServer: string;
  trace?: TraceBus;
  /** per-query time-out, ms */
  timeoutMs?: number;
}

export class StubResolver {
  readonly options: StubResolverOptions;
  constructor(options: StubResolverOptions) {
    this.options = options;
  }
  async resolveMx(domain: string): Promise<MxAnswer[]> {
    throw new DnsError('SERVFAIL', domain, 'MX', 'resolver not written yet');
  }
  async resolveA(name: string): Promise<string[]> {
    throw new DnsError('SERVFAIL', name, 'A', 'resolver not written yet');
  }
}
