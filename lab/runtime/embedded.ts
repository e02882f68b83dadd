import fs from '../fs-async.ts';
import path from 'node:path';
import os from 'node:os';
import type { Host, Topology } from '../topology/types.ts';
import { LoopbackNet } from '../net/lab-net.ts';
import { TraceBus } from '../trace/trace-bus.ts';
import type { ServiceName } from '../topology/schema.ts';
import { STANDARD_PORTS } from '../topology/ports.ts';
import { buildHostContext, type HostContext, type Service } from '../host/host-context.ts';
import { startService } from './host-services.ts';
import { ClientPc } from '../client/client-pc.ts';
import type { EndpointRow, LabRuntime } from './lab-runtime.ts';
import { josa, serviceName } from '../trace/korean.ts';

export interface EmbeddedOptions {
  topology: Topology;
  /** the data folder: <data>/<Host>/queue and <data>/<Host>/mail */
  dataDir: string;
  trace?: TraceBus;
  /** retry schedule for every mail host, overriding the topology (tests use milliseconds) */
  retry?: string;
  /** per-query DNS time-out of the hosts' stub resolvers, ms */
  dnsTimeoutMs?: number;
  /** delay after a failed POP3/IMAP login, ms */
  failedLoginDelayMs?: number;
}

/** A host of the embedded runtime: its context and the services it runs right now. */
export interface RunningHost {
  host: Host;
  ctx: HostContext;
  services: Partial<Record<ServiceName, Service>>;
  /** real ports, kept so that a host brought back up listens where it did */
  ports: Partial<Record<ServiceName, number>>;
  up: boolean;
}

/**
 * The embedded runtime: every host of the topology in this one process, each service on a real
 * loopback port, the lab network mapping virtual addresses onto them.
 */
export class EmbeddedRuntime implements LabRuntime {
  readonly kind = 'embedded' as const;
  readonly topology: Topology;
  readonly net: LoopbackNet;
  readonly trace: TraceBus;
  readonly dataDir: string;
  readonly hosts = new Map<string, RunningHost>();
  private readonly options: EmbeddedOptions;

  constructor(options: EmbeddedOptions) {
    this.options = options;
    this.topology = options.topology;
    this.trace = options.trace ?? new TraceBus();
    this.net = new LoopbackNet(this.topology, { clock: this.trace.clock });
    this.dataDir = options.dataDir;
    for (const host of this.topology.hosts) {
      const ctx = buildHostContext({
        topology: this.topology,
        name: host.name,
        net: this.net,
        trace: this.trace,
        dataDir: path.join(this.dataDir, host.name),
        dnsTimeoutMs: options.dnsTimeoutMs,
        retry: options.retry,
        failedLoginDelayMs: options.failedLoginDelayMs,
      });
      this.hosts.set(host.name, { host: ctx.host, ctx, services: {}, ports: { ...host.services }, up: false });
    }
  }

  async start(): Promise<void> {
    await fs.mkdir(this.dataDir, { recursive: true });
    // The name server first: the mail servers ask it as soon as mail is queued.
    const order = [...this.hosts.values()].sort((a, b) => Number(b.host.services.dns !== undefined) - Number(a.host.services.dns !== undefined));
    for (const running of order) if (running.host.services.dns !== undefined) await this.startService(running, 'dns');
    await Promise.all(order.map((running) => this.startHost(running)));
  }

  private async startHost(running: RunningHost): Promise<void> {
    await fs.mkdir(running.ctx.dataDir, { recursive: true });
    const wanted = (Object.keys(running.host.services) as ServiceName[]).filter((s) => !running.services[s]);
    // dns is started first (above) so that it is there for the others
    if (wanted.includes('dns')) await this.startService(running, 'dns');
    await Promise.all(wanted.filter((s) => s !== 'dns').map((s) => this.startService(running, s)));
    running.up = true;
  }

  private async startService(running: RunningHost, service: ServiceName): Promise<void> {
    if (running.services[service]) return;
    const port = running.ports[service] ?? 0;
    const started = await startService(running.ctx, service, port, { retry: this.options.retry });
    running.services[service] = started;
    running.ports[service] = started.port;
    this.net.bind(running.host.name, service, started.port);
  }

  /** Take a host down: every one of its services stops listening, its queue runner stops. */
  async hostDown(name: string): Promise<void> {
    const running = this.require(name);
    await Promise.all(
      (Object.keys(running.services) as ServiceName[]).map(async (service) => {
        this.net.unbind(name, service);
        await running.services[service]!.close();
        delete running.services[service];
      }),
    );
    running.up = false;
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name} 컴퓨터가 꺼졌습니다`, en: `${name} is down` }, status: 'failed', detail: { fault: 'host-down' } });
  }

  /** Bring a host back: its services listen again on the same ports; its queue carries on. */
  async hostUp(name: string): Promise<void> {
    const running = this.require(name);
    await this.startHost(running);
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name} 컴퓨터가 다시 켜졌습니다`, en: `${name} is up again` }, status: 'ok', detail: { fault: 'host-up' } });
  }

  /** Stop one service of a host (bind9 crashed, say) while the rest runs. */
  async serviceDown(name: string, service: ServiceName): Promise<void> {
    const running = this.require(name);
    const started = running.services[service];
    if (!started) throw new Error(`${name} runs no ${service} service right now`);
    this.net.unbind(name, service);
    await started.close();
    delete running.services[service];
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name}의 ${serviceName(service, 'ko')}${josa(serviceName(service, 'ko'), '가')} 멈췄습니다`, en: `${name}'s ${service} service is down` }, status: 'failed', detail: { fault: 'service-down', service } });
  }

  async serviceUp(name: string, service: ServiceName): Promise<void> {
    const running = this.require(name);
    if (running.host.services[service] === undefined) throw new Error(`${name} has no ${service} service in the topology`);
    await this.startService(running, service);
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name}의 ${serviceName(service, 'ko')}${josa(serviceName(service, 'ko'), '가')} 다시 시작했습니다`, en: `${name}'s ${service} service is up again` }, status: 'ok', detail: { fault: 'service-up', service } });
  }

  async linkDown(a: string, b: string): Promise<void> {
    this.require(a);
    this.require(b);
    this.net.setLinkDown(a, b, true);
    this.trace.report({ kind: 'net', from: a, to: b, summary: { ko: `${a}${josa(a, '와')} ${b} 사이의 연결이 끊겼습니다`, en: `link ${a} - ${b} is down` }, status: 'failed', detail: { fault: 'link-down' } });
  }

  async linkUp(a: string, b: string): Promise<void> {
    this.net.setLinkDown(a, b, false);
    this.trace.report({ kind: 'net', from: a, to: b, summary: { ko: `${a}${josa(a, '와')} ${b} 사이의 연결이 다시 이어졌습니다`, en: `link ${a} - ${b} is up again` }, status: 'ok', detail: { fault: 'link-up' } });
  }

  get publicHost(): string {
    return this.topology.listen;
  }

  client(name: string): ClientPc {
    return new ClientPc(this.require(name).host, this.topology, this.net, this.trace);
  }

  port(host: string, service: ServiceName): number {
    const port = this.require(host).ports[service];
    if (port === undefined) throw new Error(`${host} runs no ${service} service`);
    return port;
  }

  endpoints(): EndpointRow[] {
    return [...this.hosts.values()].map((running) => ({
      host: running.host.name,
      address: running.host.address,
      hostname: running.host.hostname,
      role: running.host.role,
      services: (Object.entries(running.ports) as [ServiceName, number][]).map(([service, port]) => ({
        service,
        virtual: `${running.host.address}:${STANDARD_PORTS[service]}`,
        real: `${this.topology.listen}:${port}`,
      })),
    }));
  }

  /** Resolves when no queue runner is delivering and nothing is due: the scenario has settled. */
  async settle(): Promise<void> {
    const runners = [...this.hosts.values()].map((h) => (h.services.smtp as { runner?: { onIdle(): Promise<void> } } | undefined)?.runner).filter((r) => r !== undefined);
    await Promise.all(runners.map((r) => r.onIdle()));
  }

  /** Run a mail server's queue now (sendmail -q). */
  async flush(host: string): Promise<void> {
    const smtp = this.require(host).services.smtp as { runner?: { flush(): void } } | undefined;
    if (!smtp?.runner) throw new Error(`${host} runs no mail server right now`);
    smtp.runner.flush();
  }

  require(name: string): RunningHost {
    const running = this.hosts.get(name);
    if (!running) throw new Error(`no host "${name}" in ${this.topology.file}; hosts: ${[...this.hosts.keys()].join(', ')}`);
    return running;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.hosts.values()].flatMap((running) =>
        (Object.keys(running.services) as ServiceName[]).map(async (service) => {
          this.net.unbind(running.host.name, service);
          await running.services[service]!.close();
          delete running.services[service];
        }),
      ),
    );
  }
}

/** The default data folder: var/<topology name> in the project (where `npm run mailq` looks). */
export function defaultDataDir(topology: Topology): string {
  return path.join(import.meta.dirname, '..', '..', 'var', topology.name);
}

export async function tempDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-'));
}

