import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './cli-helpers.ts';
import type { HopEvent } from '../../lab/trace/hop-event.ts';
import { readMailbox, headerAll } from '../../lab/runtime/mailbox-view.ts';

describe('npm run lab', () => {
  it('--exit --trace: kim\'s letter reaches lee; every numbered hop in order, with hosts and transcripts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-cli-'));
    const trace = path.join(dir, 't.jsonl');
    const run = await runCli(['--exit', '--ports', 'auto', '--data', path.join(dir, 'data'), '--trace', trace, '--lang', 'en']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/PASS: 4 of 4 expectations held/);

    const events = fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HopEvent);
    const numbered = events.filter((e) => e.steps);
    // ③ is the queue run asking the MDA to send, then the MX lookup that is part of it
    expect(numbered.map((e) => e.steps!.sendmail)).toEqual(['1', '2', '3', '3', '4-5', '6-7', '8', '9-10']);
    expect(numbered.filter((e) => e.steps!.sendmail === '3').map((e) => e.kind)).toEqual(['queue', 'dns']);
    const hosts = ['Server', 'Server-B', 'Client', 'WinClient'];
    for (const e of numbered) {
      expect(hosts).toContain(e.from);
      expect(hosts).toContain(e.to);
    }
    const byStep = Object.fromEntries(numbered.map((e) => [e.steps!.sendmail, e]));
    expect(byStep['1'].from).toBe('WinClient');
    expect(byStep['1'].to).toBe('Server-B');
    expect(byStep['3'].to).toBe('Server');
    expect(byStep['4-5'].from).toBe('Server-B');
    expect(byStep['4-5'].to).toBe('Server');
    expect(byStep['8'].from).toBe('Client');
    expect(byStep['9-10'].to).toBe('Client');
    for (const step of ['1', '4-5', '8', '9-10']) expect(byStep[step].transcript?.length).toBeGreaterThan(2);
    expect(byStep['1'].transcript!.some((t) => t.dir === 'C' && /^MAIL FROM:/i.test(t.line))).toBe(true);
    expect(byStep['8'].transcript!.some((t) => t.dir === 'C' && /^PASS \*+$/.test(t.line))).toBe(true);
    expect(JSON.stringify(events)).not.toContain('PASS 1234');
    expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));

    // lee's Maildir: the letter with a Received header for each hop, naming the lab's addresses
    const letters = await readMailbox(path.join(dir, 'data', 'Server', 'mail', 'lee'));
    expect(letters).toHaveLength(1);
    const received = headerAll(letters[0].headers, 'received');
    expect(received).toHaveLength(2);
    expect(received[0]).toMatch(/from mail\.daum\.net .*192\.168\.111\.200.* by mail\.naver\.com .*192\.168\.111\.100/);
    expect(received[1]).toMatch(/192\.168\.111\.132.* by mail\.daum\.net .*192\.168\.111\.200/);
    expect(letters[0].headers).toMatch(/^Return-Path: <kim@daum\.net>/m);
    expect(letters[0].headers).toMatch(/^Delivered-To: lee@naver\.com/m);
  });

  it('--help documents every option', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const option of ['--scenario', '--list', '--topology', '--exit', '--step', '--letter', '--trace', '--transcripts', '--lang', '--figure', '--filter', '--diagram', '--ports', '--data', '--clean', '--runtime', '--no-color', '--help']) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toMatch(/130 stopped by the user/);
    // in Korean, every option too, in the seed's words
    const ko = await runCli(['--help'], undefined, { LANG: 'ko_KR.UTF-8' });
    expect(ko.stdout).toMatch(/^사용법: npm run lab -- \[옵션\]$/m);
    for (const option of ['--scenario', '--step', '--letter', '--clean', '--runtime']) expect(ko.stdout).toContain(option);
    expect(ko.stdout).toMatch(/메일 박스/);
    expect(ko.stdout).not.toMatch(/메일함|편지/);
  });

  it('--transcripts | head ends quietly: no EPIPE trace', async () => {
    const { execFile } = await import('node:child_process');
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('sh', ['-c', `"${process.execPath}" lab/cli.ts --exit --ports auto --transcripts --lang en | head -3`], { cwd: path.join(import.meta.dirname, '..', '..') }, (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr }));
      void child;
    });
    expect(out.stdout).toMatch(/== kim writes to lee/);
    expect(out.stderr).toBe('');
  });

  it('a bad option or value says what to write instead', async () => {
    const bad = await runCli(['--colour']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--colour'.*\n.*--help/);
    const lang = await runCli(['--lang', 'jp']);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toMatch(/--lang jp: write one of ko, en/);
    const scenario = await runCli(['--scenario', 'kim-to-park']);
    expect(scenario.code).toBe(2);
    expect(scenario.stderr).toMatch(/no scenario named "kim-to-park"/);
  });

  it('--list names every scenario', async () => {
    const run = await runCli(['--list', '--lang', 'en']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^kim-to-lee\s+kim writes to lee/m);
    expect(run.stdout).toMatch(/^server-down-then-up\s/m);
  });

  it('--diagram prints Mermaid: the topology graph and the numbered hops', async () => {
    const run = await runCli(['--diagram', '--lang', 'en', '--figure', 'sendmail']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^graph LR$/m);
    expect(run.stdout).toMatch(/Server_B\["Server-B<br\/>192\.168\.111\.200/);
    expect(run.stdout).toMatch(/^sequenceDiagram$/m);
    expect(run.stdout).toMatch(/participant WinClient as WinClient<br\/>192\.168\.111\.132/);
    const arrows = run.stdout.split('\n').filter((l) => /->>|-x/.test(l));
    expect(arrows.map((l) => /: (\S+) /.exec(l)![1])).toEqual(['①', '②', '③', '③', '④⑤', '⑥⑦', '⑧', '⑨⑩']);
    expect(arrows[0]).toMatch(/WinClient->>Server_B: ① SMTP/);
    // participants in the order the letter meets them; queue and MDA hops say what they are
    const participants = [...run.stdout.matchAll(/^ {2}participant (\S+) as/gm)].map((m) => m[1]);
    expect(participants).toEqual(['WinClient', 'Server_B', 'Server', 'Client']);
    expect(run.stdout).toMatch(/Server_B->>Server_B: ② QUEUE: into the mail queue/);
    expect(run.stdout).toMatch(/Server->>Server: ⑥⑦ MDA: into lee's mailbox/);
  });

  it('--diagram is the same slide every run: no queue IDs, no Maildir names; a note explains ②/③', async () => {
    const [a, b] = await Promise.all([runCli(['--diagram', '--lang', 'ko']), runCli(['--diagram', '--lang', 'ko'])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toMatch(/큐 ID|\bq[0-9A-Za-z]{12}\b|\.vm,S=/);
    expect(a.stdout).toMatch(/Note over WinClient,Client: ②\/③ = \[전체 과정\] 그림의 ② \/ \[센드메일 상세 원리\] 그림의 ③/);
  });
});

describe('what the class sees', () => {
  it('--figure overview and --filter smtp,dns show only those hops, numbered by the overview figure', async () => {
    const run = await runCli(['--exit', '--ports', 'auto', '--lang', 'ko', '--figure', 'overview', '--filter', 'smtp,dns']);
    expect(run.code).toBe(0);
    const hops = run.stdout.split('\n').filter((l) => /^#\s*\d+/.test(l));
    expect(hops.length).toBeGreaterThanOrEqual(3);
    for (const hop of hops) expect(hop).toMatch(/\s(SMTP|DNS)\s/);
    expect(hops.some((h) => /전체 과정 ③/.test(h))).toBe(true);
    expect(run.stdout).not.toMatch(/센드메일 상세 원리/);
    // the expectations speak the class's language too
    expect(run.stdout).toMatch(/✓ Server-B가 네임 서버에 naver\.com의 MX 레코드를 물음/);
    expect(run.stdout).toMatch(/성공: 확인 항목 4개 모두 통과/);
    expect(run.stdout).not.toMatch(/POP3\s+Client/);
  });

  it('--transcripts shows the protocol lines, with the password hidden', async () => {
    const run = await runCli(['--exit', '--ports', 'auto', '--lang', 'en', '--transcripts']);
    expect(run.code).toBe(0);
    // the message is shown the same way by the submission's and the relay's transcripts
    expect(run.stdout.match(/C: <\d+ bytes of message>/g)?.length).toBe(2);
    expect(run.stdout).not.toMatch(/\(the message: /);
    // the far end of the relay is not a second copy of the conversation
    expect(run.stdout).toMatch(/\(the same conversation as under ④⑤ above\)/);
    expect(run.stdout).toMatch(/C: MAIL FROM:<kim@daum\.net>/);
    expect(run.stdout).toMatch(/C: QUERY naver\.com\. IN MX/);
    expect(run.stdout).toMatch(/C: PASS \*\*\*\*\*/);
    expect(run.stdout).not.toMatch(/PASS 1234/);
  });

  it('--step with the containers runtime says why not', async () => {
    const run = await runCli(['--step', '--runtime', 'containers']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--step .* use --step with the embedded runtime/);
  });
});

describe('a port already taken', () => {
  it('says which port and what to do instead', async () => {
    const { default: net } = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-port-'));
    const topology = path.join(import.meta.dirname, '..', '..', 'topology');
    fs.cpSync(path.join(topology, 'zones'), path.join(dir, 'zones'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lab.yaml'), fs.readFileSync(path.join(topology, 'classroom.yaml'), 'utf8').replace('smtp: 2526', `smtp: ${port}`).replace(/dns: 5300, smtp: 2525, pop3: 1110, imap: 1143/, 'dns: 0, smtp: 0, pop3: 0, imap: 0').replace(/pop3: 1111, imap: 1144/, 'pop3: 0, imap: 0'));
    try {
      const run = await runCli(['--exit', '--topology', path.join(dir, 'lab.yaml'), '--data', path.join(dir, 'data')]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is in use (another lab, or another program); stop that one, or start this lab with --ports auto`);
      const ko = await runCli(['--exit', '--topology', path.join(dir, 'lab.yaml'), '--data', path.join(dir, 'data'), '--lang', 'ko']);
      expect(ko.code).toBe(2);
      expect(ko.stderr).toMatch(new RegExp(`실습망을 시작하지 못했습니다: 127\\.0\\.0\\.1의 포트 ${port}[을를] 이미 쓰고 있습니다 \\(다른 실습망이나 다른 프로그램\\)\\. 그것을 끄거나, 이 실습망을 --ports auto로 시작하세요`));
    } finally {
      blocker.close();
    }
  });
});
