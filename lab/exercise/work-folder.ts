// A student's work folder (work/01-third-domain/): made by `start`, read by `check`. The files in
// it are only ever read, as YAML and zone text, and only inside the folder: a path that leads out
// (../../etc/shadow, /etc/passwd, a symbolic link) is refused before anything opens it.
import { fs } from '../node-builtins.ts';
import path from 'node:path';
import type { Exercise } from './load.ts';
import { FileLineError } from '../topology/file-line-error.ts';

/** a student's file is small: a topology, a zone, an answer sheet */
export const MAX_STUDENT_FILE = 256 * 1024;

/** Where `npm run exercise` puts work folders: ./work, where npm was started (INIT_CWD). */
export function defaultWorkRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), 'work');
}

export function workFolder(exercise: Exercise, root: string): string {
  return path.join(root, exercise.name);
}

/** Copy the starting files; an existing folder is kept (reset starts over). Returns false if it was there. */
export function startWork(exercise: Exercise, dir: string): boolean {
  if (fs.existsSync(dir)) return false;
  copyStart(exercise, dir);
  return true;
}

/** Remove the work folder and copy the starting files again. */
export function resetWork(exercise: Exercise, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  copyStart(exercise, dir);
}

function copyStart(exercise: Exercise, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [target, source] of Object.entries(exercise.sources)) {
    const to = path.join(dir, target);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(source, to);
  }
}

/** A problem with a student's file; `file` is as the student knows it, relative to the work folder. */
export class StudentFileError extends FileLineError {}

/**
 * The real path of a file the student's files name, if it lies inside the work folder and is a
 * plain file of a sensible size; otherwise a StudentFileError that says why.
 */
export function insideWork(dir: string, relative: string, named: { file: string; line: number }): string {
  const root = fs.realpathSync(dir);
  const full = path.resolve(root, relative);
  const escapes = (p: string) => {
    const rel = path.relative(root, p);
    return rel === '' || rel.startsWith('..') || path.isAbsolute(rel);
  };
  if (escapes(full)) throw new StudentFileError(named.file, named.line, `${relative} is outside the work folder; name a file inside it, e.g. zones/naver.com.zone`);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch {
    throw new StudentFileError(named.file, named.line, `${relative} not found in the work folder (${dir}); create it there, or fix the path`);
  }
  if (escapes(real)) throw new StudentFileError(named.file, named.line, `${relative} leads outside the work folder (a link to ${real}); put a real file there`);
  const stat = fs.statSync(real);
  if (!stat.isFile()) throw new StudentFileError(named.file, named.line, `${relative} is not a file`);
  if (stat.size > MAX_STUDENT_FILE) throw new StudentFileError(named.file, named.line, `${relative} is ${stat.size} bytes; a lab file is at most ${MAX_STUDENT_FILE}`);
  return real;
}

/** Read a file of the work folder as text (inside it, bounded). */
export function readStudentFile(dir: string, relative: string): string {
  return fs.readFileSync(insideWork(dir, relative, { file: relative, line: 0 }), 'utf8');
}
