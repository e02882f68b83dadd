// The MTA the crash test kills: Server-B's sendmail role (SMTP listener, queue, queue runner) in a
// process of its own, on the data folder it is given. The name server and Server's MTA run in the
// test's process; their real ports come as arguments and are bound into this process's lab
// network, so Server-B reaches them at 192.168.111.100 like in the lab.
//
//   node test/mta/crash-child.ts <data root> <dns port> <Server smtp port> <retry schedule>
//
// Prints "READY <port>" once it listens; runs until it is killed.
import path from 'node:path';
import { LoopbackNet } from '../../lab/net/lab-net.ts';
import { StubResolver } from '../../lab/net/resolver.ts';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import { startMailServer } from '../../lab/mta/mail-server.ts';
import { clockAndLogin, type HostContext } from '../../lab/host/host-context.ts';
import { MailStore } from '../../lab/mailbox/mail-store.ts';
import { classroomTopology } from './lab-fixture.ts';

const [root, dnsPort, serverPort, retry] = process.argv.slice(2);
const topology = classroomTopology();
const net = new LoopbackNet(topology);
net.bind('Server', 'dns', Number(dnsPort));
net.bind('Server', 'smtp', Number(serverPort));
const trace = new TraceBus();
const host = topology.hosts.find((h) => h.name === 'Server-B')!;
const ctx: HostContext = {
  host,
  topology,
  net,
  trace,
  resolver: new StubResolver({ net, from: host.name, nameServer: 'Server', trace, timeoutMs: 1000 }),
  dataDir: path.join(root, 'Server-B'),
  listen: topology.listen,
  ...clockAndLogin(host, { clock: trace.clock }),
  mailStore: new MailStore(path.join(root, 'Server-B', 'mail')),
};
// what the runner did, for the test's log: one line per relay, bounce or queue repair
trace.on((e) => {
  if (e.kind === 'relay' || e.kind === 'bounce' || (e.kind === 'queue' && e.status !== 'ok')) {
    process.stdout.write(`EVENT ${e.kind} ${e.status ?? ''} ${e.queueId ?? ''} ${e.summary.en}\n`);
  } else if (e.kind === 'queue' && e.detail?.reloaded) {
    process.stdout.write(`RELOADED ${(e.detail.reloaded as string[]).length}\n`);
  }
});
const server = await startMailServer(ctx, { port: 0, retry });
process.stdout.write(`READY ${server.port}\n`);
