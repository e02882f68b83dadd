// Limits and bad input: long lines, garbage bytes, pipelining, the failed-login delay, the idle
// time-out, the client cap and shutting down. Ordering is asserted, never time.
import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startPop3Lab, letter, rawExchange, type Pop3Lab } from './pop3-fixture.ts';

const labs: Pop3Lab[] = [];
async function lab(options: Parameters<typeof startPop3Lab>[0] = {}): Promise<Pop3Lab> {
  const l = await startPop3Lab(options);
  labs.push(l);
  return l;
}
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
});

/** A deterministic stream of bytes (a linear congruential generator), so a failure can be replayed. */
function garbage(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('line length (RFC 2449 section 4: 255 octets with CRLF)', () => {
  it('takes a 255-octet command and refuses a 256-octet one, then goes on', async () => {
    const l = await lab();
    const c = await l.client();
    const name255 = 'a'.repeat(255 - 'USER \r\n'.length);
    expect((await c.command(`USER ${name255}`, 'single')).ok).toBe(true);
    const r = await c.command(`USER ${name255}b`, 'single');
    expect(r.status).toBe('-ERR line too long (256 octets; at most 255 including CRLF, RFC 2449 section 4)');
    expect(await c.capa()).toContain('TOP');
  });

  it('drops a line of a megabyte as it comes, answers once, and goes on', async () => {
    const l = await lab();
    const c = await l.client();
    const huge = Buffer.alloc(1024 * 1024, 'x');
    c.socket.write(huge);
    const r = await c.command('', 'single');
    expect(r.status).toBe(`-ERR line too long (${huge.length + 2} octets; at most 255 including CRLF, RFC 2449 section 4)`);
    await c.login('lee', '1234');
    expect((await c.command('NOOP', 'single')).status).toBe('+OK');
  });

  it('cancels an AUTH exchange whose response is too long', async () => {
    const l = await lab();
    const c = await l.client();
    expect((await c.command('AUTH PLAIN', 'single')).continuation).toBe(true);
    const r = await c.command('A'.repeat(5000), 'single');
    expect(r.status).toBe('-ERR authentication response too long (over 4096 octets); authentication cancelled');
    expect((await c.command('STAT', 'single')).status).toMatch(/^-ERR STAT is not allowed before login/);
  });
});

describe('garbage', () => {
  it('answers every line of random bytes with -ERR and keeps serving', async () => {
    const l = await lab();
    await l.deliver(letter('still here', 'x'));
    const socket = await l.connect();
    await rawExchange(socket, '', (b) => b.includes('\r\n'));
    const bytes = garbage(16 * 1024, 42);
    // Every line a reply: the number of LFs is the number of -ERR answers expected.
    let lines = 0;
    for (const b of bytes) if (b === 0x0a) lines++;
    const payload = Buffer.concat([bytes, Buffer.from('\r\nCAPA\r\n')]);
    lines++; // the line ended by the CRLF added before CAPA
    const wire = await rawExchange(socket, payload, (b) => b.includes('IMPLEMENTATION mail-lab\r\n.\r\n'));
    const replies = wire.toString('latin1').split('\r\n').filter((x) => x.startsWith('-ERR') || x.startsWith('+OK'));
    expect(replies.filter((x) => x.startsWith('-ERR'))).toHaveLength(lines);
    expect(replies.at(-1)).toBe('+OK capability list follows');
    // Nothing unprintable is echoed back.
    for (const reply of replies) expect(reply).toMatch(/^[\x20-\x7e]*$/);
    const c = await l.client();
    socket.destroy();
    await c.login('lee', '1234');
    expect((await c.retr(1)).toString()).toContain('Subject: still here');
  });

  it('survives NUL bytes, a lone CR and a client that leaves mid-line', async () => {
    const l = await lab();
    const c = await l.client();
    const r = await c.command('US\0ER lee\rx', 'single');
    expect(r.status).toMatch(/^-ERR unknown command "US\?ER"; commands here:/);
    c.socket.end('RETR 1 with no line end');
    const d = await l.client();
    expect(await d.login('lee', '1234')).toMatch(/^lee's maildrop/);
  });
});

describe('pipelining (RFC 2449 section 6.6)', () => {
  it('answers commands sent in one packet in order', async () => {
    const l = await lab();
    await l.deliver(letter('one', 'first'));
    await l.deliver(letter('two', '.second'));
    const c = await l.client();
    const answers = await Promise.all(
      c.pipeline([
        { line: 'USER lee', expect: 'single' },
        { line: 'PASS 1234', expect: 'single' },
        { line: 'STAT', expect: 'single' },
        { line: 'LIST', expect: 'multi' },
        { line: 'RETR 2', expect: 'multi' },
        { line: 'BOGUS', expect: 'single' },
        { line: 'RETR 1', expect: 'multi' },
        { line: 'UIDL 1', expect: 'single' },
        { line: 'DELE 1', expect: 'single' },
        { line: 'QUIT', expect: 'single' },
      ]),
    );
    expect(answers.map((a) => a.status.split(' ').slice(0, 2).join(' '))).toEqual([
      '+OK send', "+OK lee's", '+OK 2', '+OK 2', expect.stringMatching(/^\+OK \d+$/), '-ERR unknown', expect.stringMatching(/^\+OK \d+$/), '+OK 1', '+OK message', '+OK mail-lab',
    ]);
    expect(answers[4].data!.toString()).toBe(letter('two', '.second'));
    expect(answers[6].data!.toString()).toBe(letter('one', 'first'));
  });

  it('keeps up with hundreds of pipelined RETRs', async () => {
    const l = await lab();
    for (let i = 1; i <= 20; i++) await l.deliver(letter(`m${i}`, `body ${i}`));
    const c = await l.session();
    const commands = Array.from({ length: 400 }, (_, i) => ({ line: `RETR ${(i % 20) + 1}`, expect: 'multi' as const }));
    const answers = await Promise.all(c.pipeline(commands));
    answers.forEach((a, i) => expect(a.data!.toString()).toBe(letter(`m${(i % 20) + 1}`, `body ${(i % 20) + 1}`)));
  });
});

describe('a client that sends everything and closes its side (printf ... | nc)', () => {
  it('still gets every answer, then the server closes', async () => {
    const l = await lab();
    await l.deliver(letter('half', 'closed'));
    const socket = await l.connect();
    const ended = l.sessionEnd();
    // Never "done": the exchange ends when the server closes, and says what came before.
    const all = rawExchange(socket, '', () => false).then((b) => b.toString(), (err: Error) => err.message);
    socket.end('USER lee\r\nPASS 1234\r\nSTAT\r\nRETR 1\r\nDELE 1\r\n');
    const text = await all;
    await ended; // RETR's seen flag is written as the session ends
    expect(text).toMatch(/^connection closed; received so far:\n\+OK mail-lab POP3 server ready/);
    expect(text).toContain('Subject: half\r\n');
    expect(text.trimEnd().split('\r\n').at(-1)).toBe('+OK message 1 deleted');
    // no QUIT: nothing removed; read, so marked seen
    const files = await l.files();
    expect(files.cur).toHaveLength(1);
    expect(files.cur[0]).toMatch(/:2,S$/);
  });
});

describe('failed-login delay', () => {
  it('waits before -ERR [AUTH]: a good login started later is answered first', async () => {
    const l = await lab({ failedLoginDelayMs: undefined }); // the default, 1000 ms
    expect(l.server.ctx.login.failedLoginDelayMs).toBe(1000);
    const order: string[] = [];
    const a = await l.client();
    const [, failed, capa] = a.pipeline([
      { line: 'USER lee', expect: 'single' },
      { line: 'PASS wrong', expect: 'single' },
      { line: 'CAPA', expect: 'multi' },
    ]);
    const failedDone = failed.then((r) => {
      order.push('A refused');
      // the refusal is on the trace before the client hears it
      expect(l.trace.events.some((e) => e.kind === 'pop3' && e.status === 'refused')).toBe(true);
      return r;
    });
    const capaDone = capa.then(() => order.push('A capa'));
    const b = await l.client();
    await b.login('lee', '1234');
    order.push('B logged in');
    expect((await failedDone).status).toBe('-ERR [AUTH] invalid user name or password');
    await capaDone;
    expect(order).toEqual(['B logged in', 'A refused', 'A capa']);
  });
});

describe('idle time-out (RFC 1939 section 3)', () => {
  it('says -ERR, closes, and deletes nothing', async () => {
    const l = await lab({ idleTimeoutMs: 150 });
    const file = await l.deliver(letter('keep me', 'x'));
    const socket = await l.connect();
    await rawExchange(socket, '', (b) => b.includes('\r\n'));
    await rawExchange(socket, 'USER lee\r\nPASS 1234\r\nDELE 1\r\n', (b) => b.includes('deleted\r\n'));
    const ended = l.sessionEnd();
    const last = await rawExchange(socket, '', (b) => b.includes('\r\n'));
    expect(last.toString()).toBe('-ERR idle for more than 150 ms; closing the connection, nothing deleted\r\n');
    await ended;
    await expect(fs.access(file)).resolves.toBeUndefined();
  });

  it("defaults to 10 minutes after login, and to the topology's idle time-out before", async () => {
    const l = await lab();
    expect(l.server.options.idleTimeoutMs).toBe(10 * 60_000);
    expect(l.server.options.loginIdleTimeoutMs).toBe(5 * 60_000);
  });
});

describe('a client that stops reading', () => {
  it('is held by back-pressure, then cut off by the idle time-out; others go on', async () => {
    const l = await lab({ idleTimeoutMs: 200 });
    const big = Buffer.from(`Subject: big\r\n\r\n${'0123456789abcdef'.repeat(64 * 1024)}\r\n`); // 1 MiB
    await l.deliver(big);
    const socket = await l.connect();
    socket.pause(); // never read
    const ended = l.sessionEnd();
    socket.write(`USER lee\r\nPASS 1234\r\n${'RETR 1\r\n'.repeat(100)}`);
    await ended;
    const c = await l.session();
    expect((await c.retr(1)).equals(big)).toBe(true);
  });
});

describe('client cap', () => {
  it('turns away a client over the cap with -ERR [SYS/TEMP], and takes one again when a seat is free', async () => {
    const l = await lab({ maxClients: 2 });
    const first = await l.client();
    await l.client();
    const third = await l.connect();
    const refused = await rawExchange(third, '', (b) => b.includes('\r\n'));
    expect(refused.toString()).toBe('-ERR [SYS/TEMP] too many connections (2); try again later\r\n');
    const ended = l.sessionEnd();
    await first.quit();
    await ended;
    const fourth = await l.client();
    expect(await fourth.login('lee', '1234')).toMatch(/^lee's maildrop/);
  });
});

describe('shutting down', () => {
  it('tells connected clients, deletes nothing, and closes', async () => {
    const l = await lab();
    const file = await l.deliver(letter('x', 'x'));
    const socket = await l.connect();
    await rawExchange(socket, '', (b) => b.includes('\r\n'));
    await rawExchange(socket, 'USER lee\r\nPASS 1234\r\nDELE 1\r\n', (b) => b.includes('deleted\r\n'));
    const last = rawExchange(socket, '', (b) => b.includes('\r\n'));
    await l.server.close();
    expect((await last).toString()).toBe('-ERR [SYS/TEMP] server shutting down; nothing deleted\r\n');
    await expect(fs.access(file)).resolves.toBeUndefined();
  });
});
