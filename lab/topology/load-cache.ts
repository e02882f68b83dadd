// What the loaders made of a scenario and its topology, kept from one start to the next, as
// Node's compile cache keeps the lab's modules compiled. Reading them takes the yaml package and
// zod (about 170 modules) and checking every rule: some 130 ms of each `npm run lab` before the
// first listener opens, for files that seldom change between two starts. A start whose files are
// all as they were takes the checked result from here, and neither package is loaded.
//
// An entry is used only when every file the loaders read (the scenario, the topology, each zone
// file) still has the same bytes, and the loaders' own code (lab/topology, lab/scenario) and
// Node's version are the same: anything edited is loaded and checked again, mistakes included
// (only a load that passed is kept). Entries live in the OS's temp folder
// (mail-lab-load-cache/, beside Node's node-compile-cache/); LAB_LOAD_CACHE names another
// folder, or 0 turns this off. A cache that cannot be read or written is no cache: no error.
import { crypto, fs } from '../node-builtins.ts';
import os from 'node:os';
import path from 'node:path';
import type { Scenario } from '../scenario/schema.ts';
import type { Topology } from './types.ts';

/** What the CLI asked to load: the same request and the same files give the same result. */
export interface LessonRequest {
  /** --scenario as given (a name or a path); the default, kim-to-lee */
  scenario: string;
  /** --topology, resolved, when given */
  topology?: string;
  ports: 'fixed' | 'auto';
}

export interface LoadedLesson {
  scenario: Scenario;
  topology: Topology;
}

interface Entry<T> {
  format: 'mail-lab-load/2';
  /** each file read, with the SHA-256 of its bytes */
  files: Record<string, string>;
  loaded: T;
}

const LAB = path.resolve(import.meta.dirname, '..');

function folder(): string | undefined {
  const given = process.env.LAB_LOAD_CACHE;
  if (given === '0') return undefined;
  return given ? path.resolve(given) : path.join(os.tmpdir(), 'mail-lab-load-cache');
}

const sha256 = (bytes: Buffer | string) => crypto.createHash('sha256').update(bytes).digest('hex');

/** The loaders' code: every module in lab/topology and lab/scenario, by name and bytes. */
function codeVersion(): string {
  const hash = crypto.createHash('sha256').update(process.version);
  for (const dir of ['topology', 'scenario']) {
    for (const name of fs.readdirSync(path.join(LAB, dir)).filter((n) => n.endsWith('.ts')).sort()) {
      hash.update(`${dir}/${name}\0`).update(fs.readFileSync(path.join(LAB, dir, name)));
    }
  }
  return hash.digest('hex');
}

function entryFile(dir: string, key: unknown[]): string {
  const hash = sha256(JSON.stringify([codeVersion(), process.cwd(), ...key]));
  return path.join(dir, `${hash.slice(0, 32)}.json`);
}

const lessonKey = (request: LessonRequest) => [request.scenario, request.topology ?? null, request.ports];
/** startLab({ topology: file }) with no scenario: the topology alone */
const topologyKey = (file: string, ports: 'fixed' | 'auto') => ['topology only', file, ports];

/** The lesson as loaded and checked by an earlier start, if nothing it was read from has changed. */
export function cachedLesson(request: LessonRequest): LoadedLesson | undefined {
  return cached<LoadedLesson>(lessonKey(request));
}

/**
 * Keep a lesson that loaded and passed every check, with the files it was read from. Not kept
 * when a file was written since a second before the load began (`loadStarted`, ms since the
 * epoch): its bytes now may not be the ones the loader read.
 */
export function keepLesson(request: LessonRequest, files: string[], lesson: LoadedLesson, loadStarted: number): void {
  keep(lessonKey(request), files, lesson, loadStarted);
}

/** A topology file (and its zone files) as loaded and checked by an earlier startLab(), if unchanged. */
export function cachedTopology(file: string, ports: 'fixed' | 'auto'): Topology | undefined {
  return cached<Topology>(topologyKey(file, ports));
}

export function keepTopology(file: string, ports: 'fixed' | 'auto', files: string[], topology: Topology, loadStarted: number): void {
  keep(topologyKey(file, ports), files, topology, loadStarted);
}

function cached<T>(key: unknown[]): T | undefined {
  const dir = folder();
  if (!dir) return undefined;
  try {
    const entry = JSON.parse(fs.readFileSync(entryFile(dir, key), 'utf8')) as Entry<T>;
    if (entry.format !== 'mail-lab-load/2') return undefined;
    for (const [file, hash] of Object.entries(entry.files)) if (sha256(fs.readFileSync(file)) !== hash) return undefined;
    return entry.loaded;
  } catch {
    return undefined;
  }
}

function keep<T>(key: unknown[], files: string[], loaded: T, loadStarted: number): void {
  const dir = folder();
  if (!dir || files.length === 0) return;
  try {
    if (files.some((f) => fs.statSync(f).mtimeMs > loadStarted - 1000)) return;
    const entry: Entry<T> = { format: 'mail-lab-load/2', files: Object.fromEntries(files.map((f) => [f, sha256(fs.readFileSync(f))])), loaded };
    fs.mkdirSync(dir, { recursive: true });
    const file = entryFile(dir, key);
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(entry));
    fs.renameSync(temp, file);
  } catch {
    // no cache this time
  }
}

/**
 * Where each setting of a YAML file is, as "path -> line" (lab/host/config-refs.ts, which names
 * the line that decided a hop): worked out with the yaml package once per file content, then
 * kept here by the SHA-256 of the text, so a lesson's first hops need not load the package (about
 * 70 modules and 30 ms) on every start. Undefined when not kept or the cache is off.
 */
export function cachedLines(text: string): Record<string, number> | undefined {
  const dir = folder();
  if (!dir) return undefined;
  try {
    const entry = JSON.parse(fs.readFileSync(linesFile(dir, text), 'utf8')) as { format: string; lines: Record<string, number> };
    return entry.format === LINES_FORMAT ? entry.lines : undefined;
  } catch {
    return undefined;
  }
}

export function keepLines(text: string, lines: Record<string, number>): void {
  const dir = folder();
  if (!dir) return;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const file = linesFile(dir, text);
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ format: LINES_FORMAT, lines }));
    fs.renameSync(temp, file);
  } catch {
    // no cache this time
  }
}

const LINES_FORMAT = 'mail-lab-lines/1';
const linesFile = (dir: string, text: string) => path.join(dir, `lines-${sha256(`${LINES_FORMAT}\0${text}`).slice(0, 32)}.json`);
