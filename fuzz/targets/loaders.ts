// The lab's own files: BIND zone files (lab/topology/zone-file.ts), the topology (YAML, schema
// and cross-checks, lab/topology/load.ts) and scenarios (lab/scenario/load.ts). Each case is a
// real file of the project, changed by the grammar (a record, a directive, a YAML value) and
// then mutated as text. A loader must answer every input with its own error (the file, the line,
// what to write instead) or with a result; any other exception is a bug, and so is a parse that
// takes seconds.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Random } from '../random.ts';
import { mutateBytes, mutateLines } from '../mutate.ts';
import type { Target, FuzzCase, Outcome, Harness } from '../target.ts';
import { ROOT } from '../lab-host.ts';
import { parseZone, ZoneFileError } from '../../lab/topology/zone-file.ts';
import { parseTopology, TopologyError } from '../../lab/topology/load.ts';
import { loadScenario, ScenarioError } from '../../lab/scenario/load.ts';

/** A parse slower than this is reported as a hang (the input is small). */
const SLOW_MS = 2000;

const read = (...parts: string[]) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');
const ZONES = fs.readdirSync(path.join(ROOT, 'topology', 'zones')).sort((a, b) => Number(b.startsWith('naver.com.zone')) - Number(a.startsWith('naver.com.zone'))).map((f) => read('topology', 'zones', f));
const TOPOLOGIES = ['classroom.yaml', 'no-mx.yaml'].map((f) => read('topology', f));
const SCENARIOS = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => read('scenarios', f));

const ZONE_LINES = [
  '$TTL 1H', '$TTL 99999999999', '$TTL -1', '$ORIGIN sub.naver.com.', '$ORIGIN .', '$INCLUDE /etc/passwd', '$GENERATE 1-100 host$ A 10.0.0.$',
  'www IN A 192.168.111.10', 'www IN A 999.1.1.1', 'www IN AAAA ::1', 'www IN AAAA 1:2:3:4:5:6:7:8:9', '@ IN MX 10 mail', '@ IN MX 99999 mail', '@ IN MX 0 .',
  'alias IN CNAME www', 'alias IN CNAME alias', 'txt IN TXT "a" "b" "c"', 'txt IN TXT "unterminated', 'txt IN TXT "\\065\\066"', '@ IN NS ns', 'ptr IN PTR x.',
  '@ IN SOA @ root. ( 1 2 3 4 5 )', '@ IN SOA @ root. ( 1 2 3', ')', '(', 'x IN TYPE65 \\# 0', `${'a'.repeat(64)} IN A 1.2.3.4`, `${'b.'.repeat(130)} IN A 1.2.3.4`,
  'x 1W2D3H4M5S IN A 1.2.3.4', 'x CH A 1.2.3.4', 'x IN', 'x', ' IN A 1.2.3.4', '; comment only', '* IN A 1.2.3.4', 'x IN A 1.2.3.4 ; trailing',
];

function zoneCase(rng: Random): string {
  let lines = rng.pick(ZONES).split('\n');
  const adds = rng.int(0, 6);
  for (let i = 0; i < adds; i++) lines.splice(rng.int(0, lines.length), 0, rng.pick(ZONE_LINES));
  return lines.join('\n');
}

/** A YAML document changed at one place: a value swapped for another kind of value. */
function editYaml(rng: Random, text: string): string {
  const doc = YAML.parse(text);
  const VALUES = [null, 0, -1, 65536, 1e21, '', 'x', '192.168.111.100', '192.168.111.999', '10.0.0.1', [], {}, ['a'], { a: 1 }, true, '김유신', '1ms*100000', 'zones/../../../etc/hosts', 'Server', 'nobody@naver.com'];
  const edits = rng.int(1, 3);
  for (let e = 0; e < edits; e++) {
    // walk down to a random place
    let node: any = doc;
    let key: string | number | undefined;
    for (let depth = 0; depth < 6 && node && typeof node === 'object'; depth++) {
      const keys: (string | number)[] = Array.isArray(node) ? node.map((_v: unknown, i: number) => i) : Object.keys(node);
      if (!keys.length) break;
      key = rng.pick(keys);
      if (typeof node[key] !== 'object' || node[key] === null || rng.chance(0.3)) break;
      node = node[key];
    }
    if (!node || typeof node !== 'object' || key === undefined) continue;
    const r = rng.next();
    if (r < 0.6) node[key] = rng.pick(VALUES);
    else if (r < 0.8 && !Array.isArray(node)) delete node[key];
    else if (!Array.isArray(node)) node[rng.word()] = rng.pick(VALUES);
    else node.push(rng.pick(VALUES));
  }
  return YAML.stringify(doc);
}

function textCase(rng: Random, base: string, structured: (rng: Random, text: string) => string): { text: string; mutated: boolean } {
  let text = rng.chance(0.7) ? structured(rng, base) : base;
  const mutated = rng.chance(0.6);
  if (mutated) text = rng.chance(0.5) ? mutateLines(rng, text) : mutateBytes(rng, Buffer.from(text, 'utf8'), 3).toString('utf8');
  return { text, mutated };
}

/** Run a parse: its own error or a result is fine; anything else, or a slow one, is a finding. */
function judge(parse: () => unknown, expected: (err: unknown) => boolean): Outcome {
  const started = performance.now();
  try {
    parse();
  } catch (err) {
    if (!expected(err)) {
      const e = err as Error;
      return { ok: false, failure: 'unexpected-error', detail: `${e?.constructor?.name ?? typeof err}: ${e?.stack ?? String(err)}` };
    }
  }
  const took = performance.now() - started;
  if (took > SLOW_MS) return { ok: false, failure: 'hang', detail: `the parse took ${Math.round(took)} ms` };
  return { ok: true };
}

function loaderTarget(name: string, make: (rng: Random) => { text: string; mutated: boolean }, setup: (workDir: string) => { parse(text: string): unknown; expected(err: unknown): boolean; valid: string }): Target {
  return {
    name,
    concurrency: 1,
    generate(rng, index, seed): FuzzCase {
      const { text, mutated } = make(rng);
      return { target: name, seed, index, kind: mutated ? 'mutated' : 'valid', text };
    },
    async setup(workDir): Promise<Harness> {
      const loader = setup(workDir);
      return {
        run: async (c) => judge(() => loader.parse(c.text ?? ''), loader.expected),
        // the shipped file still loads: the loader has no state a bad file could spoil
        probe: async () => {
          try {
            loader.parse(loader.valid);
            return { ok: true };
          } catch (err) {
            return { ok: false, failure: 'unresponsive', detail: `the valid file no longer loads: ${(err as Error).message}` };
          }
        },
        close: async () => {},
      };
    },
  };
}

export const zoneTarget = loaderTarget(
  'zone',
  (rng) => textCase(rng, zoneCase(rng), (_r, t) => t),
  () => ({ parse: (text) => parseZone(text, 'naver.com', 'fuzz.zone'), expected: (err) => err instanceof ZoneFileError, valid: ZONES[0] }),
);

export const topologyTarget = loaderTarget(
  'topology',
  (rng) => textCase(rng, rng.pick(TOPOLOGIES), editYaml),
  () => ({
    // in topology/, so the zone files resolve as they do for the shipped file
    parse: (text) => parseTopology(text, path.join(ROOT, 'topology', 'fuzz.yaml')),
    expected: (err) => err instanceof TopologyError || err instanceof ZoneFileError,
    valid: TOPOLOGIES[0],
  }),
);

export const scenarioTarget = loaderTarget(
  'scenario',
  (rng) => textCase(rng, rng.pick(SCENARIOS), editYaml),
  (workDir) => {
    // beside a topology/ as in the project, so `topology: ../topology/classroom.yaml` resolves
    // (the scenario loader checks the scenario's hosts against its topology)
    fs.mkdirSync(path.join(workDir, 'scenarios'), { recursive: true });
    if (!fs.existsSync(path.join(workDir, 'topology'))) fs.symlinkSync(path.join(ROOT, 'topology'), path.join(workDir, 'topology'));
    const file = path.join(workDir, 'scenarios', 'fuzz-scenario.yaml');
    return {
      parse: (text) => {
        fs.writeFileSync(file, text);
        return loadScenario(file);
      },
      // a scenario naming a topology file with mistakes of its own gets that file's error
      expected: (err) => err instanceof ScenarioError || err instanceof TopologyError,
      valid: SCENARIOS[0],
    };
  },
);
