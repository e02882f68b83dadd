// Each hop names the configuration line that decided it (HopEvent.config), and the exported
// real file has that very line at that very number.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startLab, DEFAULT_TOPOLOGY, type Lab } from '../../lab/runtime/lab.ts';
import { runScenario } from '../../lab/scenario/run-scenario.ts';
import type { ConfigRef, HopEvent } from '../../lab/trace/hop-event.ts';
import { configFiles } from '../../lab/export/export-config.ts';
import { mxRefs } from '../../lab/host/config-refs.ts';
import { parseZone } from '../../lab/topology/zone-file.ts';
import type { Topology } from '../../lab/topology/types.ts';
import { renderHop } from '../../lab/trace/terminal-renderer.ts';
import { runCli, startCli } from '../cli/cli-helpers.ts';

const classroomLines = fs.readFileSync(DEFAULT_TOPOLOGY, 'utf8').split('\n');
/** The n-th line (1-based) of classroom.yaml that contains the text. */
function lineOf(text: string, occurrence = 1): number {
  let seen = 0;
  const index = classroomLines.findIndex((l) => l.includes(text) && ++seen === occurrence);
  return index + 1;
}

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ ports: 'auto', retry: '1h', dnsTimeoutMs: 300 });
});
afterAll(() => lab?.stop());

const refWith = (event: HopEvent, real: string) => event.config?.find((r) => r.real === real);

function outside(port: number, auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({ host: lab.publicHost, port, ignoreTLS: true, auth });
}

describe('the lines that decided each hop', () => {
  let hops: HopEvent[];
  beforeAll(async () => {
    await lab.client('WinClient').send({ to: 'lee@naver.com', subject: 'config refs', text: 'which line?' });
    await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'config refs');
    await lab.client('Client').fetchPop3();
    await lab.waitFor((e) => e.kind === 'pop3' && e.steps?.sendmail === '8');
    hops = lab.trace.events;
  });

  it('step 1: relaying allowed by /etc/mail/access Connect:192.168.111 RELAY, at its line of the topology', () => {
    const submission = hops.find((e) => e.kind === 'smtp' && e.from === 'WinClient' && e.status === 'ok')!;
    const ref = refWith(submission, '/etc/mail/access')!;
    expect(ref).toMatchObject({ file: 'topology/classroom.yaml', line: lineOf('relay: ["192.168.111"]', 2), realText: 'Connect:192.168.111 RELAY' });
    expect(ref.text).toBe(classroomLines[ref.line - 1].trim());
    expect(ref.why?.en).toBe('WinClient (192.168.111.132) matches Connect:192.168.111 RELAY: relaying to other domains is allowed');
  });

  it('step 3: the MX and A records of naver.com, by zone file and line, which the exported /etc/bind/naver.com.db has at the same line', () => {
    const mx = hops.find((e) => e.kind === 'dns' && e.steps?.sendmail === '3' && e.status === 'ok')!;
    const refs = mx.config!.filter((r) => r.real === '/etc/bind/naver.com.db');
    expect(refs.map((r) => [r.file, r.line])).toEqual([['topology/zones/naver.com.zone', 8], ['topology/zones/naver.com.zone', 9]]);
    expect(refs[0].why?.en).toBe('mail for naver.com goes to mail.naver.com (MX preference 10)');
    const exported = configFiles(lab.topology).find((h) => h.host === 'Server')!.files.find((f) => f.path === 'etc/bind/naver.com.db')!.text.split('\n');
    for (const ref of refs) expect(exported[ref.line - 1].trim()).toBe(ref.realText);
  });

  it('Server takes the relayed mail: naver.com in local-host-names, lee a user (steps 6-7 say the same)', () => {
    const received = hops.find((e) => e.kind === 'smtp' && e.from === 'Server-B' && e.to === 'Server' && e.status === 'ok')!;
    expect(refWith(received, '/etc/mail/local-host-names')).toMatchObject({ line: lineOf('domains: [naver.com]'), realText: 'naver.com' });
    const delivery = hops.find((e) => e.kind === 'mda' && e.status === 'ok')!;
    expect(refWith(delivery, '/etc/passwd')).toMatchObject({ line: lineOf('lee: {'), realText: 'lee:x:1001:1001:이순신 (lee):/home/lee:/bin/bash' });
    // what the export writes into the same machine's files
    const server = configFiles(lab.topology).find((h) => h.host === 'Server')!.files;
    expect(server.find((f) => f.path === 'etc/mail/local-host-names')!.text.split('\n')).toContain('naver.com');
    expect(server.find((f) => f.path === 'accounts.sh')!.text).toContain("add_user 'lee' 1001 '이순신 (lee)' '1234'");
  });

  it('step 8: dovecot serves POP3 and allows plaintext logins; lee exists and the password matches', () => {
    const login = hops.find((e) => e.kind === 'pop3' && e.steps?.sendmail === '8')!;
    const [protocols, plaintext, user] = login.config!;
    expect(protocols).toMatchObject({ real: '/etc/dovecot/local.conf', realText: 'protocols = pop3 imap', line: lineOf('services: { dns: 5300') });
    expect(plaintext).toMatchObject({ real: '/etc/dovecot/local.conf', realText: 'disable_plaintext_auth = no', line: lineOf('plaintextAuth: true') });
    expect(user.why?.en).toBe('lee: the account exists and the password matches');
  });

  it('the terminal prints them with the transcripts (Korean and English)', () => {
    const submission = hops.find((e) => e.kind === 'smtp' && e.from === 'WinClient' && e.status === 'ok')!;
    const line = lineOf('relay: ["192.168.111"]', 2);
    expect(renderHop(submission, { lang: 'en', transcripts: true })).toContain(`      config: /etc/mail/access \`Connect:192.168.111 RELAY\` (topology/classroom.yaml:${line}): WinClient (192.168.111.132) matches Connect:192.168.111 RELAY: relaying to other domains is allowed`);
    expect(renderHop(submission, { lang: 'ko', transcripts: true }).some((l) => l.startsWith('      설정: /etc/mail/access') && l.includes('중계(릴레이)를 허용합니다'))).toBe(true);
    expect(renderHop(submission, { lang: 'en', transcripts: false }).some((l) => l.includes('config:'))).toBe(false);
  });
});

describe('refusals name the rule that was missing', () => {
  it('a relay from outside: no RELAY rule matched, no AUTH', async () => {
    const transport = outside(lab.port('Server-B', 'smtp'));
    await expect(transport.sendMail({ from: 'spam@example.org', to: 'lee@naver.com', subject: 'x', text: 'x' })).rejects.toThrow(/Relaying denied/);
    transport.close();
    const refused = await lab.waitFor((e) => e.kind === 'smtp' && e.to === 'Server-B' && e.status === 'refused');
    const ref = refWith(refused, '/etc/mail/access')!;
    expect(ref.line).toBe(lineOf('relay: ["192.168.111"]', 2));
    expect(ref.why?.en).toMatch(/^outside \(127\.0\.0\.1\) matches no RELAY rule and did not log in \(AUTH\): relaying denied \(rules: Connect:192\.168\.111 RELAY\)$/);
  });

  it('a relay from outside after AUTH: the login decided it', async () => {
    const transport = outside(lab.port('Server-B', 'smtp'), { user: 'kim', pass: '1234' });
    await transport.sendMail({ from: 'kim@daum.net', to: 'lee@naver.com', subject: 'auth relay', text: 'x' });
    transport.close();
    const taken = await lab.waitFor((e) => e.kind === 'smtp' && e.from === 'outside' && e.to === 'Server-B' && e.status === 'ok');
    expect(refWith(taken, '/etc/mail/sendmail.mc')).toMatchObject({ realText: "TRUST_AUTH_MECH(`LOGIN PLAIN')dnl", line: lineOf('plaintextAuth: true', 2) });
    expect(refWith(taken, '/etc/passwd')?.line).toBe(lineOf('kim: {'));
  });

  it('an unknown user: not among the users of the host', async () => {
    const transport = outside(lab.port('Server', 'smtp'));
    await expect(transport.sendMail({ from: 'friend@example.org', to: 'nobody@naver.com', subject: 'x', text: 'x' })).rejects.toThrow(/User unknown/);
    transport.close();
    const refused = await lab.waitFor((e) => e.kind === 'smtp' && e.to === 'Server' && e.status === 'refused');
    expect(refWith(refused, '/etc/passwd')).toMatchObject({ line: lineOf('users:'), why: { en: 'nobody is not a user here (users: lee)' } });
  });

  it('a name server that does not answer: the resolver line (/etc/resolv.conf)', async () => {
    await lab.serviceDown('Server', 'dns');
    try {
      await lab.client('WinClient').send({ to: 'lee@naver.com', subject: 'no dns', text: 'x' });
      const failed = await lab.waitFor((e) => e.kind === 'dns' && e.status === 'deferred');
      expect(refWith(failed, '/etc/resolv.conf')).toMatchObject({ realText: 'nameserver 192.168.111.100', line: lineOf('resolver: Server', 2) });
    } finally {
      await lab.serviceUp('Server', 'dns');
    }
  });
});

describe('the scenarios\' lookups', () => {
  it('no MX: the domain\'s own A record, by its line', async () => {
    const result = await runScenario('no-mx-implicit-a', { ports: 'auto' });
    const mx = result.trace.events.find((e) => e.kind === 'dns' && e.status === 'ok' && e.steps)!;
    expect(mx.config).toEqual([expect.objectContaining({ file: 'topology/zones/naver.com.no-mx.zone', line: 5, real: '/etc/bind/naver.com.db', why: expect.objectContaining({ en: "no MX record: naver.com's own A record is the mail server (RFC 5321 section 5.1): 192.168.111.100" }) })]);
  });

  it('a domain the lab has no zone for: the zones the name server has', async () => {
    const result = await runScenario('unknown-domain-bounce', { ports: 'auto' });
    const mx = result.trace.events.find((e) => e.kind === 'dns' && e.status === 'bounced')!;
    expect(mx.config?.[0]).toMatchObject({ file: 'topology/classroom.yaml', line: classroomLines.findIndex((l) => l.startsWith('zones:')) + 1, real: '/etc/bind/named.conf.local' });
    expect(mx.config?.[0].why?.en).toMatch(/: the lab's name server has no zone for it \(zones: naver\.com, daum\.net\)$/);
  });
});

describe('an MX without its final dot', () => {
  it('names the MX line and says what BIND read and what to write', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-refs-'));
    try {
      const good = fs.readFileSync(path.join(path.dirname(DEFAULT_TOPOLOGY), 'zones', 'naver.com.zone'), 'utf8');
      const file = path.join(dir, 'naver.com.zone');
      fs.writeFileSync(file, good.replace('mail.naver.com.', 'mail.naver.com'));
      // the zone as BIND loads it: the relative name gets the origin appended
      const zone = parseZone(good, 'naver.com', file);
      for (const r of zone.records) if (r.type === 'MX') r.exchange = 'mail.naver.com.naver.com';
      const topology = { file: path.join(dir, 'none.yaml'), zones: [zone], hosts: [] } as unknown as Topology;
      const refs = mxRefs(topology, { name: 'Server-B', address: '192.168.111.200', services: {} } as never, 'naver.com', [], { action: 'bounce', reply: '550 5.1.2 naver.com: Host unknown' }) as ConfigRef[];
      expect(refs).toHaveLength(1);
      expect(refs[0]).toMatchObject({ line: 8, text: 'IN\tMX\t10\tmail.naver.com', real: '/etc/bind/naver.com.db' });
      expect(refs[0].why?.en).toBe('the MX host has no final dot, so BIND reads it as mail.naver.com.naver.com, which has no address; write mail.naver.com. with the dot');
      expect(refs[0].why?.ko).toContain('끝에 점을 붙여 쓰십시오: mail.naver.com.');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('in the terminal', () => {
  it('npm run lab -- --transcripts prints each hop\'s lines', async () => {
    const result = await runCli(['--exit', '--transcripts', '--ports', 'auto', '--lang', 'en']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('      config: /etc/bind/naver.com.db `IN MX 10 mail.naver.com.` (topology/zones/naver.com.zone:8): mail for naver.com goes to mail.naver.com (MX preference 10)');
    expect(result.stdout).toContain('      config: /etc/dovecot/local.conf `disable_plaintext_auth = no`');
  });

  it('--step: b shows the previous hop again with the lines that decided it', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-step-refs-'));
    const cli = startCli(['--step', '--exit', '--ports', 'auto', '--data', data, '--lang', 'ko']);
    const prompt = /\[Enter\] 진행.*\[q\] 끝내기 > /;
    try {
      let from = 0;
      for (;;) {
        const next = await cli.waitFor(/▶ /, from).catch(() => undefined);
        if (!next) break;
        from = (await cli.waitFor(prompt, next.end)).end;
        // held before ④⑤: the hop before it is ③, the MX lookup
        if (cli.stdout.slice(next.end, from).includes('④⑤') && !cli.stdout.includes('설정: /etc/bind/naver.com.db')) {
          cli.type('b');
          await cli.waitFor(/설정: \/etc\/bind\/naver\.com\.db `IN MX 10 mail\.naver\.com\.` \(topology\/zones\/naver\.com\.zone:8\): naver\.com의 메일 서버\(MX, 우선순위 10\): mail\.naver\.com/, from);
          from = (await cli.waitFor(prompt, from)).end;
        }
        cli.type('');
      }
      expect(await cli.exited).toBe(0);
      expect(cli.stdout).toContain('설정: /etc/bind/naver.com.db');
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
