import fs from 'node:fs';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { scenarioSchema, type Scenario } from './schema.ts';
import { lineAt, explainIssue } from '../topology/yaml-lines.ts';
import { MAX_YAML_BYTES } from '../topology/load.ts';

export const SCENARIO_DIR = path.join(import.meta.dirname, '..', '..', 'scenarios');

export class ScenarioError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.file = file;
    this.line = line;
  }
}

/** The scenarios shipped in scenarios/, by name. */
export function listScenarios(dir = SCENARIO_DIR): { name: string; file: string; title: Scenario['title'] }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const scenario = loadScenario(path.join(dir, f));
      return { name: scenario.name, file: scenario.file, title: scenario.title };
    });
}

/** A scenario by name (kim-to-lee) or by path (my/scenario.yaml). */
export function resolveScenario(nameOrPath: string, dir = SCENARIO_DIR): string {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.includes('/')) return path.resolve(nameOrPath);
  const file = path.join(dir, `${nameOrPath}.yaml`);
  if (!fs.existsSync(file)) {
    const names = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    throw new Error(`no scenario named "${nameOrPath}"; write one of: ${names.join(', ')} (or the path of a .yaml file)`);
  }
  return file;
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(file, 0, `cannot read the scenario file (${(err as NodeJS.ErrnoException).code}); give a name from --list or the path of a .yaml file`);
  }
  // as for topologies (MAX_YAML_BYTES): a file far past any real one is refused before the yaml
  // package, whose duplicate-key check grows with the square of a map, spends seconds on it
  if (Buffer.byteLength(text) > MAX_YAML_BYTES) {
    throw new ScenarioError(file, 1, `the file is ${Buffer.byteLength(text)} bytes, more than a scenario ever needs (at most ${MAX_YAML_BYTES}); scenarios/kim-to-lee.yaml is about 1 KB`);
  }
  const counter = new LineCounter();
  // The yaml package throws (not reports) on some input: nesting deep enough to overflow its
  // parser's stack, an alias used before its anchor, too many aliases. Found by npm run fuzz.
  const yamlFailure = (err: unknown): ScenarioError =>
    new ScenarioError(file, 1, `YAML: ${err instanceof RangeError ? 'nested too deeply' : (err as Error).message.split('\n')[0]}; write plain keys and values, as scenarios/kim-to-lee.yaml does`);
  let doc: ReturnType<typeof parseDocument>;
  let plain: unknown;
  try {
    doc = parseDocument(text, { lineCounter: counter });
    plain = doc.errors.length ? undefined : doc.toJS();
  } catch (err) {
    throw yamlFailure(err);
  }
  if (doc.errors.length) {
    const err = doc.errors[0];
    throw new ScenarioError(file, err.linePos?.[0].line ?? 1, `YAML syntax: ${err.message.split('\n')[0]}`);
  }
  const parsed = scenarioSchema.safeParse(plain);
  if (!parsed.success) {
    // A union failure names no branch; point at the entry and list what an entry may be.
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    // An unknown key: point at the key itself, not at the object holding it.
    if (issue.code === 'unrecognized_keys') where.push(issue.keys[0]);
    let message = explainIssue(issue as Parameters<typeof explainIssue>[0], 'scenarios/kim-to-lee.yaml');
    if (issue.code === 'invalid_union') {
      const inner = deepestIssue(issue);
      const detail = inner ? ` (${inner.where ? `${inner.where}: ` : ''}${inner.message})` : '';
      const value = where.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], plain);
      if (value === undefined) message = 'missing; write a value, see scenarios/kim-to-lee.yaml';
      else if (where[0] === 'actions' && where.length === 2) message = `not an action${detail}; an action is one of send, fetch, wait, down, up, link-down, link-up, service-down, service-up, flush, as in scenarios/server-down-then-up.yaml`;
      else if (where[0] === 'expect' && where.length === 2) message = `not an expectation${detail}; an expectation is one of mailbox, queue, steps, asked, fetched, refused, event, as in scenarios/kim-to-lee.yaml`;
      else if (inner) message = `${inner.where ? `${inner.where}: ` : ''}${inner.message}`;
    }
    throw new ScenarioError(file, lineAt(doc, counter, where), `${where.join('.') || 'the file'}: ${message}`);
  }
  const lines = {
    actions: parsed.data.actions.map((_a, i) => lineAt(doc, counter, ['actions', i])),
    expect: parsed.data.expect.map((_e, i) => lineAt(doc, counter, ['expect', i])),
  };
  return { ...parsed.data, topology: path.resolve(path.dirname(file), parsed.data.topology), file, lines };
}

/** Of a union's alternatives, the one that got furthest: the branch whose key matched. */
function deepestIssue(issue: unknown): { where: string; message: string } | undefined {
  const errors = (issue as { errors?: { code: string; path: PropertyKey[]; message: string; keys?: string[] }[][] }).errors;
  if (!errors) return undefined;
  // A branch whose only complaint is an unknown key or a missing top-level key is not the one meant.
  const meant = errors.filter((list) => !list.some((e) => e.code === 'unrecognized_keys' || (e.path.length <= 1 && /received undefined/.test(e.message))));
  const first = meant.length === 1 ? meant[0][0] : undefined;
  if (!first) return undefined;
  return { where: first.path.map(String).join('.'), message: explainIssue(first, 'scenarios/kim-to-lee.yaml') };
}
