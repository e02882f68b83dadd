import { describe, it, expect } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { letter, encodedWord, rawImapKit, type ImapLab } from './imap-lab.ts';
import { imapDateTime } from '../../lab/mailbox/imap-syntax.ts';
import { summarize } from '../../lab/mailbox/message-summary.ts';

// Protocol edge cases over a raw socket: what no library client would send.

const kit = rawImapKit();
const { lab, connect } = kit;
const loggedIn = (l: ImapLab, select = true) => kit.session(l, select ? 'INBOX' : false);

describe('greeting, states and syntax', () => {
  it('greets with capabilities and answers LIST "" "" with the separator', async () => {
    const l = await lab();
    const c = await connect(l);
    expect(c.text).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID IDLE NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN APPENDLIMIT=10485760 ENABLE UTF8=ACCEPT AUTH=PLAIN\] mail\.naver\.com /);
    await c.command('l', 'LOGIN lee 1234');
    expect(await c.command('a', 'LIST "" ""')).toBe('* LIST (\\Noselect) "/" ""\r\na OK LIST completed\r\n');
    expect(await c.command('b', 'NAMESPACE')).toBe('* NAMESPACE (("" "/")) NIL NIL\r\nb OK Namespace completed\r\n');
    expect(await c.command('c', 'ID ("name" "raw test")')).toMatch(/^\* ID \("name" "mail-lab"/);
  });

  it('enforces states: BAD before login, BAD without a selected folder', async () => {
    const l = await lab();
    const c = await connect(l);
    expect(await c.command('a', 'SELECT INBOX')).toMatch(/^a BAD SELECT not allowed now: log in first/m);
    expect(await c.command('b', 'FETCH 1 FLAGS')).toMatch(/^b BAD/m);
    await c.command('l', 'LOGIN lee 1234');
    expect(await c.command('c', 'FETCH 1 FLAGS')).toMatch(/^c BAD FETCH not allowed now: select a mailbox first/m);
    expect(await c.command('d', 'LOGIN lee 1234')).toMatch(/^d BAD/m);
    expect(await c.command('e', 'NOOP')).toMatch(/^e OK/m);
  });

  it('answers BAD for syntax errors and goes on', async () => {
    const l = await lab();
    const c = await loggedIn(l);
    expect(await c.command('a', 'FROB')).toMatch(/^a BAD Unknown command FROB/m);
    expect(await c.command('b', 'SELECT "INBOX')).toMatch(/^b BAD unterminated quoted string/m);
    expect(await c.command('c', 'FETCH 0 FLAGS')).toMatch(/^c BAD .*sequence set/m);
    expect(await c.command('d', 'FETCH 1 (FLAGS')).toMatch(/^d BAD missing "\)"/m);
    expect(await c.command('e', 'FETCH 1 BODY[POTATO]')).toMatch(/^e BAD bad section/m);
    expect(await c.command('f', 'STORE 1 +FLAGS (\\Bogus)')).toMatch(/^f BAD invalid system flag/m);
    expect(await c.command('g', 'SEARCH FOO')).toMatch(/^g BAD unknown search key FOO/m);
    expect(await c.command('h', 'FETCH 99 FLAGS')).toMatch(/^h BAD Invalid messageset/m);
    c.clear();
    c.write('\r\n');
    expect(await c.waitFor(/^\* BAD/m)).toMatch(/empty command line/);
    expect(await c.command('i', 'NOOP')).toMatch(/^i OK/m);
  });

  it('answers NO for a failed operation: a missing folder, a failed login', async () => {
    const l = await lab();
    const c = await connect(l);
    expect(await c.command('a', 'LOGIN lee wrong')).toMatch(/^a NO \[AUTHENTICATIONFAILED\]/m);
    await c.command('l', 'LOGIN lee 1234');
    expect(await c.command('b', 'SELECT Nowhere')).toMatch(/^b NO \[NONEXISTENT\]/m);
    expect(await c.command('c', 'APPEND Nowhere {5+}\r\nhello')).toMatch(/^c NO \[TRYCREATE\]/m);
    expect(await c.command('d', 'DELETE INBOX')).toMatch(/^d NO \[CANNOT\]/m);
    expect(await c.command('e', 'STATUS INBOX (MESSAGES BOGUS)')).toMatch(/^e BAD Unknown STATUS item BOGUS/m);
  });

  it('closes after three failed logins, and traces each as refused', async () => {
    const l = await lab();
    const c = await connect(l);
    await c.command('a', 'LOGIN lee x');
    await c.command('b', 'LOGIN kim@naver.com 1234');
    expect(await c.command('c', 'LOGIN "lee@naver.com" "nope"')).toMatch(/^\* BYE Too many failed logins\r\nc NO/m);
    await c.waitClosed();
    const refused = l.trace.events.filter((e) => e.status === 'refused');
    expect(refused.map((e) => e.detail?.user)).toEqual(['lee', 'kim@naver.com', 'lee@naver.com']);
    expect(JSON.stringify(refused)).not.toMatch(/nope|"x"/);
  });
});

describe('literals', () => {
  it('takes synchronising literals after "+ Go ahead"', async () => {
    const l = await lab();
    const c = await connect(l);
    c.write('a LOGIN {3}\r\n');
    await c.waitFor(/^\+ Go ahead\r\n/m);
    c.clear();
    c.write('lee {4}\r\n');
    await c.waitFor(/^\+ /m);
    c.write('1234\r\n');
    expect(await c.tagged('a')).toMatch(/^a OK \[CAPABILITY/m);
    await c.command('s', 'SELECT INBOX');
    const hop = await l.trace.waitFor((e) => e.steps?.sendmail === '8');
    expect(hop.transcript!.map((t) => t.line)).toContain('a LOGIN lee *****');
    expect(JSON.stringify(hop.transcript)).not.toContain('1234');
  });

  it('keeps a password out of the transcript even when its LOGIN is malformed', async () => {
    const l = await lab();
    const c = await connect(l);
    expect(await c.command('x', 'LOGIN lee "secret')).toMatch(/^x BAD/m);
    await c.command('l', 'LOGIN lee 1234');
    await c.command('s', 'SELECT INBOX');
    const hop = await l.trace.waitFor((e) => e.steps?.sendmail === '8');
    expect(hop.transcript!.map((t) => t.line)).toContain('x LOGIN *****');
    expect(JSON.stringify(hop.transcript)).not.toMatch(/secret|1234/);
  });

  it('takes non-synchronising literals (LITERAL+) without a continuation', async () => {
    const l = await lab();
    const c = await connect(l);
    const text = await c.command('a', 'LOGIN {3+}\r\nlee {4+}\r\n1234');
    expect(text).not.toMatch(/^\+/m);
    expect(text).toMatch(/^a OK/m);
    const body = letter({ subject: 'via literal+' });
    c.clear();
    c.write(Buffer.concat([Buffer.from(`b APPEND INBOX (\\Seen $Lab) "02-Mar-2026 10:00:00 +0900" {${body.length}+}\r\n`), body, Buffer.from('\r\n')]));
    const appended = await c.tagged('b');
    expect(appended).toMatch(/^b OK \[APPENDUID \d+ 1\] Append completed/m);
    await c.command('s', 'SELECT INBOX');
    const fetched = await c.command('f', 'FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    expect(fetched).toContain('FLAGS (\\Seen $Lab \\Recent)'); // appended: \\Recent for the first session to see it
    expect(fetched).toContain(`INTERNALDATE "`);
    expect(fetched).toContain(`RFC822.SIZE ${body.length}`);
    expect(fetched).toContain('Subject: via literal+\r\n\r\n');
  });

  it('refuses an APPEND literal over the limit before "+ Go ahead" with NO [TOOBIG]', async () => {
    const l = await lab({ maxLiteralSize: 1000 });
    const c = await loggedIn(l, false);
    c.clear();
    c.write('a APPEND INBOX {5000}\r\n');
    const text = await c.tagged('a');
    expect(text).toMatch(/^a NO \[TOOBIG\]/m);
    expect(text).not.toMatch(/^\+/m);
    expect(await c.command('b', 'NOOP')).toMatch(/^b OK/m);
  });

  it('reads and drops a LITERAL+ literal over the limit, then answers and goes on', async () => {
    const l = await lab({ maxLiteralSize: 1000 });
    const c = await loggedIn(l, false);
    c.clear();
    c.write(Buffer.concat([Buffer.from('a APPEND INBOX {1800+}\r\n'), Buffer.alloc(1800, 'x'), Buffer.from('\r\n')]));
    expect(await c.tagged('a')).toMatch(/^a NO \[TOOBIG\]/m);
    expect(await c.command('b', 'STATUS INBOX (MESSAGES)')).toMatch(/^\* STATUS INBOX \(MESSAGES 0\)/m);
  });

  it('keeps literals small before login, and for commands other than APPEND', async () => {
    const l = await lab();
    const c = await connect(l);
    c.write('a LOGIN {100000}\r\n');
    expect(await c.tagged('a')).toMatch(/^a BAD Literal too large before login/m);
    await c.command('l', 'LOGIN lee 1234');
    c.clear();
    c.write('b CREATE {200000}\r\n');
    expect(await c.tagged('b')).toMatch(/^b BAD Literal too large for CREATE/m);
  });

  it('answers an over-long line with BAD and goes on', async () => {
    const l = await lab({ maxLineLength: 1024 });
    const c = await loggedIn(l);
    c.clear();
    c.write(`x FETCH ${'1,'.repeat(2000)}1 FLAGS\r\n`);
    expect(await c.waitFor(/^x BAD Command line too long/m)).toBeTruthy();
    expect(await c.command('y', 'NOOP')).toMatch(/^y OK/m);
  });
});

describe('authentication', () => {
  it('AUTHENTICATE PLAIN with the "+ " continuation, and with an initial response (SASL-IR)', async () => {
    const l = await lab();
    const c = await connect(l);
    c.write('a AUTHENTICATE PLAIN\r\n');
    await c.waitFor(/^\+ \r\n/m);
    c.write(`${Buffer.from('\0lee\0wrong').toString('base64')}\r\n`);
    expect(await c.tagged('a')).toMatch(/^a NO \[AUTHENTICATIONFAILED\]/m);
    c.clear();
    c.write('b AUTHENTICATE PLAIN\r\n');
    await c.waitFor(/^\+ /m);
    c.write('*\r\n');
    expect(await c.tagged('b')).toMatch(/^b BAD Authentication cancelled/m);
    const ir = Buffer.from('lee@naver.com\0lee@naver.com\x001234').toString('base64');
    expect(await c.command('c', `AUTHENTICATE PLAIN ${ir}`)).toMatch(/^c OK \[CAPABILITY/m);
    await c.command('s', 'SELECT INBOX');
    const hop = l.trace.events.find((e) => e.status === 'ok' && e.steps?.sendmail === '8')!;
    expect(hop.detail).toEqual({ user: 'lee', mailbox: 'INBOX' });
    const said = JSON.stringify(hop.transcript);
    expect(said).toContain('AUTHENTICATE PLAIN *****');
    expect(said).not.toContain(ir);
    expect(said).not.toContain(Buffer.from('\0lee\0wrong').toString('base64'));
  });
});

describe('folders', () => {
  it('refuses folder names that would leave the mailbox', async () => {
    const l = await lab();
    const c = await loggedIn(l, false);
    for (const [i, name] of ['"../kim"', '"a/../../x"', '.hidden', '"/etc"', '"a.b"', '{5+}\r\n..%2f'].entries()) {
      expect(await c.command(`c${i}`, `CREATE ${name}`)).toMatch(new RegExp(`^c${i} (NO \\[CANNOT\\]|BAD)`, 'm'));
    }
    expect(await c.command('d', 'SELECT "../kim"')).toMatch(/^d NO \[CANNOT\]/m);
    expect(await c.command('e', 'RENAME INBOX "../../stolen"')).toMatch(/^e NO \[CANNOT\]/m);
    const mail = path.join(l.ctx.dataDir, 'mail');
    expect(await fs.readdir(mail)).toEqual(['lee']);
    expect((await fs.readdir(path.join(mail, 'lee'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('creates, lists with wildcards, renames (children too), subscribes and deletes', async () => {
    const l = await lab();
    const c = await loggedIn(l, false);
    for (const name of ['Sent', 'Archive/2025', 'Archive/2026', 'Archive/2026/Q1']) expect(await c.command('c', `CREATE "${name}"`)).toMatch(/^c OK/m);
    expect(await c.command('x', 'CREATE Sent')).toMatch(/^x NO \[ALREADYEXISTS\]/m);
    expect(await c.command('l1', 'LIST "" "%"')).toBe(
      '* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\Noselect \\HasChildren) "/" Archive\r\n* LIST (\\HasNoChildren) "/" Sent\r\nl1 OK LIST completed\r\n',
    );
    expect(await c.command('l2', 'LIST Archive/ *')).toBe(
      '* LIST (\\HasNoChildren) "/" Archive/2025\r\n* LIST (\\HasChildren) "/" Archive/2026\r\n* LIST (\\HasNoChildren) "/" Archive/2026/Q1\r\nl2 OK LIST completed\r\n',
    );
    expect(await c.command('l3', 'LIST "" inbox')).toMatch(/^\* LIST \(\\HasNoChildren\) "\/" INBOX\r\n/);
    expect(await c.command('r', 'RENAME Archive/2026 Old')).toMatch(/^r OK/m);
    expect(await c.command('l4', 'LIST "" Old*')).toBe('* LIST (\\HasChildren) "/" Old\r\n* LIST (\\HasNoChildren) "/" Old/Q1\r\nl4 OK LIST completed\r\n');
    expect(await c.command('s1', 'SUBSCRIBE Sent')).toMatch(/^s1 OK/m);
    expect(await c.command('s2', 'LSUB "" *')).toBe('* LSUB () "/" Sent\r\ns2 OK LSUB completed\r\n');
    expect(await c.command('s3', 'UNSUBSCRIBE Sent')).toMatch(/^s3 OK/m);
    expect(await c.command('s4', 'LSUB "" *')).toBe('s4 OK LSUB completed\r\n');
    expect(await c.command('d', 'DELETE Archive/2025')).toMatch(/^d OK/m);
    expect(await c.command('d2', 'DELETE Archive/2025')).toMatch(/^d2 NO \[NONEXISTENT\]/m);
    expect(await fs.readdir(path.join(l.ctx.dataDir, 'mail', 'lee'))).toEqual(expect.arrayContaining(['.Old', '.Old.Q1', '.Sent']));
  });

  it('RENAME INBOX moves its messages to the new folder and leaves INBOX empty', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ subject: 'one' }));
    await l.store.deliver('lee', letter({ subject: 'two' }));
    const c = await loggedIn(l, false);
    expect(await c.command('r', 'RENAME INBOX Saved')).toMatch(/^r OK/m);
    expect(await c.command('a', 'STATUS INBOX (MESSAGES)')).toMatch(/^\* STATUS INBOX \(MESSAGES 0\)/m);
    expect(await c.command('b', 'STATUS Saved (MESSAGES UIDNEXT)')).toMatch(/^\* STATUS Saved \(MESSAGES 2 UIDNEXT 3\)/m);
  });
});

describe('FETCH', () => {
  const multipart = Buffer.from([
    'From: kim@daum.net',
    'To: lee@naver.com',
    'Subject: parts',
    'Content-Type: multipart/mixed; boundary=b1',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    '0123456789',
    '--b1',
    'Content-Type: text/html',
    '',
    '<b>x</b>',
    '--b1--',
    '',
  ].join('\r\n'));

  it('makes BODYSTRUCTURE when first asked for, after an ENVELOPE built the index, alone or with a header or body fetch', async () => {
    const l = await lab();
    for (let i = 0; i < 3; i++) await l.store.deliver('lee', multipart);
    const structure = summarize(multipart).bodystructure!;
    const c = await loggedIn(l);
    expect(await c.command('a', 'FETCH 1:3 ENVELOPE')).toMatch(/"parts"/);
    const inbox = (await l.store.folder('lee', 'INBOX'))!;
    expect(inbox.entryOf(inbox.messages[0])!.bodystructure).toBeNull();
    expect(await c.command('b', 'FETCH 1 BODYSTRUCTURE')).toBe(`* 1 FETCH (BODYSTRUCTURE ${structure})\r\nb OK Fetch completed\r\n`);
    expect(await c.command('c', 'FETCH 2 (BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).toBe(`* 2 FETCH (BODYSTRUCTURE ${structure} BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: parts\r\n\r\n)\r\nc OK Fetch completed\r\n`);
    expect(await c.command('d', 'FETCH 3 (BODY BODY.PEEK[1])')).toMatch(/^\* 3 FETCH \(BODY \(\("text" "plain" .* "mixed"\) BODY\[1\] \{10\}\r\n/);
    expect(inbox.entryOf(inbox.messages[2])!.bodystructure).toBe(structure);
  });

  it('returns sections, partials and structure items; a fetch without PEEK sets \\Seen', async () => {
    const l = await lab();
    await l.store.deliver('lee', multipart);
    const c = await loggedIn(l);
    expect(await c.command('a', 'FETCH 1 (BODY.PEEK[1]<2.5> BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS.NOT (From To Content-Type)])')).toBe(
      '* 1 FETCH (BODY[1]<2> {5}\r\n23456 BODY[2.MIME] {27}\r\nContent-Type: text/html\r\n\r\n BODY[HEADER.FIELDS.NOT (FROM TO CONTENT-TYPE)] {18}\r\nSubject: parts\r\n\r\n)\r\na OK Fetch completed\r\n',
    );
    expect(await c.command('b', 'FETCH 1 (BODY.PEEK[3] BODY.PEEK[]<9999>)')).toBe('* 1 FETCH (BODY[3] NIL BODY[]<9999> {0}\r\n)\r\nb OK Fetch completed\r\n');
    expect(await c.command('c', 'FETCH 1 FLAGS')).toBe('* 1 FETCH (FLAGS (\\Recent))\r\nc OK Fetch completed\r\n');
    expect(await c.command('d', 'FETCH 1 BODY[TEXT]<0.12>')).toBe(`* 1 FETCH (BODY[TEXT]<0> {12}\r\n--b1\r\nConten FLAGS (\\Seen \\Recent))\r\nd OK Fetch completed\r\n`);
    const full = await c.command('e', 'FETCH 1 FULL');
    expect(full).toMatch(/^\* 1 FETCH \(FLAGS \(\\Seen \\Recent\) INTERNALDATE "\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}" RFC822\.SIZE \d+ ENVELOPE \(NIL "parts" /);
    expect(full).toContain('BODY (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 8 1) "mixed"))');
    const rfc822 = await c.command('f', 'UID FETCH 1 (RFC822.HEADER RFC822.TEXT)');
    expect(rfc822).toMatch(/^\* 1 FETCH \(UID 1 RFC822\.HEADER \{\d+\}\r\nFrom: kim@daum\.net\r\n/);
    expect(rfc822).toContain('RFC822.TEXT {');
    // indexed now: a header-only fetch reads only the header's bytes of the file
    expect(await c.command('g', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[HEADER]<0.10>)')).toBe(
      '* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: parts\r\n\r\n BODY[HEADER]<0> {10}\r\nFrom: kim@)\r\ng OK Fetch completed\r\n',
    );
  });

  it('UID FETCH n:* names the last message even past the highest UID; UID sets never fail', async () => {
    const l = await lab();
    for (const s of ['a', 'b', 'c']) await l.store.deliver('lee', letter({ subject: s }));
    const c = await loggedIn(l);
    expect(await c.command('a', 'UID FETCH 10:* FLAGS')).toBe('* 3 FETCH (UID 3 FLAGS (\\Recent))\r\na OK Fetch completed\r\n');
    expect(await c.command('b', 'UID FETCH 7,9 FLAGS')).toBe('b OK Fetch completed\r\n');
    expect(await c.command('c', 'UID SEARCH UID 2:*')).toBe('* SEARCH 2 3\r\nc OK Search completed\r\n');
  });

  it('a body FETCH is hops 9-10: held at the step gate, then traced with uids and transcript', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ subject: 'traced letter' }));
    const held: string[] = [];
    l.trace.setGate(async (preview) => {
      held.push(`${preview.from}->${preview.to} ${preview.steps?.sendmail}`);
    });
    const c = await loggedIn(l);
    await c.command('f', 'UID FETCH 1 BODY.PEEK[]');
    expect(held).toEqual(['Server->outside 9-10']);
    const hop = await l.trace.waitFor((e) => e.steps?.sendmail === '9-10');
    expect(hop).toMatchObject({ kind: 'imap', protocol: 'IMAP', from: 'Server', to: 'outside', status: 'ok', detail: { user: 'lee', mailbox: 'INBOX', uids: [1] } });
    const lines = hop.transcript!.map((t) => `${t.dir}: ${t.line}`);
    expect(lines[0]).toBe('C: f UID FETCH 1 BODY.PEEK[]');
    expect(lines[1]).toMatch(/^S: \* 1 FETCH \(UID 1 BODY\[\] \{\d+\}$/);
    expect(lines).toContain('S: Subject: traced letter');
    expect(lines.at(-2)).toBe('S: ...');
    expect(lines.at(-1)).toBe('S: f OK Fetch completed');
    // only FLAGS, or only header fields (a mail program listing the folder): no transfer
    await c.command('g', 'FETCH 1 (FLAGS ENVELOPE)');
    await c.command('h', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.HEADER)');
    expect(l.trace.events.filter((e) => e.steps?.sendmail === '9-10')).toHaveLength(1);
  });
});

describe('SEARCH', () => {
  it('finds a Korean subject with CHARSET UTF-8 and a literal; other charsets are BADCHARSET', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ subject: encodedWord('메일 서버 실습'), body: 'x' }));
    await l.store.deliver('lee', letter({ subject: 'ascii only', body: '본문에 한글이 있습니다', date: 'Sun, 1 Feb 2026 23:30:00 -0500' }));
    const c = await loggedIn(l);
    const needle = Buffer.from('서버');
    c.clear();
    c.write(`a SEARCH CHARSET UTF-8 SUBJECT {${needle.length}}\r\n`);
    await c.waitFor(/^\+ /m);
    c.write(Buffer.concat([needle, Buffer.from('\r\n')]));
    expect(await c.tagged('a')).toMatch(/^\* SEARCH 1\r\na OK/m);
    expect(await c.command('b', `SEARCH CHARSET UTF-8 BODY {9+}\r\n${'한글이'}`)).toMatch(/^\* SEARCH 2\r\n/m);
    expect(await c.command('c', 'SEARCH CHARSET EUC-KR SUBJECT x')).toMatch(/^c NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/m);
    expect(await c.command('d', 'SEARCH SENTON 1-Feb-2026')).toMatch(/^\* SEARCH 2\r\n/m);
    expect(await c.command('e', 'SEARCH OR SUBJECT ascii (TEXT 실습 NOT SEEN)')).toMatch(/^\* SEARCH 1 2\r\n/m);
    expect(await c.command('f', 'SEARCH HEADER Message-ID daum.net LARGER 10 SMALLER 100000 NOT DELETED 1:*')).toMatch(/^\* SEARCH 1 2\r\n/m);
    expect(await c.command('g', 'SEARCH NEW')).toMatch(/^\* SEARCH 1 2\r\n/m);
    await c.command('h', 'STORE 2 +FLAGS.SILENT (\\Seen)');
    expect(await c.command('i', 'SEARCH UNSEEN RECENT')).toMatch(/^\* SEARCH 1\r\n/m);
    expect(await c.command('j', 'SEARCH SINCE 1-Jan-2000 BEFORE 1-Jan-2100')).toMatch(/^\* SEARCH 1 2\r\n/m);
  });
});

describe('INTERNALDATE of an entry built without a stat', () => {
  it('is the file time after a FETCH ENVELOPE built the index, for FETCH and for SEARCH', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ subject: 'old file' }));
    await l.store.deliver('lee', letter({ subject: 'new file' }));
    const inbox = (await l.store.folder('lee', 'INBOX'))!;
    await inbox.sync();
    const when = new Date('2025-03-04T12:00:00Z');
    await fs.utimes(inbox.pathOf(inbox.messages[0]), when, when);
    const c = await loggedIn(l);
    expect(await c.command('a', 'FETCH 1:* ENVELOPE')).toMatch(/"old file"[\s\S]*"new file"/);
    expect(await c.command('b', 'FETCH 1 INTERNALDATE')).toContain(`* 1 FETCH (INTERNALDATE "${imapDateTime(when.getTime())}")`);
    const day = imapDateTime(when.getTime()).slice(0, 11);
    expect(await c.command('c', `SEARCH ON ${day}`)).toMatch(/^\* SEARCH 1\r\n/m);
    expect(await c.command('d', `SEARCH SINCE ${imapDateTime(Date.now()).slice(0, 11)}`)).toMatch(/^\* SEARCH 2\r\n/m);
  });
});

describe('news of changes from other sessions and deliveries', () => {
  it('tells EXISTS on NOOP after a delivery and before any tagged reply; \\Recent goes to one session', async () => {
    const l = await lab();
    const a = await loggedIn(l);
    const b = await connect(l);
    await b.command('l', 'LOGIN lee 1234');
    await b.command('s', 'EXAMINE INBOX');
    await l.store.deliver('lee', letter({ subject: 'new' }));
    expect(await a.command('n', 'NOOP')).toBe('* 1 EXISTS\r\n* 1 RECENT\r\nn OK NOOP completed\r\n');
    expect(await b.command('n', 'NOOP')).toBe('* 1 EXISTS\r\n* 0 RECENT\r\nn OK NOOP completed\r\n');
    expect(await a.command('f', 'FETCH 1 FLAGS')).toBe('* 1 FETCH (FLAGS (\\Recent))\r\nf OK Fetch completed\r\n');
    expect(await b.command('f', 'FETCH 1 FLAGS')).toBe('* 1 FETCH (FLAGS ())\r\nf OK Fetch completed\r\n');
  });

  it('tells flag changes and EXPUNGE of another session, but not EXPUNGE during FETCH', async () => {
    const l = await lab();
    for (const s of ['a', 'b', 'c']) await l.store.deliver('lee', letter({ subject: s }));
    const a = await loggedIn(l);
    const b = await loggedIn(l);
    await b.command('x', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    await b.command('y', 'EXPUNGE');
    // FETCH may not shift sequence numbers: the EXPUNGE waits (RFC 3501 section 7.4.1)
    const fetched = await a.command('f', 'FETCH 3 (UID)');
    expect(fetched).toBe('* 3 FETCH (UID 3)\r\nf OK Fetch completed\r\n');
    expect(await a.command('n', 'NOOP')).toBe('* 2 EXPUNGE\r\nn OK NOOP completed\r\n');
    await b.command('z', 'STORE 1 +FLAGS (\\Flagged)');
    expect(await a.command('m', 'NOOP')).toBe('* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))\r\nm OK NOOP completed\r\n');
  });

  it('says BYE when the UID list is replaced under a session (UIDVALIDITY changed), and when its folder is deleted', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ subject: 'a' }));
    const a = await loggedIn(l);
    await fs.writeFile(path.join(l.store.userDir('lee'), 'dovecot-uidlist'), '3 V7 N1\n');
    a.write('n NOOP\r\n');
    expect(await a.waitFor(/^\* BYE /m)).toMatch(/^\* BYE Selected mailbox was deleted or replaced/m);
    await a.waitClosed();
    const b = await loggedIn(l);
    expect(b.text).toMatch(/^\* OK \[UIDVALIDITY 7\]/m);
    await b.command('c', 'CREATE Gone');
    await b.command('s', 'SELECT Gone');
    const c = await loggedIn(l, false);
    expect(await c.command('d', 'DELETE Gone')).toMatch(/^d OK/m);
    b.clear();
    b.write('n NOOP\r\n');
    await b.waitFor(/^\* BYE /m);
    await b.waitClosed();
  });

  it('IDLE tells a delivery at once, and ends with DONE', async () => {
    const l = await lab();
    const c = await loggedIn(l);
    c.clear();
    c.write('i IDLE\r\n');
    await c.waitFor(/^\+ idling\r\n/m);
    await l.store.deliver('lee', letter({ subject: 'while idling' }));
    await c.waitFor(/^\* 1 EXISTS\r\n\* 1 RECENT\r\n/m);
    c.write('DONE\r\n');
    expect(await c.tagged('i')).toMatch(/^i OK IDLE terminated/m);
    c.clear();
    c.write('j IDLE\r\n');
    await c.waitFor(/^\+ idling/m);
    c.write('NOT DONE\r\n');
    expect(await c.tagged('j')).toMatch(/^j BAD Expected DONE/m);
  });

  it('MOVE answers COPYUID before the EXPUNGE; COPY, UID EXPUNGE, CLOSE and UNSELECT', async () => {
    const l = await lab();
    for (const s of ['a', 'b', 'c', 'd']) await l.store.deliver('lee', letter({ subject: s }));
    const c = await loggedIn(l);
    await c.command('k', 'CREATE Keep');
    expect(await c.command('m', 'MOVE 2:3 Keep')).toMatch(/^\* OK \[COPYUID \d+ 2:3 1:2\] Moved\r\n\* 3 EXPUNGE\r\n\* 2 EXPUNGE\r\nm OK Move completed\r\n$/);
    expect(await c.command('c', 'UID COPY 4 Keep')).toMatch(/^c OK \[COPYUID \d+ 4 3\] Copy completed/m);
    expect(await c.command('t', 'COPY 1 Nowhere')).toMatch(/^t NO \[TRYCREATE\]/m);
    await c.command('s', 'STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    expect(await c.command('u', 'UID EXPUNGE 4')).toBe('* 2 EXPUNGE\r\nu OK Expunge completed\r\n');
    expect(await c.command('cl', 'CLOSE')).toBe('cl OK Close completed\r\n');
    expect(await c.command('st', 'STATUS INBOX (MESSAGES)')).toMatch(/\(MESSAGES 0\)/);
    await c.command('e', 'EXAMINE Keep');
    expect(await c.command('w', 'STORE 1 +FLAGS (\\Seen)')).toMatch(/^w NO \[READ-ONLY\]/m);
    expect(await c.command('un', 'UNSELECT')).toMatch(/^un OK/m);
    expect(await c.command('f', 'FETCH 1 FLAGS')).toMatch(/^f BAD/m);
  });
});

describe('limits', () => {
  it('logs out an idle session with BYE', async () => {
    const l = await lab({ idleTimeoutMs: 100 });
    const c = await loggedIn(l);
    await c.waitClosed();
    expect(c.text).toMatch(/^\* BYE Idle for more than 100 ms \(no command\), logging out\r\n/m);
  });

  it('greets one client too many with BYE', async () => {
    const l = await lab({ maxClients: 1 });
    await connect(l);
    const second = await connect(l);
    expect(second.text).toMatch(/^\* BYE \[UNAVAILABLE\] Too many connections \(1 at most\); try again later\r\n/);
    await second.waitClosed();
  });
});
