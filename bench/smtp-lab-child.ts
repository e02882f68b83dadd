// The lab under load (bench/smtp-load.ts), in a process of its own so that its memory is its
// own. It runs the roles the letters cross, as the embedded runtime builds them: Server's name
// server and MTA (with its MDA), Server-B's MTA, on the classroom topology with OS-chosen ports
// and the data folder it is given. (POP3 and IMAP take no part in this load; leaving them out
// keeps the figure about the MTA, like the Postfix reference.)
//
// Prints "READY <json>" with Server-B's SMTP port; counts Server's deliveries into lee's Maildir
// (its mda hops) and prints "DELIVERED <n>" once the expected number is in; answers "stats" on
// stdin; ends on "exit".
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadTopology } from '../lab/topology/load.ts';
import { LoopbackNet } from '../lab/net/lab-net.ts';
import { StubResolver } from '../lab/net/resolver.ts';
import { TraceBus } from '../lab/trace/trace-bus.ts';
import { startNameServer } from '../lab/dns/name-server.ts';
import { startMailServer } from '../lab/mta/mail-server.ts';
import type { HostContext } from '../lab/runtime/host-context.ts';

const [data, expected] = [process.argv[2], Number(process.argv[3])];
const topology = loadTopology(path.join(import.meta.dirname, '..', 'topology', 'classroom.yaml'), { ports: 'auto' });
const net = new LoopbackNet(topology);
const trace = new TraceBus();
const ctx = (name: string): HostContext => {
  const host = topology.hosts.find((h) => h.name === name)!;
  return {
    host,
    topology,
    net,
    trace,
    resolver: new StubResolver({ net, from: name, nameServer: host.resolver ?? name, trace, timeoutMs: 1500 }),
    dataDir: path.join(data, name),
    listen: topology.listen,
    clock: { now: () => Date.now() },
  };
};
const dns = await startNameServer(ctx('Server'), { port: 0 });
net.bind('Server', 'dns', dns.port);
const server = await startMailServer(ctx('Server'), { port: 0 });
net.bind('Server', 'smtp', server.port);
const serverB = await startMailServer(ctx('Server-B'), { port: 0 });
net.bind('Server-B', 'smtp', serverB.port);

let delivered = 0;
trace.on((e) => {
  if (e.kind === 'mda' && e.to === 'Server' && e.status === 'ok' && ++delivered === expected) {
    process.stdout.write(`DELIVERED ${delivered}\n`);
  }
});
process.stdout.write(`READY ${JSON.stringify({ smtp: serverB.port })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stats') {
    process.stdout.write(`STATS ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, delivered, events: trace.events.length, memory: process.memoryUsage() })}\n`);
  }
  if (line === 'exit') {
    await serverB.close();
    await server.close();
    await dns.close();
    process.exit(0);
  }
}
