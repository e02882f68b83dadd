// The process inside a host's container (containers runtime): it plays one host of the
// topology on its real address, at the standard ports, and prints every hop event as a JSON line
// on stdout for the runner to merge into the one trace. Client PCs idle here; the runner runs
// their actions with `docker exec ... container-client.ts`.
import { fs } from '../node-builtins.ts';
import net from 'node:net';
import path from 'node:path';
import { TraceBus } from '../trace/trace-bus.ts';
import { DirectNet } from '../net/direct-net.ts';
import { STANDARD_PORTS, type ServiceName } from '../topology/schema.ts';
import type { Topology } from '../topology/types.ts';
import { buildHostContext, type Service } from '../host/host-context.ts';
import { startService } from './host-services.ts';
import { CONTROL_SOCKET, epochMs, type HopLine } from './container-protocol.ts';
import { CLOCK_MS } from './hop-merge.ts';

export function readSettings(env: NodeJS.ProcessEnv = process.env): { topology: Topology; host: string; retry?: string; dnsTimeoutMs?: number } {
  const topology = JSON.parse(Buffer.from(env.MAIL_LAB_TOPOLOGY ?? '', 'base64').toString('utf8')) as Topology;
  const host = env.MAIL_LAB_HOST ?? '';
  if (!topology.hosts?.some((h) => h.name === host)) throw new Error(`MAIL_LAB_HOST "${host}" is not a host of the topology`);
  return { topology, host, retry: env.MAIL_LAB_RETRY || undefined, dnsTimeoutMs: env.MAIL_LAB_DNS_TIMEOUT ? Number(env.MAIL_LAB_DNS_TIMEOUT) : undefined };
}

/** A trace bus whose events go to stdout as JSON lines. */
export function stdoutTrace(): TraceBus {
  const trace = new TraceBus();
  trace.on((event) => process.stdout.write(`${JSON.stringify({ hop: event, time: epochMs() } satisfies HopLine)}\n`));
  return trace;
}

async function main(): Promise<void> {
  const { topology, host, retry, dnsTimeoutMs } = readSettings();
  const trace = stdoutTrace();
  // The runner holds other hosts' hops until this host has said a later time (hop-merge.ts):
  // a clock line now and then says "nothing more from me before this".
  setInterval(() => process.stdout.write(`${JSON.stringify({ clock: epochMs() })}\n`), CLOCK_MS).unref();
  const ctx = buildHostContext({ topology, name: host, net: new DirectNet(topology), trace, dataDir: path.join('/data', host), listen: '0.0.0.0', dnsTimeoutMs, retry });
  fs.mkdirSync(ctx.dataDir, { recursive: true });
  const services = new Map<ServiceName, Service>();
  const wanted = Object.keys(ctx.host.services) as ServiceName[];
  const up = async (service: ServiceName) => {
    if (!services.has(service)) services.set(service, await startService(ctx, service, STANDARD_PORTS[service], { retry }));
  };
  const down = async (service: ServiceName) => {
    const started = services.get(service);
    services.delete(service);
    await started?.close();
  };
  if (wanted.includes('dns')) await up('dns');
  await Promise.all(wanted.filter((s) => s !== 'dns').map(up));

  // The runner's hands inside the container: flush the queue, stop or start one service.
  fs.rmSync(CONTROL_SOCKET, { force: true });
  const control = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      const [verb, arg] = buffer.slice(0, end).trim().split(/\s+/);
      const service = arg as ServiceName;
      const act = async () => {
        if (verb === 'flush') {
          const smtp = services.get('smtp') as { runner?: { flush(): void } } | undefined;
          if (!smtp?.runner) throw new Error(`${host} runs no mail server`);
          smtp.runner.flush();
        } else if (verb === 'sync') {
          // the runner waits for this line on our output: every hop before it has reached it
          process.stdout.write(`${JSON.stringify({ sync: arg })}\n`);
        } else if (verb === 'service-down' && wanted.includes(service)) await down(service);
        else if (verb === 'service-up' && wanted.includes(service)) await up(service);
        else throw new Error(`unknown control command "${verb} ${arg ?? ''}"`);
      };
      act().then(() => socket.end('ok\n'), (err: Error) => socket.end(`error ${err.message}\n`));
    });
  });
  await new Promise<void>((resolve) => control.listen(CONTROL_SOCKET, resolve));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    control.close();
    await Promise.all([...services.keys()].map(down));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdout.write(`${JSON.stringify({ ready: host, services: wanted })}\n`);
}

if (import.meta.main) {
  main().catch((err) => {
    process.stderr.write(`mail-lab container host: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
