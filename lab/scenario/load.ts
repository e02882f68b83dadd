import { fs } from '../node-builtins.ts';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { scenarioSchema, type Scenario } from './schema.ts';
import { lineAt, explainIssueSaid, syntaxError, type Said } from '../topology/yaml-lines.ts';
import { loadTopology, MAX_YAML_BYTES } from '../topology/load.ts';
import type { Topology } from '../topology/types.ts';
import { josa } from '../trace/korean.ts';

export const SCENARIO_DIR = path.join(import.meta.dirname, '..', '..', 'scenarios');

/** A scenario error: the file, the line, what is wrong and what to write (`ko`: in Korean). */
export class ScenarioError extends Error {
  readonly file: string;
  readonly line: number;
  readonly ko: string;
  constructor(file: string, line: number, message: string | Said) {
    const said = typeof message === 'string' ? { en: message, ko: message } : message;
    super(`${file}:${line}: ${said.en}`);
    this.ko = `${file}:${line}: ${said.ko}`;
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
    const err = new Error(`no scenario named "${nameOrPath}"; write one of: ${names.join(', ')} (or the path of a .yaml file)`);
    throw Object.assign(err, { ko: `"${nameOrPath}"라는 시나리오가 없습니다. 다음 중 하나를 쓰세요: ${names.join(', ')} (또는 .yaml 파일의 경로)` });
  }
  return file;
}

/** Where in the file, as a teacher counts: "action 2 (wait)", "expectation 1 (mailbox)", from 1. */
function place(where: (string | number)[], data: unknown): Said {
  const [list, index, ...rest] = where;
  if ((list === 'actions' || list === 'expect') && typeof index === 'number') {
    const entry = (data as Record<string, unknown[]> | undefined)?.[list]?.[index];
    const kind = entry && typeof entry === 'object' ? Object.keys(entry)[0] : undefined;
    const tail = rest.length ? `: ${rest.join('.')}` : '';
    return list === 'actions'
      ? { en: `action ${index + 1}${kind ? ` (${kind})` : ''}${tail}`, ko: `동작 ${index + 1}${kind ? ` (${kind})` : ''}${tail}` }
      : { en: `expectation ${index + 1}${kind ? ` (${kind})` : ''}${tail}`, ko: `확인 항목 ${index + 1}${kind ? ` (${kind})` : ''}${tail}` };
  }
  const name = where.join('.');
  return { en: name || 'the file', ko: name || '파일' };
}

export function loadScenario(file: string, options: { topology?: Topology; files?: string[] } = {}): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
    options.files?.push(path.resolve(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, 0, { en: `cannot read the scenario file (${code}); give a name from --list or the path of a .yaml file`, ko: `시나리오 파일을 읽을 수 없습니다 (${code}). --list의 이름이나 .yaml 파일의 경로를 쓰세요` });
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
    const { line, said } = syntaxError(doc.errors[0], text, counter);
    throw new ScenarioError(file, line, said);
  }
  const js = plain;
  const parsed = scenarioSchema.safeParse(js);
  if (!parsed.success) {
    // A union failure names no branch; point at the entry and list what an entry may be.
    const issue = parsed.error.issues.find((i) => i.code === 'unrecognized_keys') ?? parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    const known = issue.code === 'unrecognized_keys' && where.length === 0 ? Object.keys(scenarioSchema.shape) : [];
    // An unknown key: point at the key itself, not at the object holding it.
    if (issue.code === 'unrecognized_keys') where.push(issue.keys[0]);
    const valueAt = (at: (string | number)[]) => at.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], js);
    let message = explainIssueSaid(issue as Parameters<typeof explainIssueSaid>[0], 'scenarios/kim-to-lee.yaml', known, valueAt(where));
    if (issue.code === 'invalid_union') {
      const inner = deepestIssue(issue, valueAt(where));
      const detail = inner ? { en: ` (${inner.where ? `${inner.where}: ` : ''}${inner.said.en})`, ko: ` (${inner.where ? `${inner.where}: ` : ''}${inner.said.ko})` } : { en: '', ko: '' };
      if (valueAt(where) === undefined) message = { en: 'missing; write a value, see scenarios/kim-to-lee.yaml', ko: '값이 없습니다. scenarios/kim-to-lee.yaml을 참고해 값을 쓰세요' };
      else if (where[0] === 'actions' && where.length === 2) {
        message = {
          en: `not an action${detail.en}; an action is one of send, fetch, wait, down, up, link-down, link-up, service-down, service-up, flush, as in scenarios/server-down-then-up.yaml`,
          ko: `동작이 아닙니다${detail.ko}. 동작은 send, fetch, wait, down, up, link-down, link-up, service-down, service-up, flush 중 하나입니다 (scenarios/server-down-then-up.yaml 참고)`,
        };
      } else if (where[0] === 'expect' && where.length === 2) {
        message = {
          en: `not an expectation${detail.en}; an expectation is one of mailbox, queue, steps, asked, fetched, refused, event, as in scenarios/kim-to-lee.yaml`,
          ko: `확인 항목이 아닙니다${detail.ko}. 확인 항목은 mailbox, queue, steps, asked, fetched, refused, event 중 하나입니다 (scenarios/kim-to-lee.yaml 참고)`,
        };
      } else if (inner) message = { en: `${inner.where ? `${inner.where}: ` : ''}${inner.said.en}`, ko: `${inner.where ? `${inner.where}: ` : ''}${inner.said.ko}` };
    }
    const at = place(where, js);
    throw new ScenarioError(file, lineAt(doc, counter, where), { en: `${at.en}: ${message.en}`, ko: `${at.ko}: ${message.ko}` });
  }
  const lines = {
    actions: parsed.data.actions.map((_a, i) => lineAt(doc, counter, ['actions', i])),
    expect: parsed.data.expect.map((_e, i) => lineAt(doc, counter, ['expect', i])),
  };
  const scenario: Scenario = { ...parsed.data, topology: path.resolve(path.dirname(file), parsed.data.topology), file, lines };
  if (!options.topology && !fs.existsSync(scenario.topology)) {
    const rel = parsed.data.topology;
    throw new ScenarioError(file, lineAt(doc, counter, ['topology']), {
      en: `topology: there is no file ${rel} (${scenario.topology}); give the topology file relative to this scenario, such as ../topology/classroom.yaml`,
      ko: `topology: ${rel} 파일이 없습니다 (${scenario.topology}). 이 시나리오 파일에서 본 설정 파일 경로를 ../topology/classroom.yaml처럼 쓰세요`,
    });
  }
  // a topology with mistakes of its own says so with its own file and line (TopologyError)
  checkScenarioHosts(scenario, options.topology ?? loadTopology(scenario.topology, { files: options.files }));
  return scenario;
}

/**
 * Every host a scenario names is in the topology it plays on: a typo is caught at load, with
 * its line, not half-way through the lesson.
 */
export function checkScenarioHosts(scenario: Scenario, topology: Topology): void {
  const names = topology.hosts.map((h) => h.name);
  const clients = topology.hosts.filter((h) => h.client).map((h) => h.name);
  const mail = topology.hosts.filter((h) => h.mail).map((h) => h.name);
  const check = (name: string | undefined, line: number, at: Said, allowed: string[], what: Said) => {
    if (name === undefined || name === 'outside' || allowed.includes(name)) return;
    const known = names.includes(name);
    throw new ScenarioError(scenario.file, line, {
      en: `${at.en}: ${known ? `${name} is not ${what.en}` : `no host "${name}" in ${path.basename(topology.file)}`}; write one of: ${allowed.join(', ')}`,
      ko: `${at.ko}: ${known ? `${name}${josa(name, '는')} ${what.ko}가 아닙니다` : `${path.basename(topology.file)}에 "${name}"라는 호스트가 없습니다`}. 다음 중 하나를 쓰세요: ${allowed.join(', ')}`,
    });
  };
  const any = { en: 'a host', ko: '호스트' };
  const pc = { en: 'a client PC', ko: '클라이언트 PC' };
  const server = { en: 'a mail server', ko: '메일 서버' };
  for (const [i, action] of scenario.actions.entries()) {
    const line = scenario.lines.actions[i];
    const at = (key: string): Said => ({ en: `action ${i + 1} (${key})`, ko: `동작 ${i + 1} (${key})` });
    if ('send' in action) {
      check(action.send.from, line, at('send'), clients, pc);
      check(action.send.server, line, at('send'), mail, server);
    } else if ('fetch' in action) check(action.fetch.client, line, at('fetch'), clients, pc);
    else if ('wait' in action) check(action.wait.host, line, at('wait'), names, any);
    else if ('down' in action) check(action.down, line, at('down'), names, any);
    else if ('up' in action) check(action.up, line, at('up'), names, any);
    else if ('flush' in action) check(action.flush, line, at('flush'), mail, server);
    else {
      const [key, pair] = Object.entries(action)[0] as [string, [string, string]];
      for (const name of pair.slice(0, key.startsWith('service') ? 1 : 2)) check(name, line, at(key), names, any);
    }
  }
  for (const [i, e] of scenario.expect.entries()) {
    const line = scenario.lines.expect[i];
    const [key, body] = Object.entries(e)[0] as [string, Record<string, unknown>];
    const at = { en: `expectation ${i + 1} (${key})`, ko: `확인 항목 ${i + 1} (${key})` };
    if (key === 'mailbox' || key === 'queue') check(body.host as string, line, at, mail, server);
    if (key === 'refused' || key === 'asked') check((body.host ?? body.by) as string | undefined, line, at, names, any);
    if (key === 'fetched') check(body.client as string, line, at, clients, pc);
  }
}

/** Of a union's alternatives, the one that got furthest: the branch whose key matched. */
function deepestIssue(issue: unknown, value: unknown): { where: string; said: Said } | undefined {
  const errors = (issue as { errors?: { code: string; path: PropertyKey[]; message: string; keys?: string[] }[][] }).errors;
  if (!errors) return undefined;
  // A branch whose only complaint is an unknown key or a missing top-level key is not the one meant.
  const meant = errors.filter((list) => !list.some((e) => e.code === 'unrecognized_keys' || (e.path.length <= 1 && /received undefined/.test(e.message))));
  const first = meant.length === 1 ? meant[0][0] : undefined;
  if (!first) return undefined;
  const inner = first.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], value);
  return { where: first.path.map(String).join('.'), said: explainIssueSaid(first, 'scenarios/kim-to-lee.yaml', [], inner) };
}
