// On a Node.js older than 22.22, `npm run lab`, `npm run mailq` and `npm test` say so in one line
// and exit 1: tried for real with the machine's own older Node (/usr/bin/node), when it has one.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ROOT } from './cli-helpers.ts';

const OLD_NODE = '/usr/bin/node';
const oldVersion = fs.existsSync(OLD_NODE) ? spawnSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '') : '';
const [major, minor] = oldVersion.split('.').map(Number);
const tooOld = oldVersion !== '' && (major < 22 || (major === 22 && minor < 22));
const hasNpm = fs.existsSync('/usr/bin/npm');
const why = !tooOld ? ` (skipped: no Node.js older than 22.22 at ${OLD_NODE})` : !hasNpm ? ' (skipped: no npm at /usr/bin/npm)' : '';

describe.skipIf(!tooOld || !hasNpm)(`an older Node.js${why}`, () => {
  for (const script of ['lab', 'mailq', 'test']) {
    it(`npm run ${script}: one line, exit status 1, no stack trace`, () => {
      const run = spawnSync('/usr/bin/npm', ['run', '--silent', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin', LANG: 'C' } });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`mail-lab needs Node.js 22.22 or later (24 LTS recommended); this is ${oldVersion}.\n`);
      expect(run.stdout).toBe('');
    });
  }

  // lab/cli.ts is a link to lab/cli.js, plain JavaScript that any Node.js can read: it checks first
  it('node lab/cli.ts, with no -r: the same line', () => {
    const run = spawnSync(OLD_NODE, ['lab/cli.ts', '--exit'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`mail-lab needs Node.js 22.22 or later (24 LTS recommended); this is ${oldVersion}.\n`);
    expect(run.stdout).toBe('');
  });

  it('in Korean with LANG=ko_KR.UTF-8', () => {
    const run = spawnSync(OLD_NODE, ['-r', './lab/node-version.cjs', 'lab/cli.ts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LANG: 'ko_KR.UTF-8' } });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`mail-lab에는 Node.js 22.22 이상이 필요합니다 (24 LTS 권장). 지금은 ${oldVersion}입니다.\n`);
  });
});
