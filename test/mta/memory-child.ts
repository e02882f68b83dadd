// The lab the memory test measures: topology/classroom.yaml as shipped, in a process of its own,
// so that the memory measured is the lab's alone. Prints "READY <Server's SMTP port>"; answers
// each "rss" line on stdin, after a garbage collection, with
// "RSS <peak resident set, KB> <resident set now, KB> <heap used + external now, KB>".
//
//   node --expose-gc test/mta/memory-child.ts
import readline from 'node:readline';
import { startLab, DEFAULT_TOPOLOGY } from '../../lab/runtime/lab.ts';

const lab = await startLab({ topology: DEFAULT_TOPOLOGY, ports: 'auto' });
process.stdout.write(`READY ${lab.port('Server', 'smtp')}\n`);
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'rss') {
    // garbage collected first (the child runs with --expose-gc): what the lab still holds. Twice:
    // V8 frees the memory of dead Buffers on a background thread after a collection, and the
    // next collection waits for that to finish, so only after the second is `external` settled
    // (one collection left 24 MB of a dead 200 MB stream counted, now and then)
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    process.stdout.write(`RSS ${process.resourceUsage().maxRSS} ${Math.round(m.rss / 1024)} ${Math.round((m.heapUsed + m.external) / 1024)}\n`);
  }
});
lines.on('close', () => void lab.stop().then(() => process.exit(0)));
