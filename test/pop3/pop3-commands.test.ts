// Every POP3 command and state rule (RFC 1939, CAPA from RFC 2449, AUTH PLAIN from RFC 5034),
// through real sockets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPop3Lab, letter, type Pop3Lab } from './pop3-fixture.ts';
import { Pop3Error } from '../../lab/client/pop3-client.ts';

let lab: Pop3Lab;
beforeEach(async () => {
  lab = await startPop3Lab();
});
afterEach(async () => {
  await lab.close();
});

const plain = (authzid: string, user: string, password: string) => Buffer.from(`${authzid}\0${user}\0${password}`).toString('base64');

describe('greeting and CAPA', () => {
  it('greets with +OK and no APOP timestamp', async () => {
    const socket = await lab.connect();
    const greeting = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    expect(greeting).toMatch(/^\+OK mail-lab POP3 server ready \(mail\.naver\.com\)\r\n$/);
    expect(greeting).not.toMatch(/<[^>]+@[^>]+>/);
  });

  it('lists the capabilities in both states (RFC 2449 section 5)', async () => {
    const expected = ['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'UTF8 USER', 'IMPLEMENTATION mail-lab'];
    const c = await lab.client();
    expect(await c.capa()).toEqual(expected);
    await c.login('lee', '1234');
    expect(await c.capa()).toEqual(expected);
  });
});

describe('USER and PASS', () => {
  it('logs in with the local part and with the full address', async () => {
    await lab.deliver(letter('one', 'hello'));
    const a = await lab.client();
    expect(await a.login('lee', '1234')).toMatch(/^lee's maildrop has 1 message \(\d+ octets\)$/);
    await a.quit();
    await lab.sessionEnd();
    const b = await lab.client();
    expect(await b.login('LEE@naver.com', '1234')).toMatch(/^lee's maildrop has 1 message/);
  });

  it('takes a password with spaces whole (RFC 1939 section 7)', async () => {
    const c = await lab.client();
    expect(await c.login('park', 'open sesame')).toMatch(/^park's maildrop has 0 messages \(0 octets\)$/);
  });

  it('answers USER the same for unknown users and refuses at PASS with [AUTH]', async () => {
    const c = await lab.client();
    const user = await c.command('USER nobody', 'single');
    expect(user.ok).toBe(true);
    const pass = await c.command('PASS 1234', 'single');
    expect(pass.status).toBe('-ERR [AUTH] invalid user name or password');
    await c.command('USER lee', 'single');
    expect((await c.command('PASS wrong', 'single')).status).toBe('-ERR [AUTH] invalid user name or password');
  });

  it('wants USER before PASS, and USER again after a failed PASS', async () => {
    const c = await lab.client();
    expect((await c.command('PASS 1234', 'single')).status).toBe('-ERR send USER first, then PASS');
    await c.command('USER lee', 'single');
    await c.command('PASS nope', 'single');
    expect((await c.command('PASS 1234', 'single')).status).toBe('-ERR send USER first, then PASS');
  });

  it('refuses a login for a domain the host does not serve', async () => {
    const c = await lab.client();
    await expect(c.login('lee@daum.net', '1234')).rejects.toThrow('-ERR [AUTH] invalid user name or password');
  });

  it('closes the connection after three failed logins', async () => {
    const c = await lab.client();
    await c.command('USER lee', 'single');
    await c.command('PASS a', 'single');
    await c.command('USER lee', 'single');
    await c.command('PASS b', 'single');
    await c.command('USER lee', 'single');
    const closed = new Promise((resolve) => c.socket.once('close', resolve));
    const third = await c.command('PASS c', 'single');
    expect(third.status).toMatch(/^-ERR \[AUTH\] invalid user name or password; 3 failed logins, closing the connection$/);
    await closed;
  });
});

describe('AUTH PLAIN (RFC 5034)', () => {
  it('logs in with an initial response', async () => {
    const c = await lab.client();
    expect(await c.authPlain('lee', '1234')).toMatch(/^lee's maildrop has 0 messages/);
    expect((await c.command('STAT', 'single')).status).toBe('+OK 0 0');
  });

  it('logs in after the "+ " continuation', async () => {
    const c = await lab.client();
    const challenge = await c.command('AUTH PLAIN', 'single');
    expect(challenge.status).toBe('+ ');
    expect(challenge.continuation).toBe(true);
    const done = await c.command(plain('', 'lee@naver.com', '1234'), 'single');
    expect(done.status).toMatch(/^\+OK lee's maildrop has 0 messages/);
  });

  it('accepts "=" as an empty initial response and fails it', async () => {
    const c = await lab.client();
    expect((await c.command('AUTH PLAIN =', 'single')).status).toMatch(/^-ERR \[AUTH\] the PLAIN response must be/);
  });

  it('cancels with "*"', async () => {
    const c = await lab.client();
    await c.command('AUTH PLAIN', 'single');
    expect((await c.command('*', 'single')).status).toBe('-ERR authentication cancelled by the client');
    // still in AUTHORIZATION
    expect((await c.command('STAT', 'single')).status).toMatch(/^-ERR STAT is not allowed before login/);
  });

  it('refuses bad base64, a wrong password, and another identity', async () => {
    const c = await lab.client();
    expect((await c.command('AUTH PLAIN !!!!', 'single')).status).toBe('-ERR [AUTH] the PLAIN response is not valid base64');
    expect((await c.command(`AUTH PLAIN ${plain('', 'lee', 'x')}`, 'single')).status).toBe('-ERR [AUTH] invalid user name or password');
    expect((await c.command(`AUTH PLAIN ${plain('park', 'lee', '1234')}`, 'single')).status).toBe('-ERR [AUTH] logging in as another user (authzid) is not allowed');
    expect((await c.command(`AUTH PLAIN ${plain('lee', 'lee', '1234')}`, 'single')).ok).toBe(true);
  });

  it('lists its mechanisms for a bare AUTH and refuses others', async () => {
    const c = await lab.client();
    const list = await c.command('AUTH', 'multi');
    expect(list.ok).toBe(true);
    expect(list.data!.toString()).toBe('PLAIN\r\n');
    expect((await c.command('AUTH LOGIN', 'single')).status).toBe('-ERR unsupported SASL mechanism "LOGIN"; this server offers PLAIN');
  });

  it('answers APOP with what to use instead', async () => {
    const c = await lab.client();
    expect((await c.command('APOP lee c4c9334bac560ecc979e58001b3e22fb', 'single')).status).toMatch(/^-ERR APOP is not offered here .* use USER and PASS or AUTH PLAIN$/);
  });
});

describe('the TRANSACTION state', () => {
  let sizes: number[];
  beforeEach(async () => {
    const bodies = [letter('first', 'one'), letter('second', 'two\nlines'), letter('third', 'three')];
    for (const b of bodies) await lab.deliver(b);
    sizes = bodies.map((b) => Buffer.byteLength(b));
  });

  it('STAT, LIST and LIST n give counts and exact sizes', async () => {
    const c = await lab.session();
    expect(await c.stat()).toEqual({ count: 3, size: sizes[0] + sizes[1] + sizes[2] });
    const list = await c.command('LIST', 'multi');
    expect(list.status).toBe(`+OK 3 messages (${sizes[0] + sizes[1] + sizes[2]} octets)`);
    expect(await c.list()).toEqual(sizes.map((size, i) => ({ number: i + 1, size })));
    expect(await c.listOne(2)).toEqual({ number: 2, size: sizes[1] });
  });

  it('RETR sends the message, and its size matches LIST', async () => {
    const c = await lab.session();
    const data = await c.retr(2);
    expect(data.toString()).toBe(letter('second', 'two\nlines'));
    expect(data.length).toBe((await c.listOne(2)).size);
    const status = c.exchanges.find((e) => e.command === 'RETR 2')!.response.status;
    expect(status).toBe(`+OK ${sizes[1]} octets`);
  });

  it('UIDL and UIDL n give each message its Maildir unique name', async () => {
    const c = await lab.session();
    const uidl = await c.uidl();
    const names = (await lab.files()).new.map((n) => n.split(',')[0]);
    expect(uidl.map((u) => u.uid)).toEqual(names);
    expect(await c.uidlOne(3)).toEqual({ number: 3, uid: names[2] });
  });

  it('TOP gives the header and n body lines; TOP n 0 the header alone', async () => {
    await lab.deliver(letter('long', 'l1\nl2\nl3\nl4'));
    const c = await lab.session();
    const header = letter('long', '').replace(/\r\n$/, '');
    expect((await c.top(4, 0)).toString()).toBe(header);
    expect((await c.top(4, 2)).toString()).toBe(`${header}l1\r\nl2\r\n`);
    expect((await c.top(4, 100)).toString()).toBe(letter('long', 'l1\nl2\nl3\nl4'));
    expect((await c.command('TOP 4 x', 'multi')).status).toBe('-ERR invalid line count "x"; give 0 or more');
    expect((await c.command('TOP 4', 'multi')).status).toBe('-ERR TOP takes 2 arguments (TOP msg lines); got 1');
  });

  it('NOOP answers +OK', async () => {
    const c = await lab.session();
    expect((await c.command('NOOP', 'single')).status).toBe('+OK');
  });

  it('explains a bad message number', async () => {
    const c = await lab.session();
    expect((await c.command('RETR 0', 'multi')).status).toBe('-ERR invalid message number "0"; give a number from 1 to 3');
    expect((await c.command('RETR abc', 'multi')).status).toBe('-ERR invalid message number "abc"; give a number from 1 to 3');
    expect((await c.command('RETR -1', 'multi')).status).toBe('-ERR invalid message number "-1"; give a number from 1 to 3');
    expect((await c.command('LIST 4', 'single')).status).toBe('-ERR no such message, only 3 messages in maildrop');
    expect((await c.command('DELE 99999999999', 'single')).status).toMatch(/^-ERR invalid message number/);
    expect((await c.command('RETR', 'multi')).status).toBe('-ERR RETR takes 1 argument (RETR msg); got 0');
    expect((await c.command('STAT 1', 'single')).status).toBe('-ERR STAT takes 0 arguments (STAT); got 1');
    expect((await c.command('LIST 1 2', 'single')).status).toBe('-ERR LIST takes 0 to 1 arguments (LIST [msg]); got 2');
  });

  it('hides messages marked deleted from LIST, STAT, RETR, TOP, UIDL and DELE', async () => {
    const c = await lab.session();
    expect(await c.dele(2)).toBe('message 2 deleted');
    expect(await c.stat()).toEqual({ count: 2, size: sizes[0] + sizes[2] });
    expect((await c.list()).map((m) => m.number)).toEqual([1, 3]);
    expect((await c.uidl()).map((m) => m.number)).toEqual([1, 3]);
    for (const [line, expect_] of [['LIST 2', 'single'], ['UIDL 2', 'single'], ['RETR 2', 'multi'], ['TOP 2 1', 'multi'], ['DELE 2', 'single']] as const) {
      expect((await c.command(line, expect_)).status).toBe('-ERR message 2 already deleted');
    }
  });

  it('RSET unmarks every deleted message', async () => {
    const c = await lab.session();
    await c.dele(1);
    await c.dele(3);
    expect(await c.rset()).toBe(`maildrop has 3 messages (${sizes[0] + sizes[1] + sizes[2]} octets); 2 undeleted`);
    expect((await c.list()).length).toBe(3);
    await c.quit();
    await lab.sessionEnd();
    expect((await lab.files()).new.length + (await lab.files()).cur.length).toBe(3);
  });
});

describe('state rules', () => {
  it('refuses TRANSACTION commands before login and login commands after', async () => {
    const c = await lab.client();
    for (const verb of ['STAT', 'LIST', 'UIDL', 'RETR 1', 'TOP 1 1', 'DELE 1', 'RSET', 'NOOP']) {
      const r = await c.command(verb, 'single');
      expect(r.status).toBe(`-ERR ${verb.split(' ')[0]} is not allowed before login (AUTHORIZATION state); log in first with USER and PASS or AUTH PLAIN`);
    }
    await c.login('lee', '1234');
    for (const verb of ['USER lee', 'PASS 1234', 'AUTH PLAIN', 'APOP lee x']) {
      const r = await c.command(verb, 'single');
      expect(r.status).toBe(`-ERR ${verb.split(' ')[0]} is only allowed before login; you are logged in already (TRANSACTION state)`);
    }
  });

  it('names the commands of the current state for an unknown command', async () => {
    const c = await lab.client();
    expect((await c.command('FOO', 'single')).status).toBe('-ERR unknown command "FOO"; commands here: CAPA USER UTF8 PASS AUTH QUIT');
    expect((await c.command('', 'single')).status).toBe('-ERR empty command; commands here: CAPA USER UTF8 PASS AUTH QUIT');
    await c.login('lee', '1234');
    expect((await c.command('xyzzy 1', 'single')).status).toBe('-ERR unknown command "XYZZY"; commands here: CAPA STAT LIST UIDL RETR TOP DELE RSET NOOP QUIT');
  });

  it('takes commands in any case', async () => {
    const c = await lab.client();
    expect((await c.command('user lee', 'single')).ok).toBe(true);
    expect((await c.command('pAsS 1234', 'single')).ok).toBe(true);
    expect((await c.command('stat', 'single')).status).toBe('+OK 0 0');
  });

  it('QUIT before login ends the session without UPDATE', async () => {
    await lab.deliver(letter('kept', 'x'));
    const c = await lab.client();
    const closed = new Promise((resolve) => c.socket.once('close', resolve));
    expect(await c.quit()).toBe('mail-lab POP3 server signing off');
    await closed;
    expect((await lab.files()).new.length).toBe(1);
  });

  it('a failed call rejects with the server status', async () => {
    const c = await lab.client();
    const err = await c.stat().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Pop3Error);
    expect((err as Pop3Error).response.status).toMatch(/^-ERR STAT is not allowed before login/);
  });
});
