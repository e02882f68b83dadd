import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { GenericContainer, ImageName, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import type { Host, Topology } from '../topology/types.ts';
import { STANDARD_PORTS, type ServiceName } from '../topology/schema.ts';
import { TraceBus } from '../trace/trace-bus.ts';
import type { HopEvent } from '../trace/hop-event.ts';
import type { FetchedLetter, Letter, SendResult } from '../client/client-pc.ts';
import type { ClientHandle, EndpointRow, LabRuntime } from './lab-runtime.ts';
import { Lab, prepareDataDir, type LabOptions } from './lab.ts';
import { baseImage, buildImage } from './container-image.ts';
import { josa, serviceName } from '../trace/korean.ts';
import { HopMerge, type HopSource } from './hop-merge.ts';

// The containers runtime: every host of the topology in a container of its own, at its topology
// address on a Docker network with the topology's subnet, serving the standard ports there.
// No reaper container (it would have to be pulled): this runtime removes what it creates, after
// every run, and on start removes what a killed earlier run left behind.

const LABEL = 'mail-lab.runtime';
const OWNER = 'mail-lab.pid';

let availability: Promise<string | undefined> | undefined;

/**
 * Undefined when a container runtime answers and the base image is on this machine;
 * otherwise one line saying why not and what to do. Asked once per process.
 */
export function containersAvailable(): Promise<string | undefined> {
  availability ??= probe();
  return availability;
}

async function probe(): Promise<string | undefined> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  let timer: NodeJS.Timeout | undefined;
  const within = <T>(ms: number, what: string, work: Promise<T>) =>
    Promise.race([work, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
  let client;
  try {
    client = await within(10_000, 'docker', getContainerRuntimeClient());
  } catch (err) {
    return `no container runtime is reachable (${(err as Error).message.split('\n')[0]}); start Docker (dockerd) or use --runtime embedded`;
  }
  const base = baseImage();
  const name = ImageName.fromString(base);
  if (await client.image.exists(name).catch(() => false)) return undefined;
  // No pull from here: a lab reaches no registry unless its user says so.
  return `the base image ${base} is not on this machine; fetch it with "docker pull ${base}", or build a local one with "bash docker/build-base-image.sh" and set MAIL_LAB_BASE_IMAGE=mail-lab-node:24`;
}

/** A host container: GenericContainer with a fixed address on the lab network. */
class HostContainer extends GenericContainer {
  onNetwork(network: string, address: string): this {
    this.hostConfig.NetworkMode = network;
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: address } } } };
    return this;
  }
}

interface RunningContainer {
  name: string;
  container: StartedTestContainer;
  ports: Partial<Record<ServiceName, number>>;
  up: boolean;
}

export class ContainerRuntime implements LabRuntime {
  readonly kind = 'containers' as const;
  readonly topology: Topology;
  readonly trace: TraceBus;
  readonly dataDir: string;
  readonly publicHost = '127.0.0.1';
  private readonly options: LabOptions;
  private readonly startedAt = Date.now();
  private readonly containers = new Map<string, RunningContainer>();
  private networkName = '';
  private networkId = '';
  private readonly merge: HopMerge;
  private readonly syncWaiters = new Map<string, () => void>();
  private readonly readyWaiters = new Map<string, () => void>();
  /** each server container's log stream, as a source of the merge */
  private readonly streams = new Map<string, HopSource>();
  private syncs = 0;

  constructor(topology: Topology, dataDir: string, options: LabOptions) {
    this.topology = topology;
    this.dataDir = dataDir;
    this.options = options;
    this.trace = options.trace ?? new TraceBus();
    this.merge = new HopMerge((hop, time) => this.trace.merge({ ...hop, at: Math.max(0, Math.round(time - this.startedAt)) }));
  }

  async start(): Promise<void> {
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    const client = await getContainerRuntimeClient();
    await removeLeftovers();
    const image = await buildImage();
    const id = `${process.pid}-${Date.now().toString(36)}`;
    this.networkName = `mail-lab-${id}`;
    const create = () =>
      client.network.create({
        Name: this.networkName,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: this.topology.network }] },
        Labels: { [LABEL]: 'network', [OWNER]: String(process.pid) },
      } as never);
    const network = await this.waitForSubnet(create);
    this.networkId = network.id;
    const env = (name: string) => ({
      MAIL_LAB_TOPOLOGY: Buffer.from(JSON.stringify(this.topology)).toString('base64'),
      MAIL_LAB_HOST: name,
      MAIL_LAB_RETRY: this.options.retry ?? '',
      MAIL_LAB_DNS_TIMEOUT: this.options.dnsTimeoutMs ? String(this.options.dnsTimeoutMs) : '',
    });
    // Every host at once: nothing is sent before the whole lab is up, so no order is needed.
    await Promise.all(this.topology.hosts.map((host) => (host.client ? this.startClient(host, image, id, env(host.name)) : this.startServer(host, image, id, env(host.name)))));
  }

  /**
   * Docker gives a subnet to one network at a time. While another lab on this machine (a process
   * still running: a second class, another test file) has the topology's subnet, this one waits
   * for it to finish, up to SUBNET_WAIT_MS; a network that is no lab's is an error that says so.
   */
  private async waitForSubnet<T>(create: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + SUBNET_WAIT_MS;
    for (let unheld = 0; ; ) {
      try {
        return await create();
      } catch (err) {
        if (!/overlaps/i.test((err as Error).message)) throw err;
        const holder = await subnetHolder(this.topology.network);
        // no lab holds it now: it may have let go since our try; the next try tells
        if (!holder && ++unheld > 1) {
          throw new Error(`the lab network ${this.topology.network} (network: in ${this.topology.file}) overlaps a Docker network that is not a lab's; remove that network (docker network ls, docker network rm) or write another network: in the topology`);
        }
        if (!holder) continue;
        unheld = 0;
        if (Date.now() > deadline) {
          throw new Error(`another mail-lab (process ${holder.owner}, Docker network ${holder.name}) has held the network ${this.topology.network} for ${SUBNET_WAIT_MS / 1000} s; stop it, or write another network: in ${this.topology.file}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  private async startServer(host: Host, image: string, id: string, env: Record<string, string>): Promise<void> {
    await fs.mkdir(path.join(this.dataDir, host.name), { recursive: true });
    const services = Object.keys(host.services) as ServiceName[];
    const exposed = services.flatMap((s) => (s === 'dns' ? ['53/tcp', '53/udp'] : [`${STANDARD_PORTS[s]}/tcp`])) as `${number}/${'tcp' | 'udp'}`[];
    const container = await new HostContainer(image)
      .onNetwork(this.networkName, host.address)
      .withName(`mail-lab-${id}-${host.name}`)
      .withHostname(host.hostname?.split('.')[0] ?? host.name.toLowerCase())
      .withLabels({ [LABEL]: 'host', [OWNER]: String(process.pid) })
      .withEnvironment(env)
      .withBindMounts([{ source: path.join(this.dataDir, host.name), target: `/data/${host.name}`, mode: 'rw' }])
      .withExposedPorts(...exposed)
      .withWaitStrategy(Wait.forLogMessage(/"ready":/))
      .withStartupTimeout(60_000)
      .withLogConsumer((stream) => this.follow(host.name, stream))
      .start();
    const running: RunningContainer = { name: host.name, container, ports: {}, up: true };
    for (const s of services) running.ports[s] = container.getMappedPort(STANDARD_PORTS[s], 'tcp');
    this.containers.set(host.name, running);
  }

  /** A client PC: a container that idles at its address; its actions come by docker exec. */
  private async startClient(host: Host, image: string, id: string, env: Record<string, string>): Promise<void> {
    const container = await new HostContainer(image)
      .onNetwork(this.networkName, host.address)
      .withName(`mail-lab-${id}-${host.name}`)
      .withHostname(host.name.toLowerCase())
      .withLabels({ [LABEL]: 'client', [OWNER]: String(process.pid) })
      .withEnvironment(env)
      .withEntrypoint(['node', '-e', 'process.on("SIGTERM",()=>process.exit(0));console.log(JSON.stringify({ready:process.env.MAIL_LAB_HOST}));setInterval(()=>{},1<<30)'])
      .withWaitStrategy(Wait.forLogMessage(/"ready":/))
      .withStartupTimeout(60_000)
      .start();
    this.containers.set(host.name, { name: host.name, container, ports: {}, up: true });
  }

  /** Merge a container's hop lines into the one trace, on the lab's own clock (hop-merge.ts). */
  private follow(name: string, stream: Readable): HopSource {
    const source = this.merge.open(name, 'stream');
    this.streams.set(name, source);
    const lines = readline.createInterface({ input: stream });
    lines.on('line', (line) => this.mergeLine(source, line));
    lines.on('close', () => this.merge.close(source));
    stream.on('error', () => lines.close());
    return source;
  }

  private mergeLine(source: HopSource, line: string): void {
    const start = line.indexOf('{"');
    if (start < 0) return;
    let parsed: { hop?: HopEvent; time?: number; clock?: number; sync?: string; ready?: string };
    try {
      parsed = JSON.parse(line.slice(start)) as typeof parsed;
    } catch {
      return; // not one of our lines (a log line that happens to hold a brace)
    }
    if (typeof parsed.clock === 'number') this.merge.clock(source, parsed.clock);
    else if (typeof parsed.sync === 'string') this.syncWaiters.get(parsed.sync)?.();
    else if (typeof parsed.ready === 'string') this.readyWaiters.get(source.name)?.();
    else if (parsed.hop && typeof parsed.time === 'number') this.merge.hop(source, parsed.hop, parsed.time);
  }

  private require(name: string): RunningContainer {
    const running = this.containers.get(name);
    if (!running) throw new Error(`no host "${name}" in ${this.topology.file}; hosts: ${[...this.containers.keys()].join(', ')}`);
    return running;
  }

  /** Run a command in a host's container; hop lines in its output join the trace. */
  private async exec(name: string, command: string[]): Promise<{ output: string; exitCode: number }> {
    const running = this.require(name);
    // Hops after this moment wait for this exec's output: its own hops come only when it ends.
    const source = this.merge.open(name, 'exec');
    try {
      const { output, exitCode } = await running.container.exec(command);
      for (const line of output.split('\n')) this.mergeLine(source, line);
      return { output, exitCode };
    } finally {
      this.merge.close(source);
    }
  }

  client(name: string): ClientHandle {
    const host = this.topology.hosts.find((h) => h.name === name);
    if (!host?.client) throw new Error(`${name} is not a client PC (it has no "client:" section)`);
    const run = async (verb: string, arg: string) => {
      const { output } = await this.exec(name, ['node', 'lab/runtime/container-client.ts', verb, arg]);
      const last = output.split('\n').map((l) => l.slice(Math.max(0, l.indexOf('{')))).filter((l) => l.startsWith('{"result"') || l.startsWith('{"error"')).at(-1);
      if (!last) throw new Error(`${name}: no answer from the client container; it printed:\n${output}`);
      const parsed = JSON.parse(last) as { result?: unknown; error?: { message: string; responseCode?: number; response?: string; rejected?: string[] } };
      if (parsed.error) throw Object.assign(new Error(parsed.error.message), parsed.error);
      return parsed.result;
    };
    const fetch = async (protocol: string): Promise<FetchedLetter[]> =>
      ((await run('fetch', protocol)) as { id: number; raw: string }[]).map((l) => ({ id: l.id, raw: Buffer.from(l.raw, 'base64') }));
    return {
      account: host.client.account,
      server: { name: host.client.server },
      send: async (letter: Letter) => (await run('send', JSON.stringify(letter))) as SendResult,
      fetchPop3: () => fetch('pop3'),
      fetchImap: () => fetch('imap'),
      fetch: () => fetch(host.client!.read),
    };
  }

  port(host: string, service: ServiceName): number {
    const port = this.require(host).ports[service];
    if (port === undefined) throw new Error(`${host} runs no ${service} service`);
    return port;
  }

  endpoints(): EndpointRow[] {
    return this.topology.hosts.map((host) => ({
      host: host.name,
      address: host.address,
      hostname: host.hostname,
      role: host.role,
      services: (Object.entries(this.containers.get(host.name)?.ports ?? {}) as [ServiceName, number][]).map(([service, port]) => ({
        service,
        virtual: `${host.address}:${STANDARD_PORTS[service]}`,
        real: `${this.publicHost}:${port}`,
      })),
    }));
  }

  /** docker stop: the host is switched off; its queue stays in its data folder. */
  async hostDown(name: string): Promise<void> {
    const running = this.require(name);
    const client = await getContainerRuntimeClient();
    await client.container.stop(client.container.getById(running.container.getId()), { timeout: 10 });
    running.up = false;
    const stream = this.streams.get(name);
    if (stream) this.merge.close(stream);
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name} 컴퓨터가 꺼졌습니다 (docker stop)`, en: `${name} is down (docker stop)` }, status: 'failed', detail: { fault: 'host-down' } });
  }

  /** docker start: the host comes back at the same address; the runner follows its output again. */
  async hostUp(name: string): Promise<void> {
    const running = this.require(name);
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(running.container.getId());
    const since = Math.floor(Date.now() / 1000);
    await client.container.start(container);
    const info = await client.container.inspect(container);
    for (const service of Object.keys(running.ports) as ServiceName[]) {
      const binding = info.NetworkSettings.Ports[`${STANDARD_PORTS[service]}/tcp`]?.[0];
      if (binding) running.ports[service] = Number(binding.HostPort);
    }
    const logs = await client.container.logs(container, { follow: true, stdout: true, stderr: false, since } as never);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not come back within 60 s`)), 60_000);
      this.readyWaiters.set(name, () => {
        clearTimeout(timer);
        resolve();
      });
      this.follow(name, logs as Readable);
    }).finally(() => this.readyWaiters.delete(name));
    running.up = true;
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name} 컴퓨터가 다시 켜졌습니다 (docker start)`, en: `${name} is up again (docker start)` }, status: 'ok', detail: { fault: 'host-up' } });
  }

  async serviceDown(name: string, service: ServiceName): Promise<void> {
    await this.control(name, `service-down ${service}`);
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name}의 ${serviceName(service, 'ko')}${josa(serviceName(service, 'ko'), '가')} 멈췄습니다`, en: `${name}'s ${service} service is down` }, status: 'failed', detail: { fault: 'service-down', service } });
  }

  async serviceUp(name: string, service: ServiceName): Promise<void> {
    await this.control(name, `service-up ${service}`);
    this.trace.report({ kind: 'net', from: name, to: name, summary: { ko: `${name}의 ${serviceName(service, 'ko')}${josa(serviceName(service, 'ko'), '가')} 다시 시작했습니다`, en: `${name}'s ${service} service is up again` }, status: 'ok', detail: { fault: 'service-up', service } });
  }

  /**
   * Every hop the server containers reported so far is in the trace: each prints a marker after
   * its hops, and once the marker has come through its output stream, nothing before it is left.
   */
  async settle(): Promise<void> {
    await Promise.all(
      [...this.containers.values()]
        .filter((running) => running.up && !this.topology.hosts.find((h) => h.name === running.name)?.client)
        .map(async (running) => {
          const token = `${running.name}-${++this.syncs}`;
          const seen = new Promise<void>((resolve) => this.syncWaiters.set(token, resolve));
          await this.control(running.name, `sync ${token}`);
          await seen;
          this.syncWaiters.delete(token);
        }),
    );
    this.merge.flush();
  }

  /** /data/Server-B/queue/qf... inside a container is <data>/Server-B/queue/qf... here (withBindMounts in startServer). */
  localFile(file: string): string {
    const m = /^\/data\/([^/]+)\/(.*)$/.exec(file);
    if (!m || !this.topology.hosts.some((h) => h.name === m[1])) return file;
    return path.join(this.dataDir, m[1], ...m[2].split('/'));
  }

  async flush(name: string): Promise<void> {
    await this.control(name, 'flush');
  }

  private async control(name: string, command: string): Promise<void> {
    const { output, exitCode } = await this.exec(name, ['node', 'lab/runtime/container-control.ts', ...command.split(' ')]);
    if (exitCode !== 0) throw new Error(`${name}: ${command} failed: ${output.trim()}`);
  }

  /**
   * docker network disconnect: the second host loses its link to the lab network (Docker cuts a
   * host's link, not a single pair), and gets it back at the same address with linkUp.
   */
  async linkDown(a: string, b: string): Promise<void> {
    const running = this.require(b);
    this.require(a);
    const client = await getContainerRuntimeClient();
    const network = client.network.getById(this.networkId);
    await network.disconnect({ Container: running.container.getId(), Force: true });
    this.trace.report({ kind: 'net', from: a, to: b, summary: { ko: `${b}의 네트워크 연결이 끊겼습니다 (docker network disconnect)`, en: `${b} is cut off the lab network (docker network disconnect)` }, status: 'failed', detail: { fault: 'link-down' } });
  }

  async linkUp(a: string, b: string): Promise<void> {
    const running = this.require(b);
    const host = this.topology.hosts.find((h) => h.name === b)!;
    const client = await getContainerRuntimeClient();
    const network = client.network.getById(this.networkId);
    await network.connect({ Container: running.container.getId(), EndpointConfig: { IPAMConfig: { IPv4Address: host.address } } });
    this.trace.report({ kind: 'net', from: a, to: b, summary: { ko: `${b}의 네트워크 연결이 다시 이어졌습니다`, en: `${b} is back on the lab network` }, status: 'ok', detail: { fault: 'link-up' } });
  }

  async stop(): Promise<void> {
    this.merge.flush();
    const client = await getContainerRuntimeClient().catch(() => undefined);
    await Promise.all(
      [...this.containers.values()].map(async (running) => {
        try {
          await running.container.stop({ timeout: 5, remove: true });
        } catch {
          const docker = client && (client.container as unknown as { dockerode: Dockerode }).dockerode;
          await docker?.getContainer(running.container.getId()).remove({ force: true, v: true }).catch(() => {});
        }
      }),
    );
    this.containers.clear();
    if (client && this.networkId) await client.network.remove(client.network.getById(this.networkId)).catch(() => {});
    this.networkId = '';
  }
}

interface Dockerode {
  listContainers(o: unknown): Promise<{ Id: string; Labels?: Record<string, string> }[]>;
  getContainer(id: string): { remove(o: unknown): Promise<unknown> };
  listNetworks(o: unknown): Promise<{ Id: string; Name?: string; Labels?: Record<string, string>; IPAM?: { Config?: { Subnet?: string }[] } }[]>;
  getNetwork(id: string): { remove(): Promise<unknown> };
}

/** How long a lab waits for another lab on this machine to let go of the same subnet. */
const SUBNET_WAIT_MS = 180_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The network of another running lab that has this subnet, if there is one. */
async function subnetHolder(subnet: string): Promise<{ name: string; owner: number } | undefined> {
  const client = await getContainerRuntimeClient();
  const docker = (client.container as unknown as { dockerode: Dockerode }).dockerode;
  for (const n of await docker.listNetworks({ filters: { label: [LABEL] } })) {
    const owner = Number(n.Labels?.[OWNER]);
    if (n.IPAM?.Config?.some((c) => c.Subnet === subnet) && owner && processAlive(owner)) return { name: n.Name ?? n.Id, owner };
  }
  return undefined;
}

/** Containers and networks left by a run that was killed (its process is gone): removed. */
async function removeLeftovers(): Promise<void> {
  const client = await getContainerRuntimeClient();
  const docker = (client.container as unknown as { dockerode: Dockerode }).dockerode;
  const orphan = (labels?: Record<string, string>) => {
    const owner = Number(labels?.[OWNER]);
    return Boolean(owner) && owner !== process.pid && !processAlive(owner);
  };
  for (const info of await docker.listContainers({ all: true, filters: { label: [LABEL] } })) {
    if (orphan(info.Labels)) await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => {});
  }
  for (const n of await docker.listNetworks({ filters: { label: [LABEL] } })) {
    if (orphan(n.Labels)) await docker.getNetwork(n.Id).remove().catch(() => {});
  }
}

/** Start a lab with every host in its own container. */
export async function startContainerLab(options: LabOptions & { topology: Topology }): Promise<Lab> {
  const { dataDir, temporary } = await prepareDataDir(options.topology, { ...options, ports: 'auto' });
  const runtime = new ContainerRuntime(options.topology, dataDir, options);
  try {
    await runtime.start();
  } catch (err) {
    await runtime.stop().catch(() => {});
    if (temporary) await fs.rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return new Lab(runtime, temporary);
}
