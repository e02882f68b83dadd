// The load tool's ceiling (bench/smtp-load.ts): an smtp-server that accepts every letter and
// throws it away, in a process of its own like the lab. Prints "READY <port>"; answers "stats"
// on stdin with its peak RSS; ends on "exit".
import { once } from 'node:events';
import type net from 'node:net';
import { createInterface } from 'node:readline';
import { SMTPServer } from 'smtp-server';

const server = new SMTPServer({
  name: 'sink.bench.test',
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  logger: false,
  maxClients: 100,
  closeTimeout: 100,
  onAuth: (_auth, _session, cb) => cb(null, { user: 'bench' }),
  onData: (stream, _session, cb) => {
    stream.on('data', () => undefined);
    stream.on('end', () => cb(null, '2.0.0 Ok: discarded'));
  },
});
server.listen(0, '127.0.0.1');
await once(server.server, 'listening');
process.stdout.write(`READY ${(server.server.address() as net.AddressInfo).port}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stats') process.stdout.write(`STATS ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`);
  if (line === 'exit') {
    server.close(() => process.exit(0));
  }
}
