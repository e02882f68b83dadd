// The lab under load (bench/smtp-load.ts), in a process of its own so that its memory is its
// own: the whole classroom lab (startLab, as `npm run lab` runs it) on OS-chosen ports and the
// data folder it is given. POP3 and IMAP listen but take no part in this load.
//
// Prints "READY <json>" with Server-B's SMTP port; counts Server's deliveries into lee's Maildir
// (its mda hops) and prints "DELIVERED <n>" once the expected number is in; answers "stats" on
// stdin; ends on "exit".
import '../lab/runtime/process-tuning.ts';
import { createInterface } from 'node:readline';
import { startLab } from '../lab/runtime/lab.ts';

const [data, expected] = [process.argv[2], Number(process.argv[3])];
// the lab as `npm run lab` builds it, on OS-chosen ports; the trace keeps its default window
const lab = await startLab({ ports: 'auto', data });
const trace = lab.trace;

let delivered = 0;
trace.on((e) => {
  if (e.kind === 'mda' && e.to === 'Server' && e.status === 'ok' && ++delivered === expected) {
    process.stdout.write(`DELIVERED ${delivered}\n`);
  }
});
process.stdout.write(`READY ${JSON.stringify({ smtp: lab.port('Server-B', 'smtp'), server: lab.port('Server', 'smtp') })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stats') {
    process.stdout.write(`STATS ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, delivered, events: trace.events.length, memory: process.memoryUsage() })}\n`);
  }
  if (line === 'exit') {
    await lab.stop();
    process.exit(0);
  }
}
