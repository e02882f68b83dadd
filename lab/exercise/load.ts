// Exercise files: found by number or name in exercises/, validated with the line of every error.
import { fs } from '../node-builtins.ts';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { lineAt, explainIssue } from '../topology/yaml-lines.ts';
import { exerciseSchema, type ExerciseFile } from './schema.ts';
import { FileLineError } from '../topology/file-line-error.ts';

export const PROJECT = path.resolve(import.meta.dirname, '..', '..');
export const EXERCISE_DIR = path.join(PROJECT, 'exercises');
/** an exercise file is small; anything larger is not one */
const MAX_EXERCISE_BYTES = 256 * 1024;

/** A mistake in an exercise file (exercises/NN-name.yaml), with its line. */
export class ExerciseError extends FileLineError {}

export interface Exercise extends ExerciseFile {
  /** 1 for exercises/01-third-domain.yaml */
  number: number;
  /** 01-third-domain: also the work folder's name */
  name: string;
  file: string;
  /** the start files' sources, absolute, checked to lie inside the project */
  sources: Record<string, string>;
  /** the line of each check in the file */
  checkLines: number[];
}

const FILE_NAME = /^(\d{2})-([a-z0-9-]+)\.yaml$/;

export function listExercises(dir = EXERCISE_DIR): Exercise[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => FILE_NAME.test(f)).sort().map((f) => loadExercise(path.join(dir, f)));
}

/** An exercise by number (1, 01), by name (third-domain, 01-third-domain) or by path. */
export function resolveExercise(which: string, dir = EXERCISE_DIR): Exercise {
  if (which.endsWith('.yaml')) return loadExercise(path.resolve(which));
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => FILE_NAME.test(f)).sort() : [];
  const wanted = which.toLowerCase();
  const found = files.find((f) => {
    const [, n, name] = FILE_NAME.exec(f)!;
    return (/^\d+$/.test(wanted) && Number(n) === Number(wanted)) || name === wanted || `${n}-${name}` === wanted;
  });
  if (!found) {
    const names = files.map((f) => f.replace(/\.yaml$/, '')).join(', ') || '(none)';
    throw new ExerciseError(dir, 0, `no exercise "${which}"; give a number or a name from "npm run exercise -- list": ${names}`);
  }
  return loadExercise(path.join(dir, found));
}

export function loadExercise(file: string): Exercise {
  const base = path.basename(file);
  const named = FILE_NAME.exec(base);
  if (!named) throw new ExerciseError(file, 0, `an exercise file is named NN-name.yaml (two digits, a dash, lower-case words), e.g. 01-third-domain.yaml; rename ${base}`);
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
    if (stat.size > MAX_EXERCISE_BYTES) throw new ExerciseError(file, 0, `the file is ${stat.size} bytes; an exercise is at most ${MAX_EXERCISE_BYTES} (put long texts in the starting files)`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ExerciseError) throw err;
    throw new ExerciseError(file, 0, `cannot read the exercise file (${(err as NodeJS.ErrnoException).code}); give the path of a .yaml file in exercises/`);
  }
  const counter = new LineCounter();
  // maxAliasCount bounds "billion laughs" aliases; the file is data, no custom tags
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const err = doc.errors[0];
    throw new ExerciseError(file, err.linePos?.[0].line ?? counter.linePos(err.pos[0]).line, `YAML syntax: ${err.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw new ExerciseError(file, 1, `${(err as Error).message}; write the values out instead of repeating aliases`);
  }
  const parsed = exerciseSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
    if (issue.code === 'unrecognized_keys') where.push(issue.keys[0]);
    const inText = issue.code === 'unrecognized_keys' && where.some((k) => k === 'title' || k === 'hint' || k === 'task');
    const message = inText
      ? `"${issue.keys[0]}" reads as a key: a comma inside { ko: ..., en: ... } ends the text there; put the text in quotes, e.g. en: "first part, second part"`
      : issue.code === 'invalid_key'
        ? `the name ${JSON.stringify(where[where.length - 1])} should be ${((issue as { issues?: { message: string }[] }).issues?.[0]?.message ?? 'is not allowed here').replace(/^Invalid string: must match pattern .*$/, 'is not allowed')}`
        : issue.code === 'invalid_union' && (where.includes('before') || where.includes('after'))
      ? 'not an action; an action is one of down, up, service-down, service-up, link-down, link-up, flush (e.g. "- service-down: [Server, dns]")'
      : explainIssue(issue as Parameters<typeof explainIssue>[0], 'exercises/01-third-domain.yaml');
    throw new ExerciseError(file, lineAt(doc, counter, where), `${where.join('.') || 'the file'}: ${message}`);
  }
  const exercise = parsed.data;
  const lineOf = (at: (string | number)[]) => lineAt(doc, counter, at);
  const sources: Record<string, string> = {};
  for (const [target, source] of Object.entries(exercise.start)) {
    sources[target] = startSource(file, source, lineOf(['start', target]));
  }
  for (const [i, check] of exercise.checks.entries()) {
    const sends = check.send ?? check.deliver;
    const kind = check.send ? 'send' : 'deliver';
    if (sends?.from === 'outside' && !sends.server) throw new ExerciseError(file, lineOf(['checks', i, kind, 'from']), `from: outside needs "server:", the mail server the outside program talks to (e.g. server: Server-B)`);
    if (sends && sends.from !== 'outside' && (sends.auth || sends.server)) throw new ExerciseError(file, lineOf(['checks', i, kind, sends.auth ? 'auth' : 'server']), `a client PC (${sends.from}) sends through its own mail server without AUTH; "server:" and "auth:" go with from: outside`);
    const letterOf = check.mailbox?.letterOf;
    if (letterOf !== undefined && (letterOf > i || !(exercise.checks[letterOf - 1]?.deliver || exercise.checks[letterOf - 1]?.send))) {
      throw new ExerciseError(file, lineOf(['checks', i, 'mailbox', 'letterOf']), `letterOf: ${letterOf} must name an earlier deliver or send check (checks are numbered from 1)`);
    }
  }
  return {
    ...exercise,
    number: Number(named[1]),
    name: `${named[1]}-${named[2]}`,
    file,
    sources,
    checkLines: exercise.checks.map((_c, i) => lineOf(['checks', i])),
  };
}

/** A starting file must be a file of the project (exercises/, topology/): never /etc/shadow. */
function startSource(exerciseFile: string, source: string, line: number): string {
  const full = path.resolve(path.dirname(exerciseFile), source);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch {
    throw new ExerciseError(exerciseFile, line, `starting file ${source} not found (looked at ${full}); give a path relative to the exercise file, e.g. ../topology/classroom.yaml`);
  }
  const root = fs.realpathSync(PROJECT);
  const rel = path.relative(root, real);
  if (rel.startsWith('..') || path.isAbsolute(rel) || !fs.statSync(real).isFile()) {
    throw new ExerciseError(exerciseFile, line, `starting file ${source} is not a file inside the project (${root}); starting files come from exercises/ or topology/`);
  }
  return real;
}
