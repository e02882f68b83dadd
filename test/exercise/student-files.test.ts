// A student's files are only read, and only inside the work folder: a zone path or a link that
// leads out is refused (with its line) before anything opens it, and the lab a check starts
// listens on loopback whatever the topology says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeEach, afterAll } from 'vitest';
import { resolveExercise } from '../../lab/exercise/load.ts';
import { resetWork } from '../../lab/exercise/work-folder.ts';
import { loadStudentTopology } from '../../lab/exercise/student-topology.ts';
import { checkExercise } from '../../lab/exercise/check-exercise.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-student-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const exercise = resolveExercise('1');
const dir = path.join(root, 'work');
const topologyFile = path.join(dir, 'topology.yaml');
const zonesLine = () => fs.readFileSync(topologyFile, 'utf8').split('\n').findIndex((l) => l.startsWith('  naver.com:')) + 1;
const setZone = (value: string) => fs.writeFileSync(topologyFile, fs.readFileSync(topologyFile, 'utf8').replace('naver.com: zones/naver.com.zone', `naver.com: ${value}`));

beforeEach(() => resetWork(exercise, dir));

describe('the student\'s files', () => {
  it('a zone file named by an absolute path is refused at its line, never read', () => {
    setZone('/etc/passwd');
    const loaded = loadStudentTopology(dir, 'topology.yaml');
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.message).toBe(`topology.yaml:${zonesLine()}: /etc/passwd is outside the work folder; write the zone file's path relative to topology.yaml, e.g. zones/naver.com.zone`);
  });

  it('a path that climbs out of the work folder is refused', () => {
    setZone('../../../../../../etc/passwd');
    const loaded = loadStudentTopology(dir, 'topology.yaml');
    expect(!loaded.ok && loaded.error.message).toMatch(/^topology\.yaml:\d+: \.\.\/\.\.\/.*etc\/passwd is outside the work folder/);
  });

  it('a link inside the work folder that leads out is refused', () => {
    fs.rmSync(path.join(dir, 'zones', 'naver.com.zone'));
    fs.symlinkSync('/etc/passwd', path.join(dir, 'zones', 'naver.com.zone'));
    const loaded = loadStudentTopology(dir, 'topology.yaml');
    expect(!loaded.ok && loaded.error.message).toBe(`topology.yaml:${zonesLine()}: zones/naver.com.zone leads outside the work folder (a link to /etc/passwd); put a real file there`);
  });

  it('the report of such a check says so and shows nothing of the file it names', async () => {
    setZone('/etc/passwd');
    const report = await checkExercise(exercise, dir, { student: 'test' });
    expect(report.checks[0].ok).toBe(false);
    expect(JSON.stringify(report)).not.toMatch(/root:x:0:0/);
    expect(report.checks[0].seen.en).toContain('is outside the work folder');
  });

  it('a missing zone file: where it was looked for', () => {
    fs.rmSync(path.join(dir, 'zones', 'naver.com.zone'));
    const loaded = loadStudentTopology(dir, 'topology.yaml');
    expect(!loaded.ok && loaded.error.message).toMatch(/^topology\.yaml:\d+: zones\/naver\.com\.zone not found in the work folder/);
  });

  it('the lab of a check listens on 127.0.0.1 with ports the OS chooses, whatever the file says', () => {
    fs.writeFileSync(topologyFile, fs.readFileSync(topologyFile, 'utf8').replace('listen: 127.0.0.1', 'listen: 0.0.0.0'));
    const loaded = loadStudentTopology(dir, 'topology.yaml');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.topology.listen).toBe('127.0.0.1');
    expect(loaded.topology.hosts.flatMap((h) => Object.values(h.services))).toEqual(expect.arrayContaining([0]));
    expect(loaded.topology.hosts.flatMap((h) => Object.values(h.services)).every((p) => p === 0)).toBe(true);
  });

  it('a lab too large for an exercise is refused', () => {
    const extra = Array.from({ length: 12 }, (_, i) => `  PC${i}:\n    address: 192.168.111.${10 + i}\n`).join('');
    fs.writeFileSync(topologyFile, `${fs.readFileSync(topologyFile, 'utf8')}${extra}`);
    const loaded = loadStudentTopology(dir, 'topology.yaml');
    expect(!loaded.ok && loaded.error.message).toMatch(/^topology\.yaml:\d+: 16 hosts; an exercise lab has at most 12$/);
  });

  it('the loader\'s own errors come with the file as the student knows it', () => {
    fs.writeFileSync(path.join(dir, 'zones', 'naver.com.zone'), fs.readFileSync(path.join(dir, 'zones', 'naver.com.zone'), 'utf8').replace('192.168.111.100\nns', '192.168.111.1000\nns'));
    const loaded = loadStudentTopology(dir, 'topology.yaml');
    expect(!loaded.ok && loaded.error.message).toBe('zones/naver.com.zone:9: "192.168.111.1000" is not an IPv4 address; write four numbers 0-255 separated by dots, e.g. "mail IN A 192.168.111.100"');
  });

  it('an answer sheet that is a link out is refused too', async () => {
    const six = resolveExercise('6');
    const sixDir = path.join(root, 'six');
    resetWork(six, sixDir);
    fs.rmSync(path.join(sixDir, 'answers.yaml'));
    fs.symlinkSync('/etc/hostname', path.join(sixDir, 'answers.yaml'));
    const report = await checkExercise(six, sixDir, { student: 'test' });
    expect(report.checks[1].seen.en).toMatch(/answers\.yaml leads outside the work folder/);
  });
});
