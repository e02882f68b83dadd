// The dovecot role's POP3 side against clients that try to exhaust it: a connection flood past
// `limits.clients`, clients that say nothing or trickle a line (on the host clock, which the test
// moves by hand), and a header bomb. Each is refused or dropped with a reason; the others go on.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startPop3Lab, letter, rawExchange, type Pop3Lab, type Pop3LabSetup } from './pop3-fixture.ts';
import { ManualClock, trickle } from '../imap/manual-clock.ts';

const labs: Pop3Lab[] = [];
async function lab(options: Parameters<typeof startPop3Lab>[0] = {}, setup: Pop3LabSetup = {}): Promise<Pop3Lab> {
  const l = await startPop3Lab(options, setup);
  labs.push(l);
  return l;
}
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
});

/** The first line the server sends on a new connection. */
async function greeting(socket: net.Socket): Promise<string> {
  return (await rawExchange(socket, '', (b) => b.includes('\r\n'))).toString();
}

/** Everything the server sends until it closes the connection. */
function untilClosed(socket: net.Socket): Promise<string> {
  const parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(parts).toString())));
}

async function stillServes(l: Pop3Lab): Promise<void> {
  const c = await l.session();
  expect((await c.stat()).count).toBeGreaterThanOrEqual(0);
  const ended = l.sessionEnd();
  await c.quit();
  await ended;
}

describe('a connection flood past limits.clients', () => {
  it('refuses the ones over the limit with -ERR [SYS/TEMP] and the reason, and serves the others', async () => {
    const l = await lab({}, { limits: { clients: 5 } });
    const sockets = await Promise.all(Array.from({ length: 40 }, () => l.connect()));
    const first = await Promise.all(sockets.map(greeting));
    const greeted = sockets.filter((_, i) => first[i].startsWith('+OK'));
    expect(greeted).toHaveLength(5);
    expect(first.filter((line) => line === '-ERR [SYS/TEMP] too many connections (5); try again later\r\n')).toHaveLength(35);
    for (const socket of greeted) expect((await rawExchange(socket, 'CAPA\r\n', (b) => b.includes('\r\n.\r\n'))).toString()).toMatch(/^\+OK/);
    const ended = l.sessionEnd();
    greeted[0].destroy();
    await ended;
    const c = await l.session();
    expect(await c.stat()).toEqual({ count: 0, size: 0 });
  });
});

describe('idle and slow clients, on the host clock', () => {
  it("drops a client that says nothing before login at the topology's idle time-out, not while the clock stands still", async () => {
    const clock = new ManualClock();
    const l = await lab({}, { clock, limits: { idleTimeout: 200 } });
    expect(l.server.options.loginIdleTimeoutMs).toBe(200);
    expect(l.server.options.idleTimeoutMs).toBe(10 * 60_000); // RFC 1939 section 3: 10 minutes at least
    const socket = await l.connect();
    await greeting(socket);
    const said = untilClosed(socket);
    await clock.looked(3);
    expect(socket.destroyed).toBe(false);
    clock.advance(200);
    expect(await said).toBe('-ERR idle for more than 200 ms; closing the connection, nothing deleted\r\n');
    await stillServes(l);
  });

  it('gives a logged-in session the longer time-out, and deletes nothing when it runs out', async () => {
    const clock = new ManualClock();
    const l = await lab({}, { clock, limits: { idleTimeout: 200 } });
    await l.deliver(letter('kept', 'x'));
    const c = await l.session();
    await c.dele(1);
    clock.advance(1000);
    await clock.looked(1);
    expect(await c.noop()).toBeDefined();
    const said = untilClosed(c.socket);
    clock.advance(10 * 60_000);
    expect(await said).toContain('-ERR idle for more than 10 minutes; closing the connection, nothing deleted\r\n');
    const again = await l.session();
    expect((await again.stat()).count).toBe(1);
  });

  it('counts a line trickled a byte at a time as idle', async () => {
    const clock = new ManualClock();
    const l = await lab({}, { clock, limits: { idleTimeout: 200 } });
    const socket = await l.connect();
    await greeting(socket);
    const said = untilClosed(socket);
    await trickle(clock, (text) => socket.write(text), 'US', 'E');
    expect(await said).toMatch(/^-ERR idle for more than 200 ms/);
  });
});

describe('a header bomb', () => {
  it('sends TOP and RETR of a header of 100,000 lines, and of a 2 MB line', async () => {
    const l = await lab();
    const many = Array.from({ length: 100_000 }, (_, i) => `X-Line-${i}: value ${i}`).join('\r\n');
    const bomb = `From: kim@daum.net\r\nSubject: many\r\n${many}\r\n\r\nbody line\r\n`;
    const long = `From: kim@daum.net\r\nSubject: ${'긴 제목 '.repeat(200_000)}\r\n\r\nbody\r\n`;
    await l.deliver(bomb);
    await l.deliver(long);
    const c = await l.session();
    expect((await c.top(1, 0)).toString()).toBe(bomb.slice(0, bomb.indexOf('\r\n\r\n') + 4));
    expect((await c.retr(1)).toString()).toBe(bomb);
    expect((await c.retr(2)).toString()).toBe(long);
    await quitThenStillServes(l, c);
  });
});

/** The session holding the maildrop quits; then another one is served. */
async function quitThenStillServes(l: Pop3Lab, c: Awaited<ReturnType<Pop3Lab['session']>>): Promise<void> {
  const ended = l.sessionEnd();
  await c.quit();
  await ended;
  await stillServes(l);
}
