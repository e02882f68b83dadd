// Steps 8 and 9-10 of the seed on the trace: the login (request) and each RETR/TOP (transfer),
// with transcripts, passwords redacted, and the step gate holding the mail before it is sent.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { startPop3Lab, letter, type Pop3Lab } from './pop3-fixture.ts';
import type { HopPreview } from '../../lab/trace/trace-bus.ts';
import { STEPS } from '../../lab/trace/steps.ts';

const labs: Pop3Lab[] = [];
async function lab(options: Parameters<typeof startPop3Lab>[0] = {}, setup: Parameters<typeof startPop3Lab>[1] = {}): Promise<Pop3Lab> {
  const l = await startPop3Lab(options, setup);
  labs.push(l);
  return l;
}
afterEach(async () => {
  await Promise.all(labs.splice(0).map((l) => l.close()));
});

describe('step 8: the login', () => {
  it('reports lee logging in from Client, with the transcript and the password redacted', async () => {
    const l = await lab();
    await l.deliver(letter('hello', 'x'));
    await l.session();
    const event = await l.trace.waitFor((e) => e.kind === 'pop3' && e.steps?.sendmail === '8');
    expect(event).toMatchObject({
      kind: 'pop3',
      protocol: 'POP3',
      from: 'Client',
      to: 'Server',
      fromAddress: '192.168.111.131',
      toAddress: '192.168.111.100',
      steps: STEPS.retrievalRequest,
      status: 'ok',
      detail: { user: 'lee', messages: 1 },
    });
    expect(event.transcript!.map((t) => `${t.dir}: ${t.line}`)).toEqual([
      'S: +OK mail-lab POP3 server ready (mail.naver.com)',
      'C: USER lee',
      'S: +OK send the password of lee with PASS',
      'C: PASS *****',
      expect.stringMatching(/^S: \+OK lee's maildrop has 1 message \(\d+ octets\)$/),
    ]);
    expect(JSON.stringify(l.trace.events)).not.toContain('1234');
    expect(event.summary.ko).toContain('lee');
  });

  it('reports a connection no lab host opened as from outside', async () => {
    const l = await lab();
    const c = await l.client('outside');
    await c.login('lee@naver.com', '1234');
    const event = await l.trace.waitFor((e) => e.steps?.sendmail === '8');
    expect(event.from).toBe('outside');
    expect(event.fromAddress).toBe('127.0.0.1');
  });

  it('redacts an AUTH PLAIN response given after the challenge', async () => {
    const l = await lab();
    const c = await l.client();
    await c.authPlain('lee', '1234', { initialResponse: false });
    const event = await l.trace.waitFor((e) => e.steps?.sendmail === '8');
    const lines = event.transcript!.map((t) => `${t.dir}: ${t.line}`);
    expect(lines.slice(1)).toEqual(['C: AUTH PLAIN', 'S: + ', 'C: *****', expect.stringMatching(/^S: \+OK lee's maildrop/)]);
    expect(JSON.stringify(event)).not.toContain(Buffer.from('\0lee\x001234').toString('base64'));
  });

  it('reports a failed login as refused', async () => {
    const l = await lab();
    const c = await l.client();
    await c.command('USER lee', 'single');
    await c.command('PASS nope', 'single');
    const event = await l.trace.waitFor((e) => e.kind === 'pop3' && e.status === 'refused');
    expect(event).toMatchObject({ from: 'Client', to: 'Server', steps: STEPS.retrievalRequest, detail: { login: 'lee' } });
    expect(event.transcript!.at(-1)).toEqual({ dir: 'S', line: '-ERR [AUTH] invalid user name or password' });
    expect(JSON.stringify(event)).not.toContain('nope');
  });
});

describe('steps 9-10: the transfer', () => {
  it('holds at the gate before answering RETR, then reports the header and the line count', async () => {
    const l = await lab();
    const file = await l.deliver(letter('안녕하세요', 'line 1\nline 2\nline 3'));
    const c = await l.session();
    const previews: HopPreview[] = [];
    let release!: () => void;
    const reached = new Promise<void>((gateReached) => {
      l.trace.setGate((preview) => {
        previews.push(preview);
        gateReached();
        return new Promise<void>((resolve) => (release = resolve));
      });
    });
    let answered = false;
    const retr = c.retr(1).then((data) => {
      answered = true;
      return data;
    });
    await reached;
    expect(previews[0]).toMatchObject({ kind: 'pop3', from: 'Server', to: 'Client', steps: STEPS.retrievalTransfer, protocol: 'POP3', files: [file] });
    expect(answered).toBe(false);
    expect(l.trace.events.some((e) => e.steps?.sendmail === '9-10')).toBe(false);
    release();
    const data = await retr;
    const event = await l.trace.waitFor((e) => e.steps?.sendmail === '9-10');
    expect(event).toMatchObject({
      kind: 'pop3',
      protocol: 'POP3',
      from: 'Server',
      to: 'Client',
      fromAddress: '192.168.111.100',
      toAddress: '192.168.111.131',
      status: 'ok',
      // the file as it was read: it moves to cur/ with :2,S when the session ends (dovecot's way)
      files: [file],
      detail: { user: 'lee', message: 1, size: data.length, command: 'RETR' },
    });
    expect(event.transcript!.map((t) => `${t.dir}: ${t.line}`)).toEqual([
      'C: RETR 1',
      `S: +OK ${data.length} octets`,
      'S: From: kim@daum.net',
      'S: To: lee@naver.com',
      'S: Subject: 안녕하세요',
      'S: Message-ID: <@daum.net>',
      'S: ... (3 lines)',
    ]);
  });

  it('reports TOP as a transfer too', async () => {
    const l = await lab();
    await l.deliver(letter('top', 'a\nb\nc'));
    const c = await l.session();
    await c.top(1, 2);
    const event = await l.trace.waitFor((e) => e.steps?.sendmail === '9-10');
    expect(event.detail).toMatchObject({ command: 'TOP', lines: 2, message: 1 });
    expect(event.transcript![0]).toEqual({ dir: 'C', line: 'TOP 1 2' });
    expect(event.transcript!.at(-1)).toEqual({ dir: 'S', line: '... (2 lines)' });
  });

  it('does not time a session out while the gate holds its mail', async () => {
    // a second: long enough that a loaded machine does not idle the session out on its way to
    // the gate (its login and RETR are not held), short enough for the other session to end
    const l = await lab({ idleTimeoutMs: 1000 });
    await l.deliver(letter('held', 'x'));
    const c = await l.session();
    let release!: () => void;
    const reached = new Promise<void>((gateReached) => {
      l.trace.setGate(() => {
        gateReached();
        return new Promise<void>((resolve) => (release = resolve));
      });
    });
    const retr = c.retr(1);
    await reached;
    // Another session idles out meanwhile: longer than the time-out has passed for the held one.
    const idle = await l.client('outside');
    await once(idle.socket, 'close');
    release();
    expect((await retr).toString()).toContain('Subject: held');
  });

  it('samples the RETRs of a program outside the lab (a few whole, the rest counted); a lab host\'s RETRs stay whole', async () => {
    // one window that never ends on its own: the test, not the wall clock, says when it closes
    const l = await lab({}, { outside: { whole: 2, now: () => 0, setTimer: () => ({ clear() {} }) } });
    for (let i = 0; i < 5; i++) await l.deliver(letter(`flood ${i}`, 'x'));
    const transfers = () => l.trace.events.filter((e) => e.kind === 'pop3' && e.steps?.sendmail === STEPS.retrievalTransfer.sendmail && !e.detail?.sampled);
    const outside = await l.client('outside');
    await outside.login('lee', '1234');
    for (let n = 1; n <= 5; n++) expect((await outside.retr(n)).toString()).toContain(`Subject: flood ${n - 1}`);
    await outside.quit();
    await l.sessionEnd();
    const whole = transfers().filter((e) => e.to === 'outside');
    expect(whole.map((e) => e.detail?.message)).toEqual([1, 2]);
    expect(whole[0].transcript!.some((t) => t.line === 'Subject: flood 0')).toBe(true);
    l.trace.flushOutside();
    const summary = l.trace.events.find((e) => e.detail?.sampled && e.to === 'outside');
    expect(summary).toMatchObject({ kind: 'pop3', protocol: 'POP3', from: 'Server', detail: { count: 3, outcomes: { ok: 3 } } });
    expect(summary!.summary.en).toContain('3 more POP3 hops to outside');
    // the same from the lab's Client: every RETR a whole hop
    const c = await l.session();
    for (let n = 1; n <= 5; n++) await c.retr(n);
    await c.quit();
    await l.sessionEnd();
    expect(transfers().filter((e) => e.to === 'Client').map((e) => e.detail?.message)).toEqual([1, 2, 3, 4, 5]);
  });
});

