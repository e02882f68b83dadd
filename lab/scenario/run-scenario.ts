import { startLab, type Lab, type LabOptions } from '../runtime/lab.ts';
import { loadTopology } from '../topology/load.ts';
import { TraceBus } from '../trace/trace-bus.ts';
import { loadScenario, resolveScenario } from './load.ts';
import { runActions, type ScenarioResult } from './runner.ts';
import { toMs } from './schema.ts';

export interface RunScenarioOptions extends Omit<LabOptions, 'topology'> {
  /** override the scenario's topology */
  topology?: string;
  /** keep the lab running after the scenario (the caller stops it) */
  keep?: boolean;
  /** overrides the scenario's own `runtime` */
  runtime?: 'embedded' | 'containers';
}

export interface RunScenarioResult extends ScenarioResult {
  trace: TraceBus;
  /** the lab, when keep was set */
  lab?: Lab;
}

/**
 * Play a scenario (by name, e.g. 'kim-to-lee', or path) on a lab of its own and check its
 * expectations. By default on ports chosen by the OS and a temporary data folder.
 */
export async function runScenario(nameOrPath: string, options: RunScenarioOptions = {}): Promise<RunScenarioResult> {
  const ports = options.ports ?? 'auto';
  const given = options.topology ? loadTopology(options.topology, { ports }) : undefined;
  const scenario = loadScenario(resolveScenario(nameOrPath), { topology: given });
  const topology = given ?? loadTopology(scenario.topology, { ports });
  const trace = options.trace ?? new TraceBus();
  const labOptions = { ...options, topology, ports, trace, retry: options.retry ?? scenario.retry, dnsTimeoutMs: options.dnsTimeoutMs ?? (scenario.dnsTimeout ? toMs(scenario.dnsTimeout) : undefined) };
  const lab: Lab = await startLab({ ...labOptions, runtime: options.runtime ?? scenario.runtime });
  try {
    const result = await runActions(lab, scenario);
    return { ...result, trace, lab: options.keep ? lab : undefined };
  } finally {
    if (!options.keep) await lab.stop();
  }
}
