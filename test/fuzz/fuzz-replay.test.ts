// The fuzzer's cases are seeded (case N of a target is the same on every run), written out whole
// when they fail, and can be run again alone with --replay. The findings it made stay fixed:
// each is kept here as a reproduction file and replayed.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random } from '../../fuzz/random.ts';
import { TARGETS } from '../../fuzz/targets.ts';
import { runFuzz } from './fuzz-helpers.ts';

describe('fuzz cases', () => {
  it('are the same for the same seed and index, and differ for another seed', () => {
    for (const target of TARGETS) {
      const a = target.generate(Random.forCase('s1', target.name, 7), 7, 's1');
      const b = target.generate(Random.forCase('s1', target.name, 7), 7, 's1');
      const c = target.generate(Random.forCase('s2', target.name, 7), 7, 's2');
      expect(b).toEqual(a);
      expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
    }
  });

  it('are made valid and mutated, for every target', () => {
    for (const target of TARGETS) {
      const kinds = new Set(Array.from({ length: 50 }, (_v, i) => target.generate(Random.forCase('kinds', target.name, i), i, 'kinds').kind));
      expect([...kinds].sort()).toEqual(['mutated', 'valid']);
    }
  });
});

/**
 * Reproduction files of what the fuzzer found, as it wrote them (test/fuzz/findings/): the
 * SMTP adapter's crash on a last line without a callback (smtp-stream's _flushData), and the
 * yaml package's ReferenceError (an alias before its anchor) and RangeError (its parser's stack)
 * escaping the topology and scenario loaders, and a 150 KB scenario whose duplicate keys took
 * the yaml package seconds (the loaders now refuse files over 64 KB). And a POP3 probe that was
 * logged out as idle while another session's 73,000 pipelined lines held every session up (the
 * case that did it, 8562, is in test/pop3/pop3-fairness.test.ts; IMAP had the same, in
 * test/imap/imap-fairness.test.ts). Each failed before its fix (the POP3 one only under load).
 */
const FINDINGS_DIR = path.join(import.meta.dirname, 'findings');
const FINDINGS = (await fs.readdir(FINDINGS_DIR)).filter((f) => f.endsWith('.json')).sort();

describe('npm run fuzz -- --replay FILE', () => {
  it('has the findings to replay', () => expect(FINDINGS).toEqual(['pop3-mail-lab-8556.json', 'scenario-mail-lab-523.json', 'scenario-mail-lab-57720.json', 'smtp-mail-lab-104.json', 'topology-mail-lab-1616.json']));

  for (const name of FINDINGS) {
    it(`replays ${name}: now answered`, async () => {
      const finding = JSON.parse(await fs.readFile(path.join(FINDINGS_DIR, name), 'utf8'));
      const run = await runFuzz(['--replay', path.join(FINDINGS_DIR, name)]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const line = /REPLAY (.*)/.exec(run.stdout)![1];
      expect(JSON.parse(line)).toMatchObject({ target: finding.target, run: { ok: true }, probe: { ok: true } });
    });
  }

  it('says so when a replayed case fails', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-replay-'));
    const file = path.join(dir, 'nntp.json');
    // a reproduction file naming no target: an error that lists the targets
    await fs.writeFile(file, JSON.stringify({ target: 'nntp', seed: 'x', index: 0, kind: 'valid', text: '' }));
    const run = await runFuzz(['--replay', file]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/no fuzz target "nntp"; the targets are smtp, pop3, imap, dns-udp, dns-tcp, zone, topology, scenario/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('the 150 KB scenario the fuzzer found', () => {
  it('is refused for its size before the yaml package parses it (its duplicate-key check grows with the square of a map)', async () => {
    const { loadScenario, ScenarioError } = await import('../../lab/scenario/load.ts');
    const finding = JSON.parse(await fs.readFile(path.join(FINDINGS_DIR, 'scenario-mail-lab-57720.json'), 'utf8'));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-big-'));
    const file = path.join(dir, 'big.yaml');
    await fs.writeFile(file, finding.text);
    let error: unknown;
    try {
      loadScenario(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(/big\.yaml:1: the file is 152\d{3} bytes, more than a scenario ever needs \(at most 65536\)/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
