import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCli } from '../cli/cli-helpers.ts';

/** `npm run lab` with the page on an OS-chosen port and a data folder of its own. */
export async function startWebLab(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-web-'));
  const cli = startCli(['--ports', 'auto', '--data', data, ...args], env);
  const found = await cli.waitFor(/(?:web|웹 화면): (http:\/\/\S+)/);
  return {
    cli,
    data,
    url: found[1],
    async stop() {
      cli.child.kill('SIGINT');
      await cli.exited;
      fs.rmSync(data, { recursive: true, force: true });
    },
  };
}
