// `npm run lab -- --export-config DIR`, checked by the real tools that check them on Ubuntu:
// named-checkconf -z, named-checkzone, doveconf -n, m4 with sendmail-cf, makemap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { loadTopology } from '../../lab/topology/load.ts';
import { DEFAULT_TOPOLOGY } from '../../lab/runtime/lab.ts';
import { exportConfig } from '../../lab/export/export-config.ts';
import { runCli } from '../cli/cli-helpers.ts';
import { CF_M4, doveconf, hasSendmailCf, m4, makemap, namedCheckconf, namedCheckzone, run } from './real-tools.ts';

let dir: string;
let out: string;
const read = (file: string) => fs.readFileSync(path.join(out, file), 'utf8');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-export-'));
  out = path.join(dir, 'export');
  await exportConfig(loadTopology(DEFAULT_TOPOLOGY), out, 'en');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** named.conf.local with /etc/bind/ pointing into the export, included from a named.conf of the test's own. */
function namedConf(host: string): string {
  const local = read(`${host}/etc/bind/named.conf.local`).replaceAll('"/etc/bind/', `"${path.join(out, host, 'etc', 'bind')}/`);
  const check = path.join(dir, `named-${host}`);
  fs.mkdirSync(check, { recursive: true });
  fs.writeFileSync(path.join(check, 'named.conf.local'), local);
  fs.writeFileSync(path.join(check, 'named.conf'), `options { directory "${check}"; };\ninclude "${path.join(check, 'named.conf.local')}";\n`);
  return path.join(check, 'named.conf');
}

describe('the export', () => {
  it('writes each host\'s files at their real paths, with a README in Korean and English', () => {
    for (const file of ['etc/hostname', 'etc/hosts', 'etc/bind/named.conf.local', 'etc/bind/naver.com.db', 'etc/bind/daum.net.db', 'etc/mail/local-host-names', 'etc/mail/access', 'etc/mail/sendmail.mc', 'etc/procmailrc', 'etc/dovecot/local.conf', 'accounts.sh', 'README.ko.md', 'README.en.md']) {
      expect(fs.existsSync(path.join(out, 'Server', file)), file).toBe(true);
    }
    expect(fs.existsSync(path.join(out, 'Server-B', 'etc', 'bind'))).toBe(false);
    expect(read('Server/etc/hostname')).toBe('mail.naver.com\n');
    expect(read('Server/etc/hosts')).toMatch(/^192\.168\.111\.200\tmail\.daum\.net$/m);
    expect(read('Server/etc/mail/access')).toMatch(/^Connect:192\.168\.111\tRELAY$/m);
    expect(read('Server/etc/mail/local-host-names')).toMatch(/^naver\.com$/m);
    expect(read('Server/etc/mail/sendmail.mc')).toContain("DAEMON_OPTIONS(`Family=inet,  Name=MTA-v4, Port=smtp, Addr=0.0.0.0')dnl");
    expect(read('Server/etc/dovecot/local.conf')).toMatch(/^mail_location = maildir:~\/Maildir$/m);
    // the zone files are the lab's, byte for byte, so line numbers in the trace hold on the real machine
    expect(read('Server/etc/bind/naver.com.db')).toBe(fs.readFileSync(path.join(path.dirname(DEFAULT_TOPOLOGY), 'zones', 'naver.com.zone'), 'utf8'));
    const ko = read('Server/README.ko.md');
    for (const command of ['sudo apt -y install sendmail', 'm4 sendmail.mc > sendmail.cf', 'makemap hash access < access', 'systemctl restart sendmail', 'sudo apt -y install bind9 bind9utils', 'sudo systemctl restart dovecot', 'sudo sh accounts.sh']) {
      expect(ko, command).toContain(command);
    }
    expect(ko).toContain('센드메일 서비스');
    expect(read('Server/README.en.md')).toContain('The sendmail service');
    expect(read('Client/README.ko.md')).toMatch(/받는 메일 서버.*POP3.*110/);
  });

  it.skipIf(!namedCheckconf)('named-checkconf -z loads every zone of named.conf.local (skipped: no named-checkconf; apt-get install bind9-utils)', () => {
    const result = run(namedCheckconf!, ['-z', namedConf('Server')]);
    expect(result.stderr + result.stdout).toMatch(/zone naver\.com\/IN: loaded serial 2/);
    expect(result.stdout).toMatch(/zone daum\.net\/IN: loaded serial 2/);
    expect(result.status).toBe(0);
  });

  it.skipIf(!namedCheckconf)('named-checkconf -z refuses a zone BIND cannot load (the check can fail)', () => {
    const conf = namedConf('Server');
    const zone = path.join(out, 'Server', 'etc', 'bind', 'daum.net.db');
    const good = fs.readFileSync(zone, 'utf8');
    try {
      fs.writeFileSync(zone, good.replace(' )', ''));
      const result = run(namedCheckconf!, ['-z', conf]);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toMatch(/daum\.net/);
    } finally {
      fs.writeFileSync(zone, good);
    }
  });

  it.skipIf(!namedCheckzone)('named-checkzone accepts each exported zone file (skipped: no named-checkzone)', () => {
    for (const zone of ['naver.com', 'daum.net']) {
      const result = run(namedCheckzone!, [zone, path.join(out, 'Server', 'etc', 'bind', `${zone}.db`)]);
      expect(result.stdout).toMatch(/^OK$/m);
      expect(result.status).toBe(0);
    }
  });

  it.skipIf(!doveconf)('doveconf -n -c reads local.conf with the lesson\'s settings (skipped: no doveconf; apt-get install dovecot-core)', () => {
    for (const host of ['Server', 'Server-B']) {
      const result = run(doveconf!, ['-n', '-c', path.join(out, host, 'etc', 'dovecot', 'local.conf')]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^protocols = pop3 imap$/m);
      expect(result.stdout).toMatch(/^disable_plaintext_auth = no$/m);
      expect(result.stdout).toMatch(/^mail_location = maildir:~\/Maildir$/m);
    }
    const broken = path.join(dir, 'broken-dovecot.conf');
    fs.writeFileSync(broken, read('Server/etc/dovecot/local.conf').replace('disable_plaintext_auth = no', 'disable_plaintext_auth = maybe'));
    expect(run(doveconf!, ['-n', '-c', broken]).status).not.toBe(0);
  });

  describe.skipIf(!m4 || !hasSendmailCf)(`m4 sendmail.mc > sendmail.cf with Debian's sendmail-cf (skipped: no m4 or no ${CF_M4}; apt-get install sendmail-cf)`, () => {
    let cf: string;
    let work: string;
    beforeAll(() => {
      // /etc/mail/m4/dialup.m4 and provider.m4 are written by sendmail-base's install: empty stand-ins here
      work = path.join(dir, 'sendmail-Server');
      fs.mkdirSync(work, { recursive: true });
      for (const f of ['dialup.m4', 'provider.m4']) fs.writeFileSync(path.join(work, f), '');
      fs.writeFileSync(path.join(work, 'sendmail.mc'), read('Server/etc/mail/sendmail.mc').replaceAll('/etc/mail/m4/', `${work}/`));
      const result = run(m4!, ['sendmail.mc'], { cwd: work });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      cf = result.stdout;
      fs.writeFileSync(path.join(work, 'sendmail.cf'), cf);
    });

    it('gives a sendmail.cf listening on 0.0.0.0, reading local-host-names and access, delivering with procmail', () => {
      expect(cf).toMatch(/^O DaemonPortOptions=Family=inet, +Name=MTA-v4, Port=smtp, Addr=0\.0\.0\.0$/m);
      expect(cf).toMatch(/^Fw\/etc\/mail\/local-host-names/m);
      expect(cf).toMatch(/^Kaccess hash .*\/etc\/mail\/access/m);
      expect(cf).toMatch(/^Mlocal,\s+P=\/usr\/bin\/procmail/m);
      expect(cf).toMatch(/^C\{TrustAuthMech\}LOGIN PLAIN$/m);
    });

    it.skipIf(!makemap)('makemap hash access < access builds the access database sendmail reads (skipped: makemap not found; .ci/run unpacks sendmail-bin)', () => {
      fs.copyFileSync(path.join(out, 'Server', 'etc', 'mail', 'access'), path.join(work, 'access'));
      const made = run(makemap!, ['-C', path.join(work, 'sendmail.cf'), 'hash', 'access'], { cwd: work, input: fs.readFileSync(path.join(work, 'access'), 'utf8') });
      expect(made.status).toBe(0);
      const dump = run(makemap!, ['-C', path.join(work, 'sendmail.cf'), '-u', 'hash', 'access'], { cwd: work });
      expect(dump.status).toBe(0);
      expect(dump.stdout).toMatch(/^connect:192\.168\.111\tRELAY$/m);
    });
  });

  it('accounts.sh hands every value to the commands as it is, a hostile password included', async () => {
    const topologyFile = path.join(dir, 'hostile.yaml');
    const password = `'; touch ${dir}/pwned #$(touch ${dir}/pwned2)`;
    const users = `lee: { password: ${JSON.stringify(password)}, name: ${JSON.stringify("Lee's `name`")} }\n        park: { password: ${JSON.stringify('a\nroot:owned')} }`;
    const classroom = fs.readFileSync(DEFAULT_TOPOLOGY, 'utf8').replace(/lee: \{ password: "1234".*$/m, users);
    fs.writeFileSync(topologyFile, classroom);
    fs.cpSync(path.join(path.dirname(DEFAULT_TOPOLOGY), 'zones'), path.join(dir, 'zones'), { recursive: true });
    const hostile = path.join(dir, 'hostile-export');
    await exportConfig(loadTopology(topologyFile), hostile, 'en');
    // stand-ins for id, getent, useradd, chpasswd and install that write down what they were given
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const log = path.join(dir, 'calls.log');
    for (const command of ['useradd', 'chpasswd', 'install']) {
      fs.writeFileSync(path.join(bin, command), `#!/bin/sh\nprintf '%s' "${command}" >> ${log}\nfor a in "$@"; do printf ' [%s]' "$a" >> ${log}; done\n[ "${command}" = chpasswd ] && { printf ' <' >> ${log}; cat >> ${log}; printf '>' >> ${log}; }\necho >> ${log}\n`, { mode: 0o755 });
    }
    for (const command of ['id', 'getent']) fs.writeFileSync(path.join(bin, command), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const result = run('/bin/sh', [path.join(hostile, 'Server', 'accounts.sh')], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'pwned2'))).toBe(false);
    const calls = fs.readFileSync(log, 'utf8');
    expect(calls).toContain(`chpasswd <lee:'; touch ${dir}/pwned #$(touch ${dir}/pwned2)\n>`);
    expect(calls).toContain("useradd [-m] [-U] [-u] [1001] [-s] [/bin/bash] [-c] [Lee's `name`] [lee]");
    // a password with a line break would give chpasswd a second line (root:owned): it is set by hand instead
    expect(calls).not.toContain('root:owned');
    expect(result.stdout).toContain('park: set the password with  sudo passwd park');
  });

  it('npm run lab -- --export-config DIR writes the files and says where (in Korean for a Korean locale)', async () => {
    const target = path.join(dir, 'from-cli');
    const result = await runCli(['--export-config', target], undefined, { LANG: 'ko_KR.UTF-8' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`실제 컴퓨터에 옮길 설정 파일을 ${target}에 썼습니다`);
    expect(fs.readFileSync(path.join(target, 'Server-B', 'etc', 'mail', 'access'), 'utf8')).toMatch(/^Connect:192\.168\.111\tRELAY$/m);
  });
});
