// The short fuzz run inside npm test: a few seconds per target against the real servers and
// loaders, none of them may crash, hang, stop answering or throw an error of the wrong kind.
// (`npm run fuzz -- --long` is the long run: 100,000 cases per target.)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz-helpers.ts';

for (const group of [['smtp', 'pop3', 'imap'], ['dns-udp', 'dns-tcp'], ['zone', 'topology', 'scenario']]) {
  describe(`fuzz ${group.join(', ')}`, () => {
    it(`a short seeded run finds nothing (${group.join(', ')})`, async () => {
      const out = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-fuzz-test-'));
      const run = await runFuzz(['--only', group.join(','), '--seconds', '2', '--out', out]);
      const summary = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8'));
      expect(run.code, run.stdout + run.stderr).toBe(0);
      for (const row of summary.rows) {
        expect(row.cases, `${row.target} ran too few cases`).toBeGreaterThan(20);
        expect(row.valid).toBeGreaterThan(0);
        expect(row.mutated).toBeGreaterThan(0);
        expect(row.crashes + row.hangs + row.unresponsive + row.unexpectedErrors).toBe(0);
        expect(row.maxRssKb).toBeGreaterThan(0);
      }
      expect(run.stdout).toMatch(/target\s+cases\s+valid\s+mutated\s+crashes\s+hangs\s+unresponsive/);
      await fs.rm(out, { recursive: true, force: true });
    });
  });
}
