// One lab process as the side-by-side's driver makes it (process-tuning, then startLab with no
// scenario); prints what its start cost: see bench/start-cost.ts.
import fs from 'node:fs';
const t0 = performance.now();
await import('../lab/runtime/process-tuning.ts');
const { startLab } = await import('../lab/runtime/lab.ts');
const t1 = performance.now();
const lab = await startLab({ ports: 'auto' });
const t2 = performance.now();
const cpu = process.cpuUsage();
const rollup = fs.readFileSync('/proc/self/smaps_rollup', 'utf8');
const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN);
const memory = process.memoryUsage();
process.stdout.write(`${JSON.stringify({
  importMs: t1 - t0,
  startMs: t2 - t1,
  cpuMs: (cpu.user + cpu.system) / 1000,
  rssKiB: kb('Rss'),
  pssKiB: kb('Pss'),
  anonKiB: kb('Anonymous'),
  heapUsedKiB: memory.heapUsed / 1024,
  heapTotalKiB: memory.heapTotal / 1024,
  externalKiB: memory.external / 1024,
})}\n`);
await lab.stop();
