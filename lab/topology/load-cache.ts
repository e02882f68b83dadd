// What the loaders made of a scenario and its topology, kept from one start to the next, as
// Node's compile cache keeps the lab's modules compiled. Reading them takes the yaml package and
// zod (about 170 modules) and checking every rule: some 130 ms of each `npm run lab` before the
// first listener opens, for files that seldom change between two starts. A start whose files are
// all as they were takes the checked result from here, and neither package is loaded.
//
// An entry is used only when every file the loaders read (the scenario, the topology, each zone
// file) still has the same bytes, and the loaders' own code (lab/topology, lab/scenario) and
// Node's version are the same: anything edited is loaded and checked again, mistakes included
// (only a load that passed is kept). An entry holds the bytes of each file it was read from and
// compares them whole; the loaders' code is compared by a 64-bit FNV-1a hash of its bytes, which
// a start computes in about 1 ms (node:crypto's SHA-256 would load node:crypto: 2 MB of an idle
// lab's memory, for nothing else at start). Entries live in the OS's temp folder
// (mail-lab-load-cache/, beside Node's node-compile-cache/); LAB_LOAD_CACHE names another
// folder, or 0 turns this off. A cache that cannot be read or written is no cache: no error.
import { fs } from '../node-builtins.ts';
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
  format: 'mail-lab-load/3';
  /** what was asked, with the loaders' code version: the entry's file is named by its hash */
  key: string;
  /** each file read, with its bytes (as latin1: one character per byte) */
  files: Record<string, string>;
  loaded: T;
}

const LAB = path.resolve(import.meta.dirname, '..');

function folder(): string | undefined {
  const given = process.env.LAB_LOAD_CACHE;
  if (given === '0') return undefined;
  return given ? path.resolve(given) : path.join(os.tmpdir(), 'mail-lab-load-cache');
}

/**
 * FNV-1a, 64 bits, in four 16-bit limbs (JavaScript's numbers hold 53 bits): `seed` carries a
 * hash on over more bytes. As hex, most significant limb first.
 */
export function fnv1a64(bytes: Uint8Array | string, seed?: number[]): number[] {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  let [h0, h1, h2, h3] = seed ?? [0x2325, 0x8422, 0x9ce4, 0xcbf2];
  for (let i = 0; i < data.length; i++) {
    h0 ^= data[i];
    // times the FNV prime, 2^40 + 0x1b3: 0x1b3 per limb, and 2^40 is 2^8 two limbs up
    const t0 = h0 * 0x1b3;
    const c1 = h1 * 0x1b3 + (t0 >>> 16);
    const c2 = h2 * 0x1b3 + (c1 >>> 16) + (h0 << 8);
    const c3 = h3 * 0x1b3 + (c2 >>> 16) + (h1 << 8);
    h0 = t0 & 0xffff;
    h1 = c1 & 0xffff;
    h2 = c2 & 0xffff;
    h3 = c3 & 0xffff;
  }
  return [h0, h1, h2, h3];
}

const hex = (hash: number[]) => hash.map((limb) => limb.toString(16).padStart(4, '0')).reverse().join('');

/** The loaders' code: every module in lab/topology and lab/scenario, by name and bytes. */
function codeVersion(): string {
  let hash = fnv1a64(process.version);
  for (const dir of ['topology', 'scenario']) {
    for (const name of fs.readdirSync(path.join(LAB, dir)).filter((n) => n.endsWith('.ts')).sort()) {
      hash = fnv1a64(fs.readFileSync(path.join(LAB, dir, name)), fnv1a64(`${dir}/${name}\0`, hash));
    }
  }
  return hex(hash);
}

const entryKey = (key: unknown[]) => JSON.stringify([codeVersion(), process.cwd(), ...key]);
const entryFile = (dir: string, key: string) => path.join(dir, `${hex(fnv1a64(key))}.json`);

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
    const wanted = entryKey(key);
    const entry = JSON.parse(fs.readFileSync(entryFile(dir, wanted), 'utf8')) as Entry<T>;
    if (entry.format !== 'mail-lab-load/3' || entry.key !== wanted) return undefined;
    for (const [file, bytes] of Object.entries(entry.files)) if (fs.readFileSync(file, 'latin1') !== bytes) return undefined;
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
    const wanted = entryKey(key);
    const entry: Entry<T> = { format: 'mail-lab-load/3', key: wanted, files: Object.fromEntries(files.map((f) => [f, fs.readFileSync(f, 'latin1')])), loaded };
    fs.mkdirSync(dir, { recursive: true });
    const file = entryFile(dir, wanted);
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
 * kept here with the text (its file named by the text's hash), so a lesson's first hops need not load the package (about
 * 70 modules and 30 ms) on every start. Undefined when not kept or the cache is off.
 */
export function cachedLines(text: string): Record<string, number> | undefined {
  const dir = folder();
  if (!dir) return undefined;
  try {
    const entry = JSON.parse(fs.readFileSync(linesFile(dir, text), 'utf8')) as { format: string; text: string; lines: Record<string, number> };
    return entry.format === LINES_FORMAT && entry.text === text ? entry.lines : undefined;
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
    fs.writeFileSync(temp, JSON.stringify({ format: LINES_FORMAT, text, lines }));
    fs.renameSync(temp, file);
  } catch {
    // no cache this time
  }
}

const LINES_FORMAT = 'mail-lab-lines/2';
const linesFile = (dir: string, text: string) => path.join(dir, `lines-${hex(fnv1a64(`${LINES_FORMAT}\0${text}`))}.json`);
