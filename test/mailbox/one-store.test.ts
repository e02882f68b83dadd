// One mail store per host (DESIGN.md, "One of each per host"), through the real protocol paths
// of a running lab: the MDA's delivery reaches an IMAP session in IDLE at once, POP3 numbers the
// messages in IMAP's UID order with the same rules, POP3's RETR and QUIT are flag changes and
// expunges every IMAP session is told of, and each host has a store of its own.
import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { startLab, type Lab } from '../../lab/index.ts';
import type { EmbeddedRuntime } from '../../lab/runtime/embedded.ts';
import { Pop3Client } from '../../lab/client/pop3-client.ts';
import { RawClient } from '../imap/imap-lab.ts';

const labs: Lab[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  for (const lab of labs.splice(0)) await lab.stop();
});

async function lab(): Promise<Lab> {
  const l = await startLab({ ports: 'auto', retry: '100ms*5', failedLoginDelayMs: 1 });
  labs.push(l);
  return l;
}

async function imap(l: Lab): Promise<RawClient> {
  const c = await RawClient.connect(l.port('Server', 'imap'));
  closers.push(() => c.close());
  expect(await c.command('l', 'LOGIN lee 1234')).toMatch(/^l OK/m);
  expect(await c.command('s', 'SELECT INBOX')).toMatch(/^s OK/m);
  return c;
}

async function pop3(l: Lab): Promise<Pop3Client> {
  const socket = net.connect({ host: '127.0.0.1', port: l.port('Server', 'pop3') });
  await once(socket, 'connect');
  closers.push(() => socket.destroy());
  const c = new Pop3Client(socket, { timeoutMs: 20_000 });
  await c.greeting();
  await c.login('lee', '1234');
  return c;
}

async function send(l: Lab, subject: string): Promise<void> {
  await l.client('WinClient').send({ to: 'lee@naver.com', subject, text: `${subject} 본문` });
  await l.waitForLetter('Server', 'lee', (letter) => letter.subject === subject);
}

describe('one mail store per host', () => {
  it('the host context makes it and every role of the host has that one', async () => {
    const l = await lab();
    const hosts = (l.runtime as EmbeddedRuntime).hosts;
    const server = hosts.get('Server')!.ctx;
    const other = hosts.get('Server-B')!.ctx;
    expect(server.mailStore.root).toBe(`${server.dataDir}/mail`);
    expect(other.mailStore).not.toBe(server.mailStore);
    // the same folder object for everyone who opens lee's INBOX on Server
    expect(await server.mailStore.folder('lee', 'INBOX')).toBe(await server.mailStore.folder('lee', 'INBOX'));
  });

  it("an IMAP session in IDLE hears of the MDA's delivery", async () => {
    const l = await lab();
    const c = await imap(l);
    c.clear();
    c.write('i IDLE\r\n');
    await c.waitFor(/^\+ idling\r\n/m);
    await l.client('WinClient').send({ to: 'lee@naver.com', subject: 'while idling', text: '...' });
    expect(await c.waitFor(/^\* 1 EXISTS\r\n\* 1 RECENT\r\n/m)).toBeTruthy();
    c.write('DONE\r\n');
    await c.tagged('i');
  });

  it('POP3 numbers the messages in UID order; its QUIT is an expunge and its RETR a \\Seen for IMAP sessions', async () => {
    const l = await lab();
    for (const subject of ['first', 'second', 'third']) await send(l, subject);
    const watcher = await imap(l);
    const uids = (await watcher.command('u', 'FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).match(/UID \d+ BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: \w+/g)!;
    expect(uids.map((u) => u.replace(/.*Subject: /s, ''))).toEqual(['first', 'second', 'third']);
    const p = await pop3(l);
    expect((await p.retr(2)).toString()).toContain('Subject: second');
    await p.noop();
    // as in dovecot, RETR's \Seen is set when the session ends, not at once
    expect(await watcher.command('n1', 'NOOP')).not.toMatch(/FETCH/);
    await p.dele(1);
    await p.quit(); // the goodbye comes after the removal and the flags
    expect(await watcher.command('n2', 'NOOP')).toMatch(/^\* 1 EXPUNGE\r\n\* 1 FETCH \(UID \d+ FLAGS \(\\Seen \\Recent\)\)\r\n/m);
    expect(await watcher.command('f', 'FETCH 1:* (FLAGS)')).toMatch(/^\* 1 FETCH \(FLAGS \(\\Seen \\Recent\)\)\r\n\* 2 FETCH \(FLAGS \(\\Recent\)\)\r\n/m);
  });

  it('POP3 and IMAP order files another writer named by the same rule', async () => {
    const l = await lab();
    const dir = path.join(l.dataDir, 'Server', 'mail', 'lee', 'new');
    await fs.mkdir(dir, { recursive: true });
    // the same second and microsecond, two processes: which came first is the names' to say,
    // and POP3 must say the same as IMAP's UIDs (it used to sort by Q alone)
    for (const [name, subject] of [['1700000000.M5P9Q2.host', 'nine'], ['1700000000.M5P10Q1.host', 'ten']]) {
      const body = `Subject: ${subject}\r\n\r\nx\r\n`;
      await fs.writeFile(path.join(dir, `${name},S=${body.length}`), body);
    }
    const c = await imap(l);
    const byUid = [...(await c.command('f', 'UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).matchAll(/Subject: (\w+)/g)].map((m) => m[1]);
    const p = await pop3(l);
    const byNumber = [(await p.top(1, 0)).toString(), (await p.top(2, 0)).toString()].map((t) => /Subject: (\w+)/.exec(t)![1]);
    expect(byNumber).toEqual(byUid);
  });

  it('POP3 sees what IMAP did: a message IMAP expunged is gone, one it flagged keeps its UIDL', async () => {
    const l = await lab();
    for (const subject of ['keep', 'drop']) await send(l, subject);
    const before = await pop3(l);
    const uidls = await before.uidl();
    await before.quit();
    const c = await imap(l);
    await c.command('d', 'STORE 2 +FLAGS (\\Deleted)');
    await c.command('f', 'STORE 1 +FLAGS (\\Flagged)');
    expect(await c.command('x', 'EXPUNGE')).toMatch(/^\* 2 EXPUNGE\r\n/m);
    const after = await pop3(l);
    expect(await after.uidl()).toEqual([uidls[0]]);
    expect((await after.retr(1)).toString()).toContain('Subject: keep');
  });
});
