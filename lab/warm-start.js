// npm's postinstall (npm ci, npm install): the lab is started once, as `npm run lab -- --exit`
// plays the lesson, so that Node's compile cache (node-compile-cache in the OS's temp folder)
// and the lab's load cache (lab/topology/load-cache.ts) hold what a start needs before the
// class's first `npm run lab`. That first start then loads no TypeScript stripper and compiles
// nothing: about 250 ms instead of 450 to every listener on this machine class (the README's
// benchmarks). `node lab/cli.ts --help` puts lab/cli.ts itself (the entry by its other name) in
// the compile cache too. Nothing here can fail an install: a lab that cannot start (another Node,
// no loopback) is only not warmed, and `npm ci --ignore-scripts` skips it all.
// MAIL_LAB_WARM=0 skips it too.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..');

if (process.env.MAIL_LAB_WARM !== '0') {
  const run = (args, env = {}) =>
    spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', ...env } });
  // --ports auto: ports the OS chooses, and a temporary data folder (gone when it stops). The
  // first start reads the lesson afresh (LAB_LOAD_CACHE=0), so that the yaml package and zod are
  // compiled too, which a start whose files changed needs; the second keeps the checked lesson.
  const lesson = ['lab/cli.js', '--exit', '--web', 'off', '--ports', 'auto'];
  run(lesson, { LAB_LOAD_CACHE: '0' });
  run(lesson);
  run(['lab/cli.ts', '--help']);
}
