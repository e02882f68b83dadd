// SMTP exhaustion (issue 11): a 200 MB DATA against the 10 MB limit is refused with 552 while
// the lab's memory grows by less than the limit (the message is streamed, never kept); a flood
// of connections past `clients` gets 421; idle and slow clients are dropped at the idle time; a
// header bomb is refused. After each, the server still answers.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/runtime/lab.ts';
import { SmtpTestClient, letter } from './lab-fixture.ts';
import { startEditedLab } from './yaml-lab.ts';

/** The lab in a child process, and a way to ask it its memory. */
async function memoryLab() {
  const child = spawn(process.execPath, ['--expose-gc', path.join(import.meta.dirname, 'memory-child.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const line = async (re: RegExp) => {
    for (;;) {
      const m = re.exec(out);
      if (m) {
        out = out.slice(m.index + m[0].length);
        return m;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const port = Number((await line(/READY (\d+)\n/))[1]);
  return {
    port,
    rss: async () => {
      child.stdin.write('rss\n');
      const m = await line(/RSS (\d+) (\d+) (\d+)\n/);
      return { peakKb: Number(m[1]), nowKb: Number(m[2]), heldKb: Number(m[3]) };
    },
    stop: () => new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.stdin.end();
    }),
  };
}

/** Write `total` bytes of message body to the socket, minding back-pressure. */
async function stream(socket: net.Socket, total: number): Promise<void> {
  const line = Buffer.from(`${'z'.repeat(998)}\r\n`);
  const chunk = Buffer.concat(Array.from({ length: 64 }, () => line));
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
}

describe('a 200 MB DATA', () => {
  it('is refused with 552 5.3.4 while the lab grows by less than the 10 MB limit, and the next message is taken', async () => {
    const lab = await memoryLab();
    try {
      const { client } = await SmtpTestClient.fromOutside(lab.port);
      await client.command('EHLO big.example');
      // a warm-up message: the session, the MDA and the Maildir are all set up before measuring
      expect((await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ subject: 'warm-up' }))).code).toBe(250);
      const before = await lab.rss();
      await client.command('MAIL FROM:<kim@daum.net>');
      await client.command('RCPT TO:<lee@naver.com>');
      expect((await client.command('DATA')).code).toBe(354);
      client.write('Subject: 200 MB\r\n\r\n');
      await stream(client.socket, 200 * 1024 * 1024);
      client.write('.\r\n');
      const reply = await client.reply();
      expect(reply.raw).toBe('552 5.3.4 Message size exceeds fixed maximum message size (10485760)');
      const after = await lab.rss();
      const grewKb = after.peakKb - before.peakKb;
      console.log(`lab peak RSS ${before.peakKb} KB before the 200 MB DATA, ${after.peakKb} KB after: grew ${grewKb} KB; held after GC ${before.heldKb} -> ${after.heldKb} KB; RSS now ${after.nowKb} KB (limit 10240 KB)`);
      // what the lab holds (heap and buffers, after a collection) grows by less than the limit;
      // the resident set, which keeps freed read buffers until the allocator gives them back,
      // never comes near the 200 MB the message would take if it were kept
      expect(after.heldKb - before.heldKb).toBeLessThan(10 * 1024);
      expect(grewKb).toBeLessThan(200 * 1024);
      expect((await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ subject: 'after the flood' }))).code).toBe(250);
      await client.quit();
    } finally {
      await lab.stop();
    }
  });
});

describe('a flood of connections', () => {
  let lab: Lab;
  beforeAll(async () => {
    // the idle time-out left at its default: on a loaded machine the 200 connections can take
    // longer to answer than a short one, and a served client dropped for idling frees a place
    // (CI once saw 10 served of 200 with 400 ms)
    lab = await startEditedLab((doc) => {
      doc.hosts.Server.mail.limits = { clients: 5 };
    });
  });
  afterAll(() => lab?.stop());

  it('a flood of 200 connections past clients: 5 served, every other one told 421, then a place again', async () => {
    const port = lab.port('Server', 'smtp');
    const all = await Promise.all(Array.from({ length: 200 }, () => SmtpTestClient.fromOutside(port).catch((err: Error) => err)));
    const greeted = all.filter((c): c is Awaited<ReturnType<typeof SmtpTestClient.fromOutside>> => !(c instanceof Error));
    const codes = greeted.map((c) => c.greeting.code);
    expect(codes.filter((c) => c === 220)).toHaveLength(5);
    expect(codes.filter((c) => c === 421)).toHaveLength(greeted.length - 5);
    expect(greeted.every((c) => c.greeting.code === 220 || /^421 mail\.naver\.com Too many connected clients/.test(c.greeting.raw))).toBe(true);
    const served = greeted.filter((c) => c.greeting.code === 220);
    expect((await served[0].client.command('NOOP')).code).toBe(250);
    await Promise.all(greeted.map((c) => (c.greeting.code === 220 ? c.client.quit() : c.client.closed)));
    const { client, greeting } = await SmtpTestClient.fromOutside(port);
    expect(greeting.code).toBe(220);
    await client.quit();
  });

});

const IDLE = 1_200;

describe('idle and slow clients', () => {
  let lab: Lab;
  // 1,200 ms, not less: the slow client's bytes come every 100 ms, and a loaded machine once held
  // the test's timer back past a 400 ms idle time, so that smtp-server's own time-out (silence)
  // came before the lab's (a line not done), and the reply was the other 421
  beforeAll(async () => {
    lab = await startEditedLab((doc) => {
      doc.hosts.Server.mail.limits = { clients: 5, idleTimeout: IDLE };
    });
  });
  afterAll(() => lab?.stop());

  it('an idle client is told 421 4.4.2 at the idle time and dropped', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    await client.command('EHLO idle.example');
    const started = Date.now();
    expect((await client.reply()).raw).toBe('421 4.4.2 mail.naver.com Timeout - closing connection');
    await client.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE - 50);
  });

  it('a slow client, one byte at a time each in time for the idle time-out, is dropped when its line is not done at the idle time', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    await client.command('EHLO slow.example');
    const started = Date.now();
    const line = 'MAIL FROM:<slowloris@example.com>';
    let i = 0;
    // a byte every 100 ms (the idle time is 1,200 ms): the socket never goes quiet for long
    const trickle = setInterval(() => {
      if (i < line.length) client.write(line[i++]);
    }, 100);
    try {
      const reply = await client.reply();
      expect(reply.raw).toBe(`421 4.4.2 mail.naver.com Command line not completed within ${IDLE} ms; closing connection`);
      await client.closed;
      expect(i).toBeLessThan(line.length);
      expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE - 50);
    } finally {
      clearInterval(trickle);
    }
    // the next client is served
    const { client: next, greeting } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    expect(greeting.code).toBe(220);
    await next.quit();
  });

});

// A lab of its own with the default idle time-out: with 400 ms, a loaded CI machine took longer
// than that between the last of 5 MB and the reply, and the session was told 421 instead of 552.
describe('header bomb', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startEditedLab();
  });
  afterAll(() => lab?.stop());

  it('a header bomb (50,000 fields, or one field of 5 MB) is refused with 552 5.6.0, and the session goes on', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    await client.command('EHLO bomb.example');
    const fields = Array.from({ length: 50_000 }, (_, n) => `X-Bomb-${n}: ${'b'.repeat(40)}`).join('\r\n');
    await client.command('MAIL FROM:<kim@daum.net>');
    await client.command('RCPT TO:<lee@naver.com>');
    expect((await client.data(`${fields}\r\nSubject: bomb\r\n\r\nbody\r\n`)).raw).toBe('552 5.6.0 Headers too large (32768 max)');
    await client.command('MAIL FROM:<kim@daum.net>');
    await client.command('RCPT TO:<lee@naver.com>');
    const folded = `Subject: one long field\r\n X-Long: ${Array.from({ length: 50_000 }, () => 'c'.repeat(98)).join('\r\n\t')}\r\n\r\nbody\r\n`;
    expect((await client.data(`X-Long: ${'d'.repeat(5 * 1024 * 1024)}\r\n\r\nbody\r\n`)).raw).toBe('552 5.6.0 Headers too large (32768 max)');
    await client.command('MAIL FROM:<kim@daum.net>');
    await client.command('RCPT TO:<lee@naver.com>');
    expect((await client.data(folded)).raw).toBe('552 5.6.0 Headers too large (32768 max)');
    expect((await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ subject: 'after the bomb' }))).code).toBe(250);
    await client.quit();
    expect((await lab.mailbox('Server', 'lee')).map((l) => l.subject)).toContain('after the bomb');
  });
});
