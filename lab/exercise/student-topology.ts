// The student's topology, loaded for a check: every zone file it names must lie inside the work
// folder (checked before the loader opens it), the lab is bounded in size, and it listens only
// on 127.0.0.1 with ports the OS chooses, whatever the file says.
import path from 'node:path';
import { parseDocument, LineCounter, isMap, isScalar } from 'yaml';
import { parseTopology, TopologyError } from '../topology/load.ts';
import { ZoneFileError } from '../topology/zone-file.ts';
import type { Topology } from '../topology/types.ts';
import { insideWork, readStudentFile, StudentFileError } from './work-folder.ts';

const MAX_HOSTS = 12;
const MAX_ZONES = 12;

export type Loaded = { ok: true; topology: Topology } | { ok: false; error: StudentFileError };

export function loadStudentTopology(dir: string, topologyFile: string): Loaded {
  try {
    const text = readStudentFile(dir, topologyFile);
    const full = path.join(dir, topologyFile);
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
    const lineOf = (range?: [number, number, number]) => (range ? counter.linePos(range[0]).line : 1);
    if (!doc.errors.length) {
      const zones = doc.get('zones', true);
      if (isMap(zones)) {
        if (zones.items.length > MAX_ZONES) throw new StudentFileError(topologyFile, lineOf(zones.range ?? undefined), `${zones.items.length} zones; an exercise lab has at most ${MAX_ZONES}`);
        for (const pair of zones.items) {
          if (!isScalar(pair.value) || typeof pair.value.value !== 'string') continue; // the loader says what is wrong
          const zonePath = path.join(path.dirname(topologyFile), pair.value.value);
          if (path.isAbsolute(pair.value.value)) throw new StudentFileError(topologyFile, lineOf(pair.value.range ?? undefined), `${pair.value.value} is outside the work folder; write the zone file's path relative to ${topologyFile}, e.g. zones/${String((pair.key as { value?: unknown })?.value ?? 'naver.com')}.zone`);
          insideWork(dir, zonePath, { file: topologyFile, line: lineOf(pair.value.range ?? undefined) });
        }
      }
      const hosts = doc.get('hosts', true);
      if (isMap(hosts) && hosts.items.length > MAX_HOSTS) throw new StudentFileError(topologyFile, lineOf(hosts.range ?? undefined), `${hosts.items.length} hosts; an exercise lab has at most ${MAX_HOSTS}`);
    }
    const topology = parseTopology(text, full, { ports: 'auto' });
    // wherever the file says to listen, a check listens on loopback only
    topology.listen = '127.0.0.1';
    return { ok: true, topology };
  } catch (err) {
    if (err instanceof StudentFileError) return { ok: false, error: err };
    if (err instanceof TopologyError || err instanceof ZoneFileError) {
      const message = err.message.slice(err.message.indexOf(': ', `${err.file}:${err.line}`.length) + 2);
      return { ok: false, error: new StudentFileError(shown(dir, err.file), err.line, message) };
    }
    throw err;
  }
}

/** A path as the student knows it: relative to the work folder. */
function shown(dir: string, file: string): string {
  const rel = path.relative(dir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}
