// The side-by-side lab-driver (no forwarder) with a memory log: every 200 ms of the load, the
// heap spaces and what the trace holds, to stderr as JSON lines; SIGUSR2 writes a heap snapshot.
//   node --heapsnapshot-signal=SIGUSR2 bench/smtp-mem-driver.ts TOPOLOGY DATA_DIR
import path from 'node:path';
import v8 from 'node:v8';
const [topology, data] = process.argv.slice(2);
const checkout = path.resolve(import.meta.dirname, '..');
process.env.UV_THREADPOOL_SIZE ??= '16';
await import(path.join(checkout, 'lab/runtime/process-tuning.ts'));
const { startLab } = await import(path.join(checkout, 'lab/runtime/lab.ts'));
const lab = await startLab({ topology, ports: 'fixed', data, clean: true });
let events = 0;
lab.trace.on(() => events++);
process.stdout.write(`READY ${JSON.stringify({ pid: process.pid })}\n`);
const mb = (n: number) => Math.round(n / 1048576);
setInterval(() => {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name.replace('_space', ''), [mb(s.space_used_size), mb(s.space_size)]]));
  process.stderr.write(`${JSON.stringify({ events, held: lab.trace.events.length, rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), ab: mb(m.arrayBuffers), spaces })}\n`);
}, 200).unref();
const stop = async () => { await lab.stop(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
