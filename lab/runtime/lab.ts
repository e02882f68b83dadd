import fs from '../fs-async.ts';
import { fs as nodeFs } from '../node-builtins.ts';
import path from 'node:path';
import type { Topology } from '../topology/types.ts';
import type { ServiceName } from '../topology/schema.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import type { HopEvent } from '../trace/hop-event.ts';
import { EmbeddedRuntime, defaultDataDir, tempDataDir } from './embedded.ts';
import type { ClientHandle, EndpointRow, LabRuntime } from './lab-runtime.ts';
import { readMailbox, letterFields, isBounce, type MailboxLetter } from './mailbox-view.ts';
import type { FetchedLetter, Letter, SendResult } from '../client/client-pc.ts';
import { readQueue, type QueueEntry } from './queue-view.ts';
import { releaseHeapGrowth } from './heap-growth.ts';

export const DEFAULT_TOPOLOGY = path.join(import.meta.dirname, '..', '..', 'topology', 'classroom.yaml');

export interface LabOptions {
  /** a topology file, or a loaded topology; default topology/classroom.yaml */
  topology?: string | Topology;
  /** 'fixed' (the topology's ports, the classroom's) or 'auto' (ports chosen by the OS) */
  ports?: 'fixed' | 'auto';
  /** data folder; default var/<topology name> with fixed ports, a fresh temporary folder with auto */
  data?: string;
  /** empty the data folder first */
  clean?: boolean;
  trace?: TraceBus;
  /** retry schedule for every mail host, e.g. '50ms*3' in tests */
  retry?: string;
  dnsTimeoutMs?: number;
  failedLoginDelayMs?: number;
  /** 'embedded' (this process, loopback; the default) or 'containers' (a Docker container per host) */
  runtime?: 'embedded' | 'containers';
}

/** A letter a client PC fetched, with the fields a mailbox letter has (subject, from, to, date). */
export interface ReadLetter extends FetchedLetter {
  subject: string;
  from: string;
  to: string;
  date: string;
  headers: string;
}

/** A client PC of a started lab: send, and fetch letters parsed like mailbox letters. */
export interface LabClient {
  readonly account: string;
  readonly server: { name: string };
  send(letter: Letter): Promise<SendResult>;
  fetchPop3(): Promise<ReadLetter[]>;
  fetchImap(): Promise<ReadLetter[]>;
  /** by the PC's own protocol (the topology's `read:`) */
  fetch(): Promise<ReadLetter[]>;
}

/** A running lab, as `startLab()` gives it to a test or to the CLI. */
export class Lab {
  readonly runtime: LabRuntime;
  readonly topology: Topology;
  readonly trace: TraceBus;
  readonly dataDir: string;
  private readonly removeDataOnStop: boolean;
  private stopped = false;

  constructor(runtime: LabRuntime, removeDataOnStop: boolean) {
    this.runtime = runtime;
    this.topology = runtime.topology;
    this.trace = runtime.trace;
    this.dataDir = runtime.dataDir;
    this.removeDataOnStop = removeDataOnStop;
  }

  private requireHost(name: string): void {
    if (!this.topology.hosts.some((h) => h.name === name)) {
      throw new Error(`no host "${name}" in ${this.topology.file}; hosts: ${this.topology.hosts.map((h) => h.name).join(', ')}`);
    }
  }

  /** A client PC by host name (Client, WinClient), ready to send and fetch. */
  client(name: string): LabClient {
    const pc: ClientHandle = this.runtime.client(name);
    const read = async (fetched: Promise<FetchedLetter[]>) => (await fetched).map((l) => ({ ...l, ...letterFields(l.raw) }));
    return {
      account: pc.account,
      server: pc.server,
      send: (letter) => pc.send(letter),
      fetchPop3: () => read(pc.fetchPop3()),
      fetchImap: () => read(pc.fetchImap()),
      fetch: () => read(pc.fetch()),
    };
  }

  /** The letters in a user's mailbox (Maildir new/ and cur/), e.g. mailbox('Server', 'lee'). */
  mailbox(host: string, user: string): Promise<MailboxLetter[]> {
    this.requireHost(host);
    return readMailbox(path.join(this.dataDir, host, 'mail', user));
  }

  /** A mail server's queue, like mailq. */
  queue(host: string): Promise<QueueEntry[]> {
    this.requireHost(host);
    return readQueue(path.join(this.dataDir, host, 'queue'));
  }

  /** Wait for a hop event; rejects after timeoutMs with the trace so far. */
  waitFor(match: (event: HopEvent) => boolean, timeoutMs?: number, what?: string): Promise<HopEvent> {
    return this.trace.waitFor(match, timeoutMs, what);
  }

  /** Wait until a user's mailbox holds a letter that matches (looked at after every mda hop). */
  async waitForLetter(host: string, user: string, match: (letter: MailboxLetter) => boolean = () => true, timeoutMs = 10_000): Promise<MailboxLetter> {
    const find = async () => (await this.mailbox(host, user)).find(match);
    // listening before the first look: a delivery while that look reads the mailbox is looked at again
    return new Promise<MailboxLetter>((resolve, reject) => {
      let looking = false;
      let again = false;
      const look = () => {
        if (looking) {
          again = true;
          return;
        }
        looking = true;
        find().then((letter) => {
          looking = false;
          if (letter) {
            timer.clear();
            off();
            resolve(letter);
          } else if (again) {
            again = false;
            look();
          }
        }, reject);
      };
      const off = this.trace.on((event) => {
        if (event.kind === 'mda' && event.to === host) look();
      });
      const timer = this.trace.clock.setTimeout(() => {
        off();
        find().then((letter) => (letter ? resolve(letter) : reject(new Error(`timed out after ${timeoutMs} ms waiting for a letter in ${user}'s mailbox on ${host}; trace so far:\n${this.trace.summaryLines().join('\n')}`))), reject);
      }, timeoutMs);
      look();
    });
  }

  /**
   * Wait until a bounce (a DSN from MAILER-DAEMON) is in a user's mailbox, for `recipient` when
   * given: waitForBounce('Server-B', 'kim', 'nobody@naver.com') after kim wrote to nobody.
   */
  waitForBounce(host: string, user: string, recipient?: string, timeoutMs = 10_000): Promise<MailboxLetter> {
    return this.waitForLetter(host, user, (letter) => isBounce(letter.raw, recipient), timeoutMs);
  }

  /** Resolves when every hop the hosts reported so far is in the trace. */
  async settle(): Promise<void> {
    await this.runtime.settle?.();
  }

  /** Run a mail server's queue now (sendmail -q), e.g. after a host came back. */
  flush(host: string): Promise<void> {
    return this.runtime.flush(host);
  }

  hostDown(name: string): Promise<void> {
    return this.runtime.hostDown(name);
  }

  hostUp(name: string): Promise<void> {
    return this.runtime.hostUp(name);
  }

  serviceDown(host: string, service: ServiceName): Promise<void> {
    return this.runtime.serviceDown(host, service);
  }

  serviceUp(host: string, service: ServiceName): Promise<void> {
    return this.runtime.serviceUp(host, service);
  }

  linkDown(a: string, b: string): Promise<void> {
    return this.runtime.linkDown(a, b);
  }

  linkUp(a: string, b: string): Promise<void> {
    return this.runtime.linkUp(a, b);
  }

  /** Every host's virtual address and real endpoints. */
  endpoints(): EndpointRow[] {
    return this.runtime.endpoints();
  }

  /** The address programs on this computer use to reach the lab's ports (127.0.0.1). */
  get publicHost(): string {
    return this.runtime.publicHost;
  }

  /** The real port of a host's service (for clients from outside the lab: dig, curl, swaks). */
  port(host: string, service: ServiceName): number {
    return this.runtime.port(host, service);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.runtime.stop();
    // the last second's counts of outside traffic (a flood cut short by the stop) still reach the trace
    this.trace.flushOutside();
    if (this.removeDataOnStop) await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}

/** The lab's data folder as the options ask: given, default, or a fresh temporary one. */
export async function prepareDataDir(topology: Topology, options: Pick<LabOptions, 'data' | 'ports' | 'clean'>): Promise<{ dataDir: string; temporary: boolean }> {
  let dataDir = options.data;
  let temporary = false;
  if (!dataDir) {
    if (options.ports === 'auto') {
      dataDir = await tempDataDir();
      temporary = true;
    } else dataDir = defaultDataDir(topology);
  }
  // rmSync, not fs.rm: Node 24's rmSync removes the tree in C++, where fs.rm walks it in
  // JavaScript. For the 5,000 letters a bench leaves in lee's Maildir: 72-84 ms instead of
  // 116-136, and an idle lab of 66 MB PSS instead of 83 (the walk's 17 MB of garbage stayed
  // resident, as nothing collects in an idle lab). It holds this process up for those ms, before
  // any listener of this lab is open.
  if (options.clean) nodeFs.rmSync(dataDir, { recursive: true, force: true });
  await fs.mkdir(dataDir, { recursive: true });
  return { dataDir, temporary };
}

/** A topology file, checked: from the load cache (lab/topology/load-cache.ts) when unchanged since an earlier start. */
async function topologyFrom(file: string, ports: 'fixed' | 'auto'): Promise<Topology> {
  const { cachedTopology, keepTopology } = await import('../topology/load-cache.ts');
  const cached = cachedTopology(file, ports);
  if (cached) return cached;
  const files: string[] = [];
  const started = Date.now();
  const topology = (await import('../topology/load.ts')).loadTopology(file, { ports, files });
  keepTopology(file, ports, files, topology, started);
  return topology;
}

/** Start a lab: in this process (the embedded runtime, the default) or in containers. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const ports = options.ports ?? 'fixed';
  // a topology given as an object (the CLI's) needs no loader, nor does a file loaded and checked
  // at an earlier start and unchanged since: the YAML parser and zod stay unloaded
  const topology = typeof options.topology === 'object' ? options.topology : await topologyFrom(path.resolve(options.topology ?? DEFAULT_TOPOLOGY), ports);
  if (options.runtime === 'containers') {
    // loaded only when asked for: testcontainers is a large module
    const { startContainerLab } = await import('./containers.ts');
    const lab = await startContainerLab({ ...options, topology });
    releaseHeapGrowth();
    return lab;
  }
  const { dataDir, temporary } = await prepareDataDir(topology, { ...options, ports });
  const runtime = new EmbeddedRuntime({
    topology,
    dataDir,
    trace: options.trace,
    retry: options.retry,
    dnsTimeoutMs: options.dnsTimeoutMs,
    failedLoginDelayMs: options.failedLoginDelayMs,
  });
  try {
    await runtime.start();
  } catch (err) {
    await runtime.stop().catch(() => {});
    if (temporary) await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  releaseHeapGrowth();
  return new Lab(runtime, temporary);
}
