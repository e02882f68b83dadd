// While `npm run lab` is up, real clients reach it: dig asks the name server, curl reads lee's
// letter by POP3; Ctrl-C then closes every socket and the lab exits cleanly.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';
import { startCli } from './cli-helpers.ts';

const run = promisify(execFile);
const has = async (cmd: string) => run('sh', ['-c', `command -v ${cmd}`]).then(() => true, () => false);
const hasDig = await has('dig');
const hasCurl = await has('curl');

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('a running lab', () => {
  it.skipIf(!hasDig || !hasCurl)(`answers dig and curl, then stops cleanly on Ctrl-C${!hasDig || !hasCurl ? ' (skipped: dig or curl is missing)' : ''}`, async () => {
    const lab = startCli(['--ports', 'auto', '--lang', 'en']);
    await lab.waitFor(/The lab is up\. Ctrl-C stops it\./);
    const dnsPort = Number(/Server +192\.168\.111\.100 .*DNS 53→(\d+)/.exec(lab.stdout)![1]);
    const pop3Port = Number(/Server +192\.168\.111\.100 .*POP3 110→(\d+)/.exec(lab.stdout)![1]);
    const smtpPort = Number(/Server-B +192\.168\.111\.200 .*SMTP 25→(\d+)/.exec(lab.stdout)![1]);
    // the address table's hints name the real ports
    expect(lab.stdout).toContain(`dig @127.0.0.1 -p ${dnsPort} naver.com MX`);
    expect(lab.stdout).toContain(`curl pop3://127.0.0.1:${pop3Port}/1 -u lee:1234`);

    for (const tcp of [[], ['+tcp']]) {
      const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(dnsPort), 'naver.com', 'MX', ...tcp]);
      expect(stdout).toMatch(/flags: qr aa/);
      expect(stdout).toMatch(/status: NOERROR/);
      expect(stdout).toMatch(/^naver\.com\.\s+10800\s+IN\s+MX\s+10 mail\.naver\.com\.$/m);
      expect(stdout).toMatch(/^mail\.naver\.com\.\s+10800\s+IN\s+A\s+192\.168\.111\.100$/m);
    }
    const { stdout: letter } = await run('curl', ['-s', `pop3://127.0.0.1:${pop3Port}/1`, '-u', 'lee:1234']);
    expect(letter).toMatch(/^Received: from mail\.daum\.net/m);
    expect(letter).toMatch(/^Subject: =\?UTF-8\?/m);

    lab.child.kill('SIGINT');
    // stopped by the user: 130, as a shell reports Ctrl-C
    expect(await lab.exited).toBe(130);
    expect(lab.stdout).toMatch(/Stopping the lab/);
    for (const port of [dnsPort, pop3Port, smtpPort]) expect(await refused(port)).toBe(true);
  });
});
