// What one lab process costs to start, idle, with no scenario (as the side-by-side's driver and
// startLab() make it): CPU to every listener up, and memory right after (RSS, PSS, anonymous,
// V8 heap). Medians of a few fresh processes; the first also fills Node's compile cache.
//   node bench/start-cost.ts [--rounds 5]
// A quick A/B for start-up work (lazy loading, V8 settings): compare two checkouts' figures. PSS
// depends on what else shares node's pages on the machine; anonymous memory is the lab's own.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const rounds = Number(values.rounds ?? 5);
const child = path.join(import.meta.dirname, 'start-cost-child.ts');
const runs: Record<string, number>[] = [];
for (let i = 0; i < rounds + 1; i++) {
  const r = spawnSync(process.execPath, [child], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the lab process failed: ${r.stderr}`);
  if (i > 0) runs.push(JSON.parse(r.stdout)); // the first run warms the compile cache
}
const median = (k: string) => [...runs.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
console.log(`lab start, no scenario, median of ${rounds} fresh processes (node ${process.version})`);
for (const k of Object.keys(runs[0])) console.log(`  ${k.padEnd(14)} ${Math.round(median(k))}`);
