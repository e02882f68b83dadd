// A broken or hostile exercise file gets a clear error with its line; nothing outside the
// project can become a starting file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { loadExercise, listExercises, resolveExercise, ExerciseError } from '../../lab/exercise/load.ts';
import { DEFAULT_TOPOLOGY } from '../../lab/runtime/lab.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-exercise-files-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const GOOD = `title: { ko: 시험, en: a test }
task: { ko: 할 일, en: what to do }
start:
  topology.yaml: ${DEFAULT_TOPOLOGY}
edit: [topology.yaml]
checks:
  - title: { ko: 읽힌다, en: it loads }
    loads: {}
`;

function write(text: string, name = '99-test.yaml'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function errorOf(text: string, name?: string): ExerciseError {
  try {
    loadExercise(write(text, name));
  } catch (err) {
    expect(err).toBeInstanceOf(ExerciseError);
    return err as ExerciseError;
  }
  throw new Error('the file loaded');
}

describe('exercise files', () => {
  it('every shipped exercise loads, numbered by its file name, with a task in Korean and English', () => {
    const all = listExercises();
    expect(all.map((e) => e.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const e of all) {
      expect(e.task.ko.length).toBeGreaterThan(50);
      expect(e.task.en.length).toBeGreaterThan(50);
      expect(e.checks.every((c) => c.title.ko && c.title.en)).toBe(true);
    }
    expect(resolveExercise('2').name).toBe('02-mx-final-dot');
    expect(resolveExercise('backup-mx').number).toBe(7);
    expect(() => resolveExercise('42')).toThrow(/no exercise "42"; give a number or a name .*01-third-domain/);
  });

  it('a good file loads', () => {
    const e = loadExercise(write(GOOD));
    expect(e).toMatchObject({ number: 99, name: '99-test', topology: 'topology.yaml', retry: '1m*3', checkLines: [7] });
  });

  it('YAML syntax: the line', () => {
    const err = errorOf(GOOD.replace('edit: [topology.yaml]', 'edit: [topology.yaml'));
    expect(err.message).toMatch(/99-test\.yaml:\d+: YAML syntax: /);
  });

  it('an unknown key in a check: its line and what to check', () => {
    const err = errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    dsn: { name: naver.com, type: MX }\n`);
    expect(err.line).toBe(10);
    expect(err.message).toContain('checks.1.dsn: unknown key "dsn"');
  });

  it('a check with two kinds, or none', () => {
    expect(errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    loads: {}\n    queue: { host: Server, count: 0 }\n`).message).toMatch(/99-test\.yaml:9: checks\.1: has loads and queue; a check does one thing/);
    expect(errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    points: 2\n`).message).toMatch(/checks\.1: says nothing to check; give it one of loads, dns, send/);
  });

  it('a comma in a flow-map title: says to quote the text', () => {
    const err = errorOf(GOOD.replace('en: it loads', 'en: it loads, really'));
    expect(err.line).toBe(7);
    expect(err.message).toContain('"really" reads as a key: a comma inside { ko: ..., en: ... } ends the text there; put the text in quotes');
  });

  it('a starting file from outside the project is refused, with its line', () => {
    const err = errorOf(GOOD.replace(`topology.yaml: ${DEFAULT_TOPOLOGY}`, `topology.yaml: ${DEFAULT_TOPOLOGY}\n  zones/x.zone: /etc/passwd`));
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/starting file \/etc\/passwd is not a file inside the project/);
    const relative = errorOf(GOOD.replace(`topology.yaml: ${DEFAULT_TOPOLOGY}`, 'topology.yaml: ../../../../../../etc/hostname'));
    expect(relative.message).toMatch(/is not a file inside the project|not found/);
  });

  it('a work-folder path that climbs out, or starts at /, is refused', () => {
    for (const target of ['../escape.yaml', '/etc/cron.d/x', 'zones/../../x']) {
      const err = errorOf(GOOD.replace('  topology.yaml:', `  ${JSON.stringify(target)}:`));
      expect(err.line, target).toBe(4);
      expect(err.message).toContain('a relative path inside the work folder');
    }
  });

  it('letterOf must name an earlier deliver or send check', () => {
    const err = errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    mailbox: { host: Server, user: lee, letterOf: 1 }\n`);
    expect(err.message).toMatch(/99-test\.yaml:10: letterOf: 1 must name an earlier deliver or send check/);
  });

  it('from: outside needs a server; a client PC takes neither server nor auth', () => {
    expect(errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    send: { from: outside, to: lee@naver.com, expect: refused }\n`).message).toMatch(/:10: from: outside needs "server:"/);
    expect(errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    send: { from: WinClient, server: Server, to: lee@naver.com, expect: accepted }\n`).message).toMatch(/"server:" and "auth:" go with from: outside/);
  });

  it('an action that is not one: the list of actions', () => {
    const err = errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    before: [ { reboot: Server } ]\n    loads: {}\n`);
    expect(err.message).toMatch(/:10: checks\.1\.before\.0: not an action; an action is one of down, up, service-down/);
  });

  it('bounded: no alias bombs, no huge files, no endless waits, a proper name', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n${GOOD}`;
    expect(errorOf(bomb).message).toMatch(/99-test\.yaml:\d+: /);
    expect(errorOf(`${GOOD}# ${'x'.repeat(300 * 1024)}\n`).message).toMatch(/bytes; an exercise is at most/);
    expect(errorOf(`${GOOD}  - title: { ko: 둘, en: two }\n    mailbox: { host: Server, user: lee, timeout: 3600s }\n`).message).toMatch(/a time such as 500ms or 10s \(at most 99s\)/);
    expect(errorOf(GOOD, 'test.yaml').message).toMatch(/an exercise file is named NN-name\.yaml/);
  });
});
