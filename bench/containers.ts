// Issue 6's figures: the time to bring the container lab up and to run kim-to-lee in it, beside
// the embedded runtime's, measured in the same run.
import { startLab } from '../lab/runtime/lab.ts';
import { startContainerLab, containersAvailable } from '../lab/runtime/containers.ts';
import { buildImage } from '../lab/runtime/container-image.ts';
import { loadTopology } from '../lab/topology/load.ts';
import { DEFAULT_TOPOLOGY } from '../lab/runtime/lab.ts';
import { loadScenario, resolveScenario } from '../lab/scenario/load.ts';
import { runActions } from '../lab/scenario/runner.ts';

export async function benchContainers(): Promise<Record<string, number> | string> {
  const why = await containersAvailable();
  if (why) return why;
  const scenario = loadScenario(resolveScenario('kim-to-lee'));
  const out: Record<string, number> = {};
  let t0 = performance.now();
  await buildImage();
  out['containers: image build (or cache hit), ms'] = performance.now() - t0;

  t0 = performance.now();
  const lab = await startContainerLab({ topology: loadTopology(DEFAULT_TOPOLOGY, { ports: 'auto' }) });
  out['containers: lab up (4 containers), ms'] = performance.now() - t0;
  try {
    t0 = performance.now();
    const result = await runActions(lab, scenario);
    if (!result.ok) throw new Error('kim-to-lee failed in containers');
    out['containers: kim-to-lee, ms'] = performance.now() - t0;
  } finally {
    t0 = performance.now();
    await lab.stop();
    out['containers: stop and clean up, ms'] = performance.now() - t0;
  }

  t0 = performance.now();
  const embedded = await startLab({ ports: 'auto' });
  out['embedded: lab up, ms'] = performance.now() - t0;
  try {
    t0 = performance.now();
    const result = await runActions(embedded, scenario);
    if (!result.ok) throw new Error('kim-to-lee failed embedded');
    out['embedded: kim-to-lee, ms'] = performance.now() - t0;
  } finally {
    await embedded.stop();
  }
  return out;
}

if (import.meta.main) {
  const r = await benchContainers();
  if (typeof r === 'string') console.log(`skipped: ${r}`);
  else for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(48)} ${v.toFixed(0)}`);
}
