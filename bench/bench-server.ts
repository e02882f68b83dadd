import path from 'node:path';
import { loadTopology } from '../lab/topology/load.ts';
import { LoopbackNet } from '../lab/net/lab-net.ts';
import { TraceBus } from '../lab/trace/trace-bus.ts';
import { buildHostContext, type HostContext } from '../lab/host/host-context.ts';

/**
 * Server of the classroom topology on OS-chosen ports, for a benchmark child that runs one of
 * its roles alone; its data folder is the one given (the benchmark writes lee's Maildir there).
 */
export function benchServerContext(dataDir: string): { ctx: HostContext; net: LoopbackNet; trace: TraceBus } {
  const topology = loadTopology(path.join(import.meta.dirname, '..', 'topology', 'classroom.yaml'), { ports: 'auto' });
  const net = new LoopbackNet(topology);
  const trace = new TraceBus();
  const ctx = buildHostContext({ topology, name: 'Server', net, trace, dataDir, listen: '127.0.0.1' });
  return { ctx, net, trace };
}

/** The child's peak RSS, sampled every 10 ms until stopped. */
export function sampleRss(): { peak(): number; stop(): void } {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  return { peak: () => Math.max(peak, process.memoryUsage.rss()), stop: () => clearInterval(sampler) };
}
