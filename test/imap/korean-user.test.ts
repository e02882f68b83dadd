// A Korean local part is a real user (RFC 6531): 김유신@daum.net in a topology of this test's own
// (korean-user.yaml), sent to by kim over SMTP and read by IMAP (LOGIN with UTF-8 strings,
// ENABLE UTF8=ACCEPT and UTF-8 folder names, RFC 6855) and POP3 (USER/PASS, AUTH PLAIN and the
// UTF8 command, RFC 6856), with imapflow, Python's poplib and curl as clients no one here wrote.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import fs from 'node:fs/promises';
import net from 'node:net';
import { once } from 'node:events';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { startLab, type Lab } from '../../lab/index.ts';
import { Pop3Client } from '../../lab/client/pop3-client.ts';
import { RawClient } from './imap-lab.ts';

const run = promisify(execFile);
const TOPOLOGY = path.join(import.meta.dirname, 'korean-user.yaml');
const USER = '김유신';
const PASSWORD = '비밀번호 1234';
const hasPoplib = spawnSync('python3', ['-c', 'import poplib'], { encoding: 'utf8' }).status === 0;
const curl = spawnSync('curl', ['--version'], { encoding: 'utf8' });
const hasCurlPop3 = curl.status === 0 && /^Protocols:.*\bpop3\b/m.test(curl.stdout);

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ topology: TOPOLOGY, ports: 'auto', retry: '100ms*5', failedLoginDelayMs: 1 });
  await lab.client('WinClient').send({ to: `${USER}@daum.net`, subject: '유신에게', text: '김유신 님, 안녕하세요.' });
  await lab.waitForLetter('Server-B', USER, (l) => l.subject === '유신에게');
});
afterAll(() => lab.stop());

const imapPort = () => lab.port('Server-B', 'imap');
const pop3Port = () => lab.port('Server-B', 'pop3');
const utf8 = (text: string) => `{${Buffer.byteLength(text)}+}\r\n${text}`;

async function imap(): Promise<RawClient> {
  return RawClient.connect(imapPort());
}

describe('김유신@daum.net, a user with a Korean local part', () => {
  it("the MDA wrote the letter into 김유신's own Maildir", async () => {
    const letters = await lab.mailbox('Server-B', USER);
    expect(letters.map((l) => l.subject)).toContain('유신에게');
    expect(letters[0].file).toContain(path.join('Server-B', 'mail', USER, 'new'));
  });

  it('logs in by IMAP with the name as a quoted UTF-8 string, a literal, the full address, and decomposed (NFD)', async () => {
    for (const login of [`"${USER}" "${PASSWORD}"`, `${utf8(USER)} ${utf8(PASSWORD)}`, `"${USER}@daum.net" "${PASSWORD}"`, `"${USER.normalize('NFD')}" "${PASSWORD}"`]) {
      const c = await imap();
      expect(c.text).toMatch(/ ENABLE UTF8=ACCEPT /);
      expect(await c.command('l', `LOGIN ${login}`)).toMatch(/^l OK /m);
      expect(await c.command('s', 'SELECT INBOX')).toMatch(/^\* 1 EXISTS\r\n/m);
      c.close();
    }
    const wrong = await imap();
    expect(await wrong.command('l', `LOGIN "${USER}" "틀린 비밀번호"`)).toMatch(/^l NO \[AUTHENTICATIONFAILED\]/m);
    wrong.close();
  });

  it('ENABLE UTF8=ACCEPT: folder names in UTF-8, kept in modified UTF-7, and APPEND UTF8 (~{n})', async () => {
    const c = await imap();
    await c.command('l', `LOGIN "${USER}" "${PASSWORD}"`);
    expect(await c.command('e', 'ENABLE UTF8=ACCEPT')).toMatch(/^\* ENABLED UTF8=ACCEPT\r\ne OK/m);
    expect(await c.command('c', `CREATE "보낸 메일함"`)).toMatch(/^c OK/m);
    expect(await c.command('li', 'LIST "" *')).toMatch(/^\* LIST \(\\HasNoChildren\) "\/" \{16\}\r\n보낸 메일함\r\n/m);
    const message = Buffer.from(`From: ${USER}@daum.net\r\nTo: lee@naver.com\r\nSubject: 한글 머리글 (RFC 6532)\r\n\r\n본문\r\n`);
    c.clear();
    c.write(Buffer.concat([Buffer.from(`a APPEND "보낸 메일함" UTF8 (~{${message.length}+}\r\n`), message, Buffer.from(')\r\n')]));
    expect(await c.tagged('a')).toMatch(/^a OK \[APPENDUID /m);
    expect(await c.command('st', 'STATUS "보낸 메일함" (MESSAGES)')).toMatch(/^\* STATUS \{16\}\r\n보낸 메일함 \(MESSAGES 1\)\r\n/m);
    c.close();
    // on disk, and to a session that did not enable UTF-8, the name is modified UTF-7
    const entries = await fs.readdir(path.join(lab.dataDir, 'Server-B', 'mail', USER));
    expect(entries).toContain('.&vPSwuA- &ulTHfNVo-');
    const plain = await imap();
    await plain.command('l', `LOGIN "${USER}" "${PASSWORD}"`);
    expect(await plain.command('li', 'LIST "" *')).toMatch(/^\* LIST \(\\HasNoChildren\) "\/" "&vPSwuA- &ulTHfNVo-"\r\n/m);
    expect(await plain.command('a', 'APPEND INBOX UTF8 (~{3+}\r\nx\r\n)')).toMatch(/^a BAD APPEND UTF8 \(\.\.\.\) needs ENABLE UTF8=ACCEPT first/m);
    plain.close();
  });

  it('imapflow logs in as 김유신 and reads the letter', async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: imapPort(), secure: false, auth: { user: `${USER}@daum.net`, pass: PASSWORD }, logger: false });
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const message = await client.fetchOne('1', { envelope: true, source: true });
      expect(message && message.envelope!.subject).toBe('유신에게');
      expect(message && message.envelope!.to![0].address).toBe(`${USER}@daum.net`);
      expect(message && (await simpleParser(message.source!)).text).toContain('김유신 님, 안녕하세요.');
    } finally {
      await client.logout();
    }
  });

  it('POP3: USER and PASS, AUTH PLAIN and UTF8 with the Korean name', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: pop3Port() });
    await once(socket, 'connect');
    const c = new Pop3Client(socket, { timeoutMs: 20_000 });
    await c.greeting();
    expect(await c.capa()).toContain('UTF8 USER');
    expect((await c.command('UTF8', 'single')).status).toMatch(/^\+OK/);
    expect((await c.command(`USER ${USER}`, 'single')).status).toBe(`+OK send the password of ${USER} with PASS`);
    expect((await c.command(`PASS ${PASSWORD}`, 'single')).status).toMatch(new RegExp(`^\\+OK ${USER}'s maildrop has 1 message`));
    expect((await simpleParser(await c.retr(1))).text).toContain('김유신 님, 안녕하세요.');
    await c.quit();
    const again = net.connect({ host: '127.0.0.1', port: pop3Port() });
    await once(again, 'connect');
    const d = new Pop3Client(again, { timeoutMs: 20_000 });
    await d.greeting();
    expect(await d.authPlain(`${USER}@daum.net`, PASSWORD)).toMatch(new RegExp(`^${USER}'s maildrop has 1 message`));
    await d.quit();
  });

  it.skipIf(!hasPoplib)(`Python poplib logs in as 김유신 and lists the letter${hasPoplib ? '' : ' (skipped: python3 with poplib not found)'}`, async () => {
    const script = `import poplib, sys, email, email.policy\np = poplib.POP3('127.0.0.1', int(sys.argv[1]))\np.utf8()\np.user(sys.argv[2])\np.pass_(sys.argv[3])\nprint(p.stat()[0])\nm = email.message_from_bytes(b'\\r\\n'.join(p.retr(1)[1]), policy=email.policy.default)\nprint(m.get_content())\np.quit()\n`;
    const { stdout } = await run('python3', ['-c', script, String(pop3Port()), USER, PASSWORD], { timeout: 30_000 });
    const [count, ...text] = stdout.split('\n');
    expect(count).toBe('1');
    expect(text.join('\n')).toContain('김유신 님, 안녕하세요.');
  });

  it.skipIf(!hasCurlPop3)(`curl pop3:// -u 김유신:... prints the letter${hasCurlPop3 ? '' : ' (skipped: curl with pop3 not found)'}`, async () => {
    const { stdout } = await run('curl', ['-s', `pop3://127.0.0.1:${pop3Port()}/1`, '-u', `${USER}:${PASSWORD}`], { timeout: 30_000, encoding: 'buffer' });
    expect((await simpleParser(stdout)).subject).toBe('유신에게');
  });
});
