import { describe, it, expect } from 'vitest';
import { once } from 'node:events';
import { letter, rawImapKit, type ImapLab } from './imap-lab.ts';
import { ManualClock, trickle } from './manual-clock.ts';

// The dovecot role's IMAP side against clients that try to exhaust it: more connections than
// `limits.clients`, clients that say nothing or trickle a line, clients that do not read, floods
// of literals and command lines, MIME and header bombs. Each is answered with a reason, the
// server goes on serving the others, and a well-behaved client after it gets its answers.
// Time-outs run on a ManualClock the test moves: nothing here waits for time to pass.

const kit = rawImapKit();
const { lab, connect } = kit;
const session = (l: ImapLab, select = true) => kit.session(l, select ? 'INBOX' : false);

/** A client after the attack: it connects, logs in and reads INBOX as usual. */
async function stillServes(l: ImapLab): Promise<void> {
  const c = await session(l);
  expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
  c.close();
}

describe('a connection flood past limits.clients', () => {
  it('refuses the ones over the limit with BYE and the reason, and serves the others', async () => {
    const l = await lab({}, { limits: { clients: 5 } });
    const all = await Promise.all(Array.from({ length: 40 }, () => connect(l)));
    const greeted = all.filter((c) => /^\* OK /.test(c.text));
    const refused = all.filter((c) => /^\* BYE /.test(c.text));
    expect(greeted).toHaveLength(5);
    expect(refused).toHaveLength(35);
    expect(refused[0].text).toBe('* BYE [UNAVAILABLE] Too many connections (5 at most); try again later\r\n');
    await Promise.all(refused.map((c) => c.waitClosed()));
    for (const c of greeted) expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
    greeted[0].close();
    await greeted[0].waitClosed();
    // a seat is free again once a session has gone
    let next = await connect(l);
    while (!/^\* OK /.test(next.text)) next = await connect(l);
    expect(await next.command('l', 'LOGIN lee 1234')).toMatch(/^l OK/m);
  });
});

describe('idle and slow clients, on the host clock', () => {
  it("logs out a client that says nothing before login at the topology's idle time-out, and not while the clock stands still", async () => {
    const clock = new ManualClock();
    const l = await lab({}, { clock, limits: { idleTimeout: 200 } });
    expect(l.server.limits.loginIdleTimeoutMs).toBe(200);
    // after login: RFC 3501 section 5.4's 30 minutes at least
    expect(l.server.limits.idleTimeoutMs).toBe(30 * 60_000);
    const c = await connect(l);
    await clock.looked(3); // the idle timer has looked, and the clock stood still
    expect(c.closed).toBe(false);
    clock.advance(200);
    await c.waitClosed();
    expect(c.text).toMatch(/^\* BYE Idle for more than 200 ms \(no command\), logging out\r\n/m);
    await stillServes(l);
  });

  it('gives a logged-in session the longer time-out', async () => {
    const clock = new ManualClock();
    const l = await lab({}, { clock, limits: { idleTimeout: 200 } });
    const c = await session(l);
    clock.advance(1000);
    await clock.looked(1);
    expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
    clock.advance(30 * 60_000);
    await c.waitClosed();
    expect(c.text).toMatch(/^\* BYE Idle for more than 30 minutes \(no command\), logging out\r\n/m);
  });

  it('counts a line trickled a byte at a time as idle: only whole commands keep a session', async () => {
    const clock = new ManualClock();
    const l = await lab({}, { clock, limits: { idleTimeout: 200 } });
    const c = await connect(l);
    await trickle(clock, (text) => c.write(text), 'a NO', 'O');
    await c.waitClosed();
    expect(c.text).toMatch(/^\* BYE Idle for more than 200 ms/m);
  });

  it('cuts off a client that asked for mail and does not read it, at the idle time-out; others go on', async () => {
    const clock = new ManualClock();
    const l = await lab({}, { clock });
    for (let i = 0; i < 4; i++) await l.store.deliver('lee', letter({ subject: `big ${i}`, body: `${'0123456789abcdef'.repeat(64 * 1024)}` }));
    const c = await session(l);
    // the server's side of this session: its close is the event to wait for (the client does not
    // read, so it would not notice)
    const serverSide = [...l.server.connections].at(-1)!.socket;
    const closed = once(serverSide, 'close');
    c.socket.pause(); // never reads again
    c.write('f FETCH 1:4 (BODY.PEEK[])\r\n');
    await clock.looked(2);
    expect(serverSide.writableLength).toBeGreaterThan(0); // held by back-pressure
    clock.advance(l.server.limits.idleTimeoutMs);
    await closed;
    await stillServes(l);
  });
});

describe('literal floods', () => {
  it('before login: many small literals in one command are refused once they add up', async () => {
    const l = await lab();
    const c = await connect(l);
    c.clear();
    const part = `{8000+}\r\n${'x'.repeat(8000)}`;
    c.write(`a ID (${Array.from({ length: 10 }, (_, i) => `"k${i}" ${part}`).join(' ')})\r\n`);
    expect(await c.tagged('a')).toMatch(/^a BAD Too much literal data before login \(at most 32768 octets in one command\)\r\n/m);
    expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
  });

  it('after login: literals of a command other than APPEND add up to at most 256 KiB', async () => {
    const l = await lab();
    const c = await session(l);
    c.clear();
    const part = `{60000+}\r\n${'y'.repeat(60000)}`;
    c.write(`a SEARCH ${Array.from({ length: 6 }, () => `TEXT ${part}`).join(' ')}\r\n`);
    expect(await c.tagged('a')).toMatch(/^a BAD Literal too large for SEARCH/m);
    expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
  });

  it('APPEND: literals that add up past the limit are NO [TOOBIG], and the session goes on', async () => {
    const l = await lab({ maxLiteralSize: 10_000 });
    const c = await session(l, false);
    c.clear();
    const part = `{9000+}\r\n${'z'.repeat(9000)}`;
    c.write(`a APPEND INBOX ${Array(10).fill(part).join(' ')}\r\n`);
    expect(await c.tagged('a')).toMatch(/^a NO \[TOOBIG\] Message too large \(at most 10000 octets\)\r\n/m);
    expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
  });
});

describe('command-line floods', () => {
  it('answers 10,000 pipelined commands in order and serves another client meanwhile', async () => {
    const l = await lab();
    const c = await session(l);
    const count = 10_000;
    // the tags of the tagged replies, collected as they come
    const tags: string[] = [];
    let partial = '';
    const all = new Promise<void>((resolve) => {
      c.socket.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('latin1')).split('\r\n');
        partial = lines.pop()!;
        for (const line of lines) if (/^t\d+ OK/.test(line)) tags.push(line.slice(0, line.indexOf(' ')));
        if (tags.length === count) resolve();
      });
    });
    c.write(Array.from({ length: count }, (_, i) => `t${i} NOOP\r\n`).join(''));
    await stillServes(l);
    await all;
    expect(tags.every((tag, i) => tag === `t${i}`)).toBe(true);
  });

  it('refuses a line too long, lists nested too deep and search keys nested too deep, with BAD, and goes on', async () => {
    const l = await lab();
    const c = await session(l);
    c.clear();
    c.write(`a FETCH 1 (${'FLAGS '.repeat(200_000)})\r\n`);
    expect(await c.waitFor(/^a BAD Command line too long \(at most 65536 octets\)\r\n/m)).toBeTruthy();
    expect(await c.command('b', `FETCH 1 ${'('.repeat(5000)}FLAGS${')'.repeat(5000)}`)).toMatch(/^b BAD lists nested more than 64 deep\r\n/m);
    expect(await c.command('c', `SEARCH ${'NOT '.repeat(5000)}ALL`)).toMatch(/^c BAD search keys nested more than 100 deep/m);
    expect(await c.command('d', `SEARCH ${'OR ALL '.repeat(3000)}ALL`)).toMatch(/^d BAD search keys nested more than 100 deep/m);
    expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
  });
});

/** A multipart nested `depth` deep, each level with its own boundary. */
function nestedMultipart(depth: number): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\nthe innermost part\r\n';
  for (let i = depth; i > 0; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
  return Buffer.from(`From: kim@daum.net\r\nSubject: nested\r\nMIME-Version: 1.0\r\n${body}`);
}

/** message/rfc822 inside message/rfc822, `depth` deep. */
function nestedMessages(depth: number): Buffer {
  let message = 'Subject: innermost\r\n\r\nhello\r\n';
  for (let i = 0; i < depth; i++) message = `Subject: level ${i}\r\nContent-Type: message/rfc822\r\n\r\n${message}`;
  return Buffer.from(`From: kim@daum.net\r\n${message}`);
}

/** One multipart with `parts` parts. */
function manyParts(parts: number): Buffer {
  const lines = ['From: kim@daum.net', 'Subject: parts', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="p"', ''];
  for (let i = 1; i <= parts; i++) lines.push('--p', 'Content-Type: text/plain', '', `part ${i}`);
  lines.push('--p--', '');
  return Buffer.from(lines.join('\r\n'));
}

describe('MIME bombs', () => {
  it('answers BODYSTRUCTURE and deep BODY[1.1.1...] of 5,000 nested multiparts without blowing the stack', async () => {
    const l = await lab();
    await l.store.deliver('lee', nestedMultipart(5000));
    const c = await session(l);
    const structure = await c.command('a', 'FETCH 1 (BODYSTRUCTURE)');
    expect(structure).toMatch(/^\* 1 FETCH \(BODYSTRUCTURE \(\(/m);
    expect(structure).toMatch(/^a OK/m);
    expect(await c.command('b', `FETCH 1 (BODY.PEEK[${Array(40).fill(1).join('.')}])`)).toMatch(/^b OK/m);
    expect(await c.command('c', 'SEARCH TEXT innermost')).toMatch(/^c OK/m);
    await stillServes(l);
  });

  it('answers 5,000 nested message/rfc822 parts', async () => {
    const l = await lab();
    await l.store.deliver('lee', nestedMessages(5000));
    const c = await session(l);
    expect(await c.command('a', 'FETCH 1 (ENVELOPE BODYSTRUCTURE)')).toMatch(/^a OK/m);
    expect(await c.command('b', `FETCH 1 (BODY.PEEK[${Array(45).fill(1).join('.')}.HEADER])`)).toMatch(/^b OK/m);
  });

  it('answers a message of 20,000 parts: structure, a part by number, and search', async () => {
    const l = await lab();
    await l.store.deliver('lee', manyParts(20_000));
    const c = await session(l);
    expect(await c.command('a', 'FETCH 1 (BODYSTRUCTURE)')).toMatch(/^a OK/m);
    expect(await c.command('b', 'FETCH 1 (BODY.PEEK[500])')).toMatch(/BODY\[500\] \{8\}\r\npart 500\)/);
    expect(await c.command('c', 'SEARCH BODY "part 20000"')).toMatch(/^c OK/m);
    await stillServes(l);
  });
});

describe('header bombs', () => {
  it('answers a header of 100,000 lines and one of a 2 MB line: ENVELOPE, HEADER.FIELDS, SEARCH HEADER', async () => {
    const l = await lab();
    const many = Array.from({ length: 100_000 }, (_, i) => `X-Line-${i}: value ${i}`).join('\r\n');
    await l.store.deliver('lee', Buffer.from(`From: kim@daum.net\r\nSubject: many\r\n${many}\r\nX-Last: found\r\n\r\nbody\r\n`));
    await l.store.deliver('lee', Buffer.from(`From: kim@daum.net\r\nSubject: ${'긴 제목 '.repeat(200_000)}\r\nX-Last: long\r\n\r\nbody\r\n`));
    const c = await session(l);
    expect(await c.command('a', 'FETCH 1:2 (ENVELOPE RFC822.SIZE)')).toMatch(/^a OK/m);
    expect(await c.command('b', 'FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (X-LAST)])')).toMatch(/X-Last: found[\s\S]*X-Last: long/);
    expect(await c.command('c', 'SEARCH HEADER X-Last found')).toMatch(/^\* SEARCH 1\r\n/m);
    expect(await c.command('d', 'SEARCH SUBJECT "긴 제목"')).toMatch(/^d OK/m);
    await stillServes(l);
  });
});
