// The lesson itself must not change by accident: the kim-to-lee trace, normalised (no times, IDs
// or ports), in Korean and in English, is kept in test/golden/ and compared.
// UPDATE_GOLDEN=1 npm test -- test/scenario/golden.test.ts rewrites them after an intended change.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { runScenario } from '../../lab/scenario/run-scenario.ts';
import { normaliseTrace } from '../../lab/trace/golden.ts';

const GOLDEN = path.join(import.meta.dirname, '..', 'golden');

describe('golden trace of kim-to-lee', async () => {
  const result = await runScenario('kim-to-lee', { ports: 'auto' });
  for (const lang of ['ko', 'en'] as const) {
    it(`matches test/golden/kim-to-lee.${lang}.txt`, () => {
      expect(result.ok).toBe(true);
      const actual = normaliseTrace(result.trace.events, lang);
      const file = path.join(GOLDEN, `kim-to-lee.${lang}.txt`);
      if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) fs.writeFileSync(file, actual);
      expect(actual).toBe(fs.readFileSync(file, 'utf8'));
    });
  }
});
