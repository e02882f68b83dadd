import { describe, it, expect } from 'vitest';
import { letter, rawImapKit, type RawClient, type ImapLab } from './imap-lab.ts';

// What Dovecot's imaptest found, each as a test of the project's own, over a raw socket: the
// answers are those RFC 3501 (and RFC 2180, 7888, 7889) ask for and Dovecot 2.3 gives.

const kit = rawImapKit();
const { lab } = kit;
const session = (l: ImapLab, folder: string | undefined = 'INBOX') => kit.session(l, folder ?? false);

/** APPEND a message with a LITERAL+ literal; resolves with the tagged reply. */
async function append(c: RawClient, folder: string, message: Buffer | string, flags = ''): Promise<string> {
  const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message);
  c.clear();
  c.write(Buffer.concat([Buffer.from(`ap APPEND ${folder} ${flags ? `(${flags}) ` : ''}{${bytes.length}+}\r\n`), bytes, Buffer.from('\r\n')]));
  return c.tagged('ap');
}

/** The untagged lines of a reply, in order. */
const untagged = (reply: string) => reply.split('\r\n').filter((line) => line.startsWith('* '));

describe('atoms and astrings (RFC 3501 section 9)', () => {
  it('takes "[" and "]" inside a mailbox name: NO for a missing folder, not BAD, and the session goes on', async () => {
    const l = await lab();
    const c = await session(l, undefined);
    // imaptest's atoms test: every ATOM-CHAR, "[" among them
    expect(await c.command('a', "SELECT !#$&'+,-0123456789:;<=>?@^_`|[}")).toMatch(/^a NO /m);
    expect(await c.command('b', "LIST \"\" !#$&'+,-0123456789:;<=>?@^_`|[}%*")).toMatch(/^b OK /m);
    expect(await c.command('c', 'CREATE box[1]')).toMatch(/^c OK /m);
    expect(await c.command('d', 'SELECT box[1]')).toMatch(/^d OK \[READ-WRITE\]/m);
    expect(await c.command('e', 'LIST "" box[1]')).toMatch(/^\* LIST \(\\HasNoChildren\) "\/" "box\[1\]"\r\n/m);
    // and FETCH's sections still open at "[" after BODY
    await append(c, 'box[1]', letter({ subject: 'bracket' }));
    expect(await c.command('f', 'FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).toMatch(/BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: bracket\r\n/);
  });
});

describe('FLAGS and PERMANENTFLAGS when a keyword comes into use (RFC 3501 section 7.2.6)', () => {
  it('names a new keyword before any FETCH shows it, in this session and in another one', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ subject: 'one' }));
    const a = await session(l);
    const b = await session(l);
    const stored = untagged(await a.command('k', 'STORE 1 +FLAGS ($Forwarded)'));
    expect(stored[0]).toBe('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)');
    expect(stored[1]).toBe('* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] Flags permitted.');
    expect(stored[2]).toMatch(/^\* 1 FETCH \(FLAGS \(.*\$Forwarded/);
    const told = untagged(await b.command('n', 'NOOP'));
    expect(told[0]).toBe('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)');
    expect(told.findIndex((line) => line.includes('FETCH'))).toBeGreaterThan(1);
    // told once: the next keyword already known brings no FLAGS again
    expect(untagged(await a.command('k2', 'STORE 1 -FLAGS ($Forwarded)')).some((line) => line.startsWith('* FLAGS'))).toBe(false);
  });
});

describe('\\Recent after COPY (RFC 3501 section 2.3.2)', () => {
  it('gives copies \\Recent in the session that has the target selected, and in STATUS when nobody has', async () => {
    const l = await lab();
    for (let i = 0; i < 30; i++) await l.store.deliver('lee', letter({ subject: `m${i}` }));
    const a = await session(l);
    expect(await a.command('c', 'CREATE Archive')).toMatch(/^c OK/m);
    const b = await session(l, 'Archive');
    expect(await a.command('k', 'COPY 1:30 Archive')).toMatch(/^k OK \[COPYUID /m);
    const news = untagged(await b.command('n', 'NOOP'));
    expect(news).toEqual(expect.arrayContaining(['* 30 EXISTS', '* 30 RECENT']));
    const flags = untagged(await b.command('f', 'FETCH 1:30 (FLAGS)'));
    expect(flags.filter((line) => line.includes('\\Recent'))).toHaveLength(30);
    // a copy into a folder nobody has selected is \Recent for the next one who looks
    expect(await a.command('c2', 'CREATE Later')).toMatch(/^c2 OK/m);
    expect(await a.command('k2', 'COPY 1:30 Later')).toMatch(/^k2 OK/m);
    expect(await a.command('st', 'STATUS Later (MESSAGES RECENT)')).toMatch(/^\* STATUS Later \(MESSAGES 30 RECENT 30\)\r\n/m);
  });

  it('gives a copy into the selected folder itself \\Recent', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ subject: 'self' }));
    const a = await session(l);
    const copied = await a.command('k', 'COPY 1 INBOX');
    expect(untagged(copied)).toEqual(['* 2 EXISTS', '* 2 RECENT']);
    expect(await a.command('f', 'FETCH 2 (FLAGS)')).toMatch(/^\* 2 FETCH \(FLAGS \(\\Recent\)\)\r\n/m);
  });
});

describe('ENVELOPE (RFC 3501 section 7.4.2)', () => {
  it('keeps the source route of an angle address, and names missing parts as dovecot does', async () => {
    const l = await lab();
    await l.store.deliver('lee', Buffer.from('Date: Thu, 15 Feb 2007 01:02:03 +0200\r\nFrom: <@route:user@domain>\r\nTo: "Name" <@a,@b:lee@naver.com>, nobody\r\nCc: group: (just a comment) ;\r\n\r\nbody\r\n'));
    const c = await session(l);
    expect(await c.command('e', 'FETCH 1 ENVELOPE')).toMatch(
      /^\* 1 FETCH \(ENVELOPE \("Thu, 15 Feb 2007 01:02:03 \+0200" NIL \(\(NIL "@route" "user" "domain"\)\) \(\(NIL "@route" "user" "domain"\)\) \(\(NIL "@route" "user" "domain"\)\) \(\("Name" "@a,@b" "lee" "naver.com"\)\(NIL NIL "nobody" "MISSING_DOMAIN"\)\) \(\(NIL NIL "group" NIL\)\(NIL NIL NIL NIL\)\) NIL NIL NIL\)\)\r\n/m,
    );
  });
});

describe('SEARCH FROM, TO, CC, BCC on the parsed addresses (RFC 3501 section 6.4.4)', () => {
  it('finds the address however the header wrote it, and the decoded name', async () => {
    const l = await lab();
    await l.store.deliver('lee', letter({ from: '<user-from (comment)@ (comment) domain.org>', subject: 'comments' }));
    await l.store.deliver('lee', letter({ from: 'RealFrom <user-from@domain.org>', subject: 'named' }));
    await l.store.deliver('lee', letter({ from: '=?UTF-8?B?6rmA7Jyg7Iug?= <kim@daum.net>', subject: 'korean' }));
    const c = await session(l);
    expect(await c.command('a', 'SEARCH FROM user-from@domain.org')).toMatch(/^\* SEARCH 1 2\r\n/m);
    expect(await c.command('b', 'SEARCH FROM realfrom')).toMatch(/^\* SEARCH 2\r\n/m);
    expect(await c.command('c', 'SEARCH CHARSET UTF-8 FROM {9+}\r\n김유신')).toMatch(/^\* SEARCH 3\r\n/m);
    expect(await c.command('d', 'SEARCH TO lee@naver.com')).toMatch(/^\* SEARCH 1 2 3\r\n/m);
  });
});

describe('LSUB (RFC 3501 section 6.3.9)', () => {
  it('answers a subscribed child\'s unsubscribed parent for "%", flagged \\Noselect', async () => {
    const l = await lab();
    const c = await session(l, undefined);
    for (const name of ['box/test', 'box/test2/test', 'box/test3/test3', 'box/test2']) expect(await c.command('c', `CREATE ${name}`)).toMatch(/^c OK/m);
    for (const name of ['box/test', 'box/test2/test', 'box/test3/test3']) expect(await c.command('s', `SUBSCRIBE ${name}`)).toMatch(/^s OK/m);
    expect(untagged(await c.command('a', 'LSUB "" box/%'))).toEqual(['* LSUB () "/" box/test', '* LSUB (\\Noselect) "/" box/test2', '* LSUB (\\Noselect) "/" box/test3']);
    expect(untagged(await c.command('b', 'LSUB "" *test'))).toEqual(['* LSUB () "/" box/test', '* LSUB () "/" box/test2/test']);
  });
});

describe('a message another session expunged (RFC 2180 section 4, as dovecot answers)', () => {
  it('STORE changes it in this view and answers OK; FETCH answers what is known, NIL for the rest, OK [EXPUNGEISSUED]', async () => {
    const l = await lab();
    for (const s of ['one', 'two', 'three']) await l.store.deliver('lee', letter({ subject: s }));
    const a = await session(l);
    expect(await a.command('e', 'FETCH 2 (ENVELOPE)')).toMatch(/"two"/);
    const b = await session(l);
    await b.command('d', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    expect(await b.command('x', 'EXPUNGE')).toMatch(/^\* 2 EXPUNGE\r\n/m);
    // a has not been told: message 2 is still there for it
    expect(await a.command('st', 'STORE 2 +FLAGS (\\Seen)')).toMatch(/^\* 2 FETCH \(FLAGS \(\\Seen \\Deleted \\Recent\)\)\r\nst OK Store completed\r\n/m);
    const fetched = await a.command('f', 'FETCH 2 (FLAGS ENVELOPE BODY[])');
    expect(fetched).toMatch(/^\* 2 FETCH \(FLAGS \(\\Seen \\Deleted \\Recent\) ENVELOPE \(.*"two".*\) BODY\[\] NIL\)\r\n/m);
    expect(fetched).toMatch(/^f OK \[EXPUNGEISSUED\] /m);
    expect(await a.command('f2', 'FETCH 1:3 (UID FLAGS)')).toMatch(/^\* 1 FETCH .*\r\n\* 2 FETCH .*\r\n\* 3 FETCH .*\r\nf2 OK /m);
    // and the EXPUNGE comes with the next command that may carry it
    expect(await a.command('n', 'NOOP')).toMatch(/^\* 2 EXPUNGE\r\n/m);
    expect(await a.command('f3', 'FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).toMatch(/Subject: three/);
  });
});

describe('APPEND over the limit (RFC 7889 APPENDLIMIT, RFC 7888 section 4)', () => {
  it('advertises APPENDLIMIT; a LITERAL+ literal over it gets NO [TOOBIG] and the session goes on', async () => {
    const l = await lab({ maxLiteralSize: 4096 });
    const c = await session(l, undefined);
    expect(await c.command('cap', 'CAPABILITY')).toMatch(/^\* CAPABILITY .* APPENDLIMIT=4096[ \r]/m);
    expect(await c.command('st', 'STATUS INBOX (APPENDLIMIT)')).toMatch(/^\* STATUS INBOX \(APPENDLIMIT 4096\)\r\n/m);
    const reply = await append(c, 'INBOX', Buffer.alloc(10_000, 'x'));
    expect(reply).toMatch(/^ap NO \[TOOBIG\] Message too large \(at most 4096 octets\)\r\n/m);
    expect(reply).not.toMatch(/BYE/);
    expect(await c.command('n', 'NOOP')).toMatch(/^n OK /m);
    expect(await append(c, 'INBOX', letter({ subject: 'small' }))).toMatch(/^ap OK \[APPENDUID /m);
  });

  it('a literal too large even to discard: NO [TOOBIG], then BYE [TOOBIG] saying why, and the client reads both', async () => {
    const l = await lab({ maxLiteralSize: 4096 });
    const c = await session(l, undefined);
    c.clear();
    c.write('big APPEND INBOX {1000000+}\r\n');
    c.write(Buffer.alloc(200_000, 'x'));
    const text = await c.waitFor(/^\* BYE .*\r\n/m);
    expect(text).toMatch(/^big NO \[TOOBIG\] .*\r\n\* BYE \[TOOBIG\] A literal of 1000000 octets is too large even to read and discard/m);
    await c.waitClosed();
  });
});
