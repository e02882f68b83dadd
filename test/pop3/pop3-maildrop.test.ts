// The maildrop under POP3: deletions only in UPDATE, one session per maildrop, stable UIDLs,
// RETR marking \Seen as dovecot does, mail arriving or vanishing during a session, byte-stuffing
// and exact bytes on the wire.
import fs from 'node:fs/promises';
import path from 'node:path';
import nodeFs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPop3Lab, letter, rawExchange, type Pop3Lab } from './pop3-fixture.ts';

let lab: Pop3Lab;
beforeEach(async () => {
  lab = await startPop3Lab();
});
afterEach(async () => {
  await lab.close();
});

const allFiles = async () => {
  const f = await lab.files();
  return [...f.new, ...f.cur];
};

describe('deletion', () => {
  it('DELE then QUIT removes the file (UPDATE state)', async () => {
    const kept = await lab.deliver(letter('kept', 'a'));
    const gone = await lab.deliver(letter('gone', 'b'));
    const c = await lab.session();
    await c.dele(2);
    // marked only: still on disk until QUIT
    await expect(fs.access(gone)).resolves.toBeUndefined();
    const ended = lab.sessionEnd();
    expect(await c.quit()).toBe('mail-lab POP3 server signing off (1 message deleted, 1 left)');
    await ended;
    await expect(fs.access(gone)).rejects.toThrow();
    await expect(fs.access(kept)).resolves.toBeUndefined();
  });

  it('DELE then a dropped connection deletes nothing', async () => {
    await lab.deliver(letter('a', 'a'));
    await lab.deliver(letter('b', 'b'));
    const c = await lab.session();
    await c.dele(1);
    await c.dele(2);
    const ended = lab.sessionEnd();
    c.socket.destroy();
    await ended;
    expect((await allFiles()).length).toBe(2);
    const again = await lab.session();
    expect((await again.stat()).count).toBe(2);
  });

  it('removes a message that IMAP renamed meanwhile (flags changed)', async () => {
    const file = await lab.deliverCur(letter('flagged', 'x'), 'S');
    const c = await lab.session();
    await c.dele(1);
    await fs.rename(file, file.replace(/:2,S$/, ':2,FS'));
    const ended = lab.sessionEnd();
    await c.quit();
    await ended;
    expect(await allFiles()).toEqual([]);
  });

  it('counts a message another session removed first as removed', async () => {
    const file = await lab.deliver(letter('raced', 'x'));
    const c = await lab.session();
    await c.dele(1);
    await fs.unlink(file);
    expect(await c.quit()).toBe('mail-lab POP3 server signing off (1 message deleted, 0 left)');
  });
});

describe('one session per maildrop (RFC 2449 [IN-USE])', () => {
  it('refuses a second session until the first QUITs', async () => {
    const first = await lab.session();
    const second = await lab.client();
    await second.command('USER lee', 'single');
    expect((await second.command('PASS 1234', 'single')).status).toBe("-ERR [IN-USE] lee's mailbox is already open in another session");
    // the second session stays in AUTHORIZATION and may try again
    const ended = lab.sessionEnd();
    await first.quit();
    await ended;
    expect(await second.login('lee', '1234')).toMatch(/^lee's maildrop has/);
  });

  it('lets go of the maildrop when a session drops', async () => {
    const first = await lab.session();
    const ended = lab.sessionEnd();
    first.socket.destroy();
    await ended;
    const second = await lab.session();
    expect((await second.stat()).count).toBe(0);
  });

  it('holds each user on their own', async () => {
    await lab.session('lee', '1234');
    const park = await lab.session('park', 'open sesame');
    expect((await park.stat()).count).toBe(0);
  });
});

describe('unique ids and flags', () => {
  it('keeps UIDLs across sessions, after RETR moved the file to cur/, and after a deletion', async () => {
    for (const s of ['a', 'b', 'c']) await lab.deliver(letter(s, s));
    const c1 = await lab.session();
    const before = await c1.uidl();
    await c1.retr(2);
    await c1.dele(1);
    let ended = lab.sessionEnd();
    await c1.quit();
    await ended;
    const c2 = await lab.session();
    const after = await c2.uidl();
    expect(after.map((u) => u.uid)).toEqual([before[1].uid, before[2].uid]);
    expect(after.map((u) => u.number)).toEqual([1, 2]);
    ended = lab.sessionEnd();
    await c2.quit();
    await ended;
    for (const u of before) expect(u.uid).toMatch(/^[\x21-\x7e]{1,70}$/);
  });

  it('RETR marks a message seen when the session ends, as dovecot does: new/ to cur/ with :2,S; TOP does not', async () => {
    await lab.deliver(letter('read', 'x'));
    await lab.deliver(letter('peeked', 'y'));
    const c = await lab.session();
    await c.retr(1);
    await c.top(2, 0);
    await c.noop();
    expect((await lab.files()).new).toHaveLength(2); // not after each RETR: once, at the end
    const ended = lab.sessionEnd();
    await c.quit();
    const files = await lab.files(); // the goodbye comes after the flags are written
    expect(files.cur).toHaveLength(1);
    expect(files.cur[0]).toMatch(/^1\d+\.M\d+P\d+Q\d+\.mail-lab-test,S=\d+:2,S$/);
    expect(files.new).toHaveLength(1);
    await ended;
  });

  it('marks what was read seen when the client goes without QUIT, and removes nothing', async () => {
    await lab.deliver(letter('read', 'x'));
    await lab.deliver(letter('read and deleted', 'y'));
    const c = await lab.session();
    await c.retr(1);
    await c.retr(2);
    await c.dele(2);
    const ended = lab.sessionEnd();
    c.socket.destroy();
    await ended;
    const files = await lab.files();
    expect(files.new).toEqual([]);
    expect(files.cur).toHaveLength(2);
    for (const f of files.cur) expect(f).toMatch(/:2,S$/);
  });

  it('adds S to flags already in cur/, in order', async () => {
    await lab.deliverCur(letter('flagged', 'x'), 'FT');
    const c = await lab.session();
    await c.retr(1);
    await c.quit();
    expect((await lab.files()).cur[0]).toMatch(/:2,FST$/);
  });
});

describe('a maildrop that changes under the session', () => {
  it('keeps the numbering when a new message arrives (snapshot at login)', async () => {
    await lab.deliver(letter('one', '1'));
    await lab.deliver(letter('two', '2'));
    const c = await lab.session();
    const list = await c.list();
    await lab.deliver(letter('three', '3'));
    expect(await c.list()).toEqual(list);
    expect((await c.stat()).count).toBe(2);
    expect((await c.command('RETR 3', 'multi')).status).toBe('-ERR no such message, only 2 messages in maildrop');
    expect((await c.retr(2)).toString()).toContain('Subject: two');
    const ended = lab.sessionEnd();
    await c.quit();
    await ended;
    const next = await lab.session();
    expect((await next.stat()).count).toBe(3);
    expect((await next.retr(3)).toString()).toContain('Subject: three');
  });

  it('answers -ERR for a message removed by another party, and goes on', async () => {
    const file = await lab.deliver(letter('vanishing', 'x'));
    await lab.deliver(letter('staying', 'y'));
    const c = await lab.session();
    await fs.unlink(file);
    expect((await c.command('RETR 1', 'multi')).status).toBe('-ERR message 1 no longer exists (removed by another session)');
    expect((await c.command('TOP 1 0', 'multi')).status).toBe('-ERR message 1 no longer exists (removed by another session)');
    expect((await c.retr(2)).toString()).toContain('Subject: staying');
  });

  it('follows a message renamed by IMAP (flags) during the session', async () => {
    const file = await lab.deliverCur(letter('renamed', 'x'), '');
    const c = await lab.session();
    await fs.rename(file, file.replace(/:2,$/, ':2,F'));
    expect((await c.retr(1)).toString()).toContain('Subject: renamed');
    await c.quit();
    expect((await lab.files()).cur[0]).toMatch(/:2,FS$/);
  });

  it('creates the Maildir of a user who never got mail', async () => {
    const c = await lab.session('park', 'open sesame');
    expect(await c.stat()).toEqual({ count: 0, size: 0 });
    for (const sub of ['tmp', 'new', 'cur']) await expect(fs.stat(path.join(lab.maildir('park'), sub))).resolves.toBeTruthy();
  });
});

describe('reading ahead of the next RETR', () => {
  // RETR n reads n+1's file once its answer is on its way (clients fetch 1, 2, 3 ... in turn):
  // RETR n+1 then opens no file, and sends nothing a session removed meanwhile
  const opensOf = (spy: { mock: { calls: unknown[][] } }, file: string) => spy.mock.calls.filter(([p]) => p === file).length;

  it('sends the next message from what RETR read ahead, opening its file once', async () => {
    const files = [];
    for (const n of [1, 2, 3]) files.push(await lab.deliver(letter(`letter ${n}`, `body ${n}`)));
    const c = await lab.session();
    const opened = vi.spyOn(nodeFs, 'openSync');
    try {
      expect((await c.retr(1)).toString()).toContain('Subject: letter 1');
      // the answer to RETR 1 came after the server wrote it, and it read letter 2 then
      expect(opensOf(opened, files[1])).toBe(1);
      const second = await c.retr(2);
      expect(second.toString()).toContain('Subject: letter 2');
      expect(second.toString()).toContain('body 2');
      expect(opensOf(opened, files[1])).toBe(1);
      expect(opensOf(opened, files[2])).toBe(1);
    } finally {
      opened.mockRestore();
    }
    const ended = lab.sessionEnd();
    await c.quit();
    await ended;
    // the letters sent are marked seen; letter 3, only read ahead, was not sent and stays new
    const after = await lab.files();
    expect(after.new).toEqual([path.basename(files[2])]);
    expect(after.cur.filter((f) => f.endsWith(':2,S'))).toHaveLength(2);
  });

  it('does not send a message read ahead that another session expunged meanwhile', async () => {
    await lab.deliver(letter('first', 'a'));
    await lab.deliver(letter('expunged by IMAP', 'b'));
    await lab.deliver(letter('third', 'c'));
    const c = await lab.session();
    await c.retr(1);
    const inbox = (await lab.ctx.mailStore.folder('lee', 'INBOX'))!;
    await inbox.expunge([inbox.messages[1].uid]);
    expect((await c.command('RETR 2', 'multi')).status).toBe('-ERR message 2 no longer exists (removed by another session)');
    expect((await c.retr(3)).toString()).toContain('Subject: third');
  });

  it('sends the answer made ahead byte for byte as RETR makes it (dots, bare LFs, no last newline)', async () => {
    const stored = 'Subject: unix\n\n.dot\nline\n..two\nno newline at the end';
    await lab.deliver(letter('first', 'a'));
    await lab.deliver(stored);
    const socket = await lab.connect();
    await rawExchange(socket, '', (b) => b.includes('\r\n'));
    await rawExchange(socket, 'USER lee\r\nPASS 1234\r\n', (b) => b.toString().split('\r\n').length > 2);
    await rawExchange(socket, 'RETR 1\r\n', (b) => b.includes('\r\n.\r\n'));
    const wire = (await rawExchange(socket, 'RETR 2\r\n', (b) => b.includes('\r\n.\r\n'))).toString();
    const size = Buffer.byteLength(`${stored.replace(/\n/g, '\r\n')}\r\n`);
    expect(wire).toBe(`+OK ${size} octets\r\nSubject: unix\r\n\r\n..dot\r\nline\r\n...two\r\nno newline at the end\r\n.\r\n`);
    // TOP of a message read ahead reads its file: its own cut of the lines
    const top = (await rawExchange(socket, 'RETR 1\r\nTOP 2 1\r\n', (b) => b.toString().split('\r\n.\r\n').length > 2)).toString();
    expect(top.split('\r\n.\r\n')[1]).toBe('+OK top of message 2 follows (header and 1 line)\r\nSubject: unix\r\n\r\n..dot');
    socket.destroy();
  });

  it('reports the RETR answered from what was read ahead with its header lines, as any other', async () => {
    await lab.deliver(letter('one', '1'));
    await lab.deliver(letter('two', '2'));
    const c = await lab.session();
    await c.retr(1);
    await c.retr(2);
    await c.quit();
    const retrs = lab.trace.events.filter((e) => e.kind === 'pop3' && e.detail?.command === 'RETR');
    expect(retrs.map((e) => e.detail?.message)).toEqual([1, 2]);
    expect(retrs[1].transcript?.map((l) => l.line)).toContain('Subject: two');
    expect(retrs[1].transcript?.[1].line).toBe(retrs[0].transcript?.[1].line.replace(/^\+OK \d+/, `+OK ${retrs[1].detail?.size}`));
  });

  it('skips a message marked deleted, and reads nothing past the last', async () => {
    const files = [];
    for (const n of [1, 2, 3]) files.push(await lab.deliver(letter(`letter ${n}`, `body ${n}`)));
    const c = await lab.session();
    await c.dele(2);
    const opened = vi.spyOn(nodeFs, 'openSync');
    try {
      await c.retr(1);
      expect(opensOf(opened, files[1])).toBe(0);
      expect(opensOf(opened, files[2])).toBe(1);
      expect((await c.retr(3)).toString()).toContain('Subject: letter 3');
      expect(opened.mock.calls.length).toBe(2);
    } finally {
      opened.mockRestore();
    }
  });
});

describe('the bytes on the wire', () => {
  const dotted = ['From: kim@daum.net', 'Subject: dots', '', '.', '.leading dot', '..two dots', 'middle . dot', '...', 'end', ''].join('\r\n');

  it('byte-stuffs lines that start with "." and the client gets them back unchanged', async () => {
    await lab.deliver(dotted);
    const socket = await lab.connect();
    await rawExchange(socket, '', (b) => b.includes('\r\n'));
    await rawExchange(socket, 'USER lee\r\nPASS 1234\r\n', (b) => b.toString().split('\r\n').length > 2);
    const wire = (await rawExchange(socket, 'RETR 1\r\n', (b) => b.includes('\r\n.\r\n'))).toString();
    expect(wire).toBe(`+OK ${Buffer.byteLength(dotted)} octets\r\n` + ['From: kim@daum.net', 'Subject: dots', '', '..', '..leading dot', '...two dots', 'middle . dot', '....', 'end', '.', ''].join('\r\n'));
    const c = await lab.client();
    const ended = lab.sessionEnd();
    socket.destroy();
    await ended;
    await c.login('lee', '1234');
    expect((await c.retr(1)).toString()).toBe(dotted);
  });

  it('byte-stuffs TOP too', async () => {
    await lab.deliver(dotted);
    const c = await lab.session();
    expect((await c.top(1, 2)).toString()).toBe(['From: kim@daum.net', 'Subject: dots', '', '.', '.leading dot', ''].join('\r\n'));
  });

  it('sends LF-only files with CRLF and counts the size as sent', async () => {
    const stored = 'Subject: unix\n\nline 1\nline 2\n.dot\nno newline at the end';
    await lab.deliver(stored);
    const c = await lab.session();
    const expected = `${stored.replace(/\n/g, '\r\n')}\r\n`;
    expect((await c.retr(1)).toString()).toBe(expected);
    expect((await c.listOne(1)).size).toBe(Buffer.byteLength(expected));
  });

  it('keeps a Korean UTF-8 message byte for byte', async () => {
    const korean = Buffer.from([
      'From: =?UTF-8?B?6rmA7Jyg7IugIChraW0p?= <kim@daum.net>',
      'To: lee@naver.com',
      'Subject: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?=',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '이순신 님, 안녕하세요.',
      '.점으로 시작하는 줄',
      '메일 서버 실습 잘 받았습니다. 😀',
      '',
    ].join('\r\n'), 'utf8');
    await lab.deliver(korean);
    const c = await lab.session();
    const got = await c.retr(1);
    expect(got.equals(korean)).toBe(true);
    expect((await c.listOne(1)).size).toBe(korean.length);
  });

  it('streams a large message intact (several 64 KiB reads)', async () => {
    const lines: string[] = ['Subject: big', ''];
    for (let i = 0; i < 20_000; i++) lines.push(i % 7 === 0 ? `.line ${i} ${'x'.repeat(i % 50)}` : `line ${i} 가나다 ${'y'.repeat(i % 60)}`);
    const big = Buffer.from(lines.join('\r\n') + '\r\n');
    expect(big.length).toBeGreaterThan(3 * 64 * 1024);
    await lab.deliver(big);
    const c = await lab.session();
    expect((await c.retr(1)).equals(big)).toBe(true);
  });
});
