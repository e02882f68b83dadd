// Every scenario file, as a test: in the embedded runtime, and in the containers runtime where
// the scenario makes sense there and a container runtime answers (skipped with the reason if not).
import { describe, it, expect } from 'vitest';
import { listScenarios, loadScenario } from '../../lab/scenario/load.ts';
import { runScenario } from '../../lab/scenario/run-scenario.ts';
import type { ScenarioResult } from '../../lab/scenario/runner.ts';
import { containersAvailable } from '../../lab/runtime/containers.ts';

const wantContainers = process.env.MAIL_LAB_CONTAINERS !== '0';
const noContainers = wantContainers ? await containersAvailable() : 'MAIL_LAB_CONTAINERS=0';

/** Expected against actual, for every expectation that failed and every action that did. */
function explain(result: ScenarioResult): string {
  const lines: string[] = [];
  for (const a of result.actions) if (!a.ok) lines.push(`action at ${result.scenario.file}:${a.line} failed: ${a.error}`);
  for (const e of result.expectations) {
    if (!e.ok) lines.push(`${result.scenario.file}:${e.line}\n  expected: ${e.expected.en}\n  actual:   ${e.actual.en}`);
  }
  return lines.join('\n');
}

for (const { name, file } of listScenarios()) {
  const scenario = loadScenario(file);
  describe(`scenario ${name}`, () => {
    it('in the embedded runtime', async () => {
      const result = await runScenario(file, { ports: 'auto', failedLoginDelayMs: 10 });
      expect(result.expectations.length + result.actions.length).toBeGreaterThan(0);
      expect(explain(result)).toBe('');
      expect(result.ok).toBe(true);
    });

    if (scenario.runtimes.includes('containers')) {
      const title = noContainers ? `in the containers runtime (skipped: ${noContainers})` : 'in the containers runtime';
      it.skipIf(Boolean(noContainers))(title, { timeout: 240_000 }, async () => {
        const result = await runScenario(file, { runtime: 'containers', failedLoginDelayMs: 10 });
        expect(explain(result)).toBe('');
        expect(result.ok).toBe(true);
      });
    }
  });
}
