// Clients no one here wrote: Python 3's poplib and curl's pop3://. Each is skipped, with the
// reason, when it is not installed.
import fs from 'node:fs/promises';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPop3Lab, type Pop3Lab } from './pop3-fixture.ts';

const run = promisify(execFile);

const python = spawnSync('python3', ['-c', 'import poplib, json'], { encoding: 'utf8' });
const hasPoplib = python.status === 0;
const curlVersion = spawnSync('curl', ['--version'], { encoding: 'utf8' });
const hasCurlPop3 = curlVersion.status === 0 && /^Protocols:.*\bpop3\b/m.test(curlVersion.stdout);

const KOREAN = Buffer.from(
  [
    'From: =?UTF-8?B?6rmA7Jyg7IugIChraW0p?= <kim@daum.net>',
    'To: lee@naver.com',
    'Subject: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?=',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    '이순신 님, 메일 서버 실습입니다.',
    '.점으로 시작하는 줄도 그대로',
    '',
  ].join('\r\n'),
);
const SECOND = Buffer.from('From: kim@daum.net\r\nSubject: second\r\n\r\nsecond letter\r\n');

let lab: Pop3Lab;
beforeEach(async () => {
  lab = await startPop3Lab();
  await lab.deliver(KOREAN);
  await lab.deliver(SECOND);
});
afterEach(async () => {
  await lab.close();
});

// poplib: user, pass_, stat, list, uidl, retr, top, dele, quit; bodies come back as hex so every byte is compared.
const POPLIB_SCRIPT = `
import json, poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
out = {'welcome': p.getwelcome().decode()}
out['capa'] = sorted(p.capa().keys())
p.user('lee')
out['pass'] = p.pass_('1234').decode()
out['stat'] = list(p.stat())
resp, lines, octets = p.list()
out['list'] = [l.decode() for l in lines]
resp, lines, octets = p.uidl()
out['uidl'] = [l.decode() for l in lines]
resp, lines, octets = p.retr(1)
out['retr1'] = b'\\r\\n'.join(lines).hex()
out['retr1_octets'] = octets
resp, lines, octets = p.top(2, 0)
out['top2'] = [l.decode() for l in lines]
out['dele'] = p.dele(2).decode()
out['quit'] = p.quit().decode()
print(json.dumps(out))
`;

describe('Python poplib', () => {
  it.skipIf(!hasPoplib)(`reads, deletes and quits${hasPoplib ? '' : ' (skipped: python3 with poplib not found)'}`, async () => {
    const ended = lab.sessionEnd();
    const { stdout } = await run('python3', ['-c', POPLIB_SCRIPT, String(lab.port)], { timeout: 30_000 });
    await ended;
    const out = JSON.parse(stdout);
    expect(out.welcome).toMatch(/^\+OK mail-lab POP3 server ready/);
    expect(out.capa).toEqual(['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'SASL', 'TOP', 'UIDL', 'USER', 'UTF8']);
    expect(out.pass).toBe(`+OK lee's maildrop has 2 messages (${KOREAN.length + SECOND.length} octets)`);
    expect(out.stat).toEqual([2, KOREAN.length + SECOND.length]);
    expect(out.list).toEqual([`1 ${KOREAN.length}`, `2 ${SECOND.length}`]);
    expect(out.uidl).toHaveLength(2);
    // poplib splits at line ends and unstuffs; joined again with CRLF it is the message without its last CRLF.
    expect(Buffer.from(out.retr1, 'hex').equals(KOREAN.subarray(0, KOREAN.length - 2))).toBe(true);
    expect(out.top2).toEqual(['From: kim@daum.net', 'Subject: second', '']);
    expect(out.dele).toBe('+OK message 2 deleted');
    expect(out.quit).toBe('+OK mail-lab POP3 server signing off (1 message deleted, 1 left)');
    const files = await lab.files();
    expect(files.new).toHaveLength(0);
    expect(files.cur).toHaveLength(1); // message 1, read: moved to cur/ with :2,S
    expect(files.cur[0]).toMatch(/:2,S$/);
  });
});

describe('curl pop3://', () => {
  it.skipIf(!hasCurlPop3)(`prints a letter: curl pop3://127.0.0.1:PORT/1 -u lee:1234${hasCurlPop3 ? '' : ' (skipped: curl with pop3 not found)'}`, async () => {
    const { stdout } = await run('curl', ['-sS', '--max-time', '30', `pop3://127.0.0.1:${lab.port}/1`, '-u', 'lee:1234'], { encoding: 'buffer', timeout: 30_000 });
    expect(stdout.equals(KOREAN)).toBe(true);
    // curl logged in with AUTH PLAIN (it saw SASL PLAIN in CAPA)
    const login = await lab.trace.waitFor((e) => e.steps?.sendmail === '8');
    expect(login.transcript!.some((t) => t.dir === 'C' && /^AUTH PLAIN/.test(t.line))).toBe(true);
  });

  it.skipIf(!hasCurlPop3)(`lists the maildrop: curl pop3://127.0.0.1:PORT/ -u lee:1234${hasCurlPop3 ? '' : ' (skipped: curl with pop3 not found)'}`, async () => {
    const { stdout } = await run('curl', ['-sS', '--max-time', '30', `pop3://127.0.0.1:${lab.port}/`, '-u', 'lee:1234'], { timeout: 30_000 });
    expect(stdout).toBe(`1 ${KOREAN.length}\r\n2 ${SECOND.length}\r\n`);
  });

  it.skipIf(!hasCurlPop3)(`fails cleanly on a wrong password${hasCurlPop3 ? '' : ' (skipped: curl with pop3 not found)'}`, async () => {
    const err = await run('curl', ['-sS', '--max-time', '30', `pop3://127.0.0.1:${lab.port}/1`, '-u', 'lee:wrong'], { timeout: 30_000 }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(67); // CURLE_LOGIN_DENIED
    expect((await lab.files()).new).toHaveLength(2);
  });

  it.skipIf(!hasCurlPop3)(`deletes with -X DELE${hasCurlPop3 ? '' : ' (skipped: curl with pop3 not found)'}`, async () => {
    const ended = lab.sessionEnd();
    await run('curl', ['-sS', '--max-time', '30', `pop3://127.0.0.1:${lab.port}/2`, '-u', 'lee:1234', '-X', 'DELE', '-I'], { timeout: 30_000 });
    await ended;
    const files = await lab.files();
    expect(files.new).toHaveLength(1);
    const left = await fs.readFile(`${lab.maildir()}/new/${files.new[0]}`);
    expect(left.equals(KOREAN)).toBe(true);
  });
});
