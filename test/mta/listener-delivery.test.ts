// The listener's local path: a message for one of the host's users is written into the user's
// Maildir by the MDA before the 250, with the headers of each hop.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, letter, maildirFiles, SmtpTestClient, startMailHost, type Lab } from './lab-fixture.ts';

type MailServer = Awaited<ReturnType<typeof startMailHost>>;

const queueIdOf = (reply: string) => /^250 2\.0\.0 (\S+) Message accepted for delivery$/.exec(reply)?.[1];

describe('local delivery', () => {
  let lab: Lab;
  let server: MailServer;
  let serverB: MailServer;

  beforeAll(async () => {
    lab = await createLab({ retry: '1h' });
    server = await startMailHost(lab, 'Server', { retry: '1h' });
    serverB = await startMailHost(lab, 'Server-B', { retry: '1h' });
  });
  afterAll(async () => {
    lab.trace.setGate(undefined);
    await Promise.all([server?.close(), serverB?.close()]);
    await lab?.cleanup();
  });

  it("writes lee's letter into his Maildir before the 250, with Return-Path, Delivered-To, Received, Message-ID and Date", async () => {
    const { client, greeting } = await SmtpTestClient.fromHost(lab, 'Client', '192.168.111.100');
    expect(greeting.raw).toBe('220 mail.naver.com ESMTP Sendmail-lab');
    let replied = false;
    let heldBeforeReply: boolean | undefined;
    let filesWhileHeld: string[] | undefined;
    // The gate runs where the MDA holds step 6-7: nothing is written yet, no 250 has gone out.
    lab.trace.setGate(async (preview) => {
      if (preview.kind !== 'mda') return;
      heldBeforeReply = !replied;
      filesWhileHeld = await maildirFiles(lab, 'Server', 'lee');
    });
    const before = await maildirFiles(lab, 'Server', 'lee');
    const pending = client.sendMail('lee@naver.com', ['lee@naver.com'], letter({ from: 'lee@naver.com', subject: 'note to self' }), 'client.lab');
    const reply = await pending;
    replied = true;
    // The reply has just arrived: the file must be there already.
    const after = await maildirFiles(lab, 'Server', 'lee');
    lab.trace.setGate(undefined);
    expect(reply.code).toBe(250);
    const id = queueIdOf(reply.raw);
    expect(id).toBeDefined();
    expect(heldBeforeReply).toBe(true);
    expect(filesWhileHeld).toEqual(before);
    const added = after.filter((f) => !before.includes(f));
    expect(added).toHaveLength(1);
    expect(fs.existsSync(added[0])).toBe(true);

    const text = await fsp.readFile(added[0], 'utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('Return-Path: <lee@naver.com>');
    expect(lines[1]).toBe('Delivered-To: lee@naver.com');
    expect(lines[2]).toBe('Received: from client.lab ([192.168.111.131])');
    expect(lines[3]).toBe(`\tby mail.naver.com (192.168.111.100) with ESMTP id ${id}`);
    expect(lines[4]).toBe('\tfor <lee@naver.com>;');
    expect(lines[5]).toMatch(/^\t(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/);
    // Submission from lee's PC: the mail program wrote no Message-ID and no Date; the server adds them.
    expect(text).toMatch(new RegExp(`\\r\\nMessage-ID: <\\d{12}\\.${id}@mail\\.naver\\.com>\\r\\n`));
    expect(text).toMatch(/\r\nDate: \w{3}, \d\d \w{3} \d{4} /);
    expect(text).toContain('Subject: note to self\r\n');
    expect(text.endsWith('\r\n\r\n안녕하세요, lee. 잘 지내시죠?\r\n')).toBe(true);

    // The trace: step 1 (Client -> Server) with the transcript, then 6-7 with the file.
    const submitted = await lab.trace.waitFor((e) => e.kind === 'smtp' && e.queueId === id);
    expect(submitted).toMatchObject({ from: 'Client', to: 'Server', fromAddress: '192.168.111.131', toAddress: '192.168.111.100', steps: { sendmail: '1' }, status: 'ok' });
    const lines1 = submitted.transcript!.map((l) => `${l.dir}: ${l.line}`);
    expect(lines1).toContain('S: 220 mail.naver.com ESMTP Sendmail-lab');
    expect(lines1).toContain('C: MAIL FROM:<lee@naver.com>');
    expect(lines1).toContain('S: 250 2.1.5 Accepted');
    expect(lines1.at(-1)).toBe('C: .');
    const delivered = await lab.trace.waitFor((e) => e.kind === 'mda' && e.queueId === id);
    expect(delivered).toMatchObject({ from: 'Server', to: 'Server', steps: { sendmail: '6-7' }, status: 'ok', files: [added[0]], detail: { user: 'lee', recipient: 'lee@naver.com' } });
    expect(delivered.transcript).toEqual([{ dir: 'S', line: reply.raw }]);
    expect(submitted.seq).toBeLessThan(delivered.seq);
    await client.quit();
  });

  it('answers 550 5.1.1 for a user the host does not have, reports the refusal and goes on', async () => {
    const { client } = await SmtpTestClient.fromOutside(server.port);
    await client.command('EHLO outside.example');
    await client.command('MAIL FROM:<someone@example.com>');
    const seen = lab.trace.events.length;
    const refused = await client.command('RCPT TO:<nobody@naver.com>');
    expect(refused.raw).toBe('550 5.1.1 <nobody@naver.com>... User unknown');
    const event = await lab.trace.waitFor((e) => e.seq > seen && e.status === 'refused');
    expect(event).toMatchObject({ kind: 'smtp', from: 'outside', to: 'Server', steps: { sendmail: '1' } });
    expect(event.transcript!.at(-1)).toEqual({ dir: 'S', line: '550 5.1.1 <nobody@naver.com>... User unknown' });
    expect(event.transcript).toContainEqual({ dir: 'C', line: 'RCPT TO:<nobody@naver.com>' });
    // the session goes on: the same transaction takes a user that exists
    expect((await client.command('RCPT TO:<lee@naver.com>')).code).toBe(250);
    expect((await client.data(letter())).code).toBe(250);
    await client.quit();
  });

  it('does not add Message-ID or Date for mail that is not a submission (outside, no AUTH), and keeps those it has', async () => {
    const { client } = await SmtpTestClient.fromOutside(server.port);
    const bare = await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ subject: 'bare' }), 'swaks.example');
    const own = await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ subject: 'own', headers: ['Message-ID: <own-1@daum.net>', 'Date: Mon, 02 Jun 2025 10:00:00 +0900'] }), 'swaks.example');
    await client.quit();
    const byId = async (reply: string) => {
      const id = queueIdOf(reply)!;
      const event = await lab.trace.waitFor((e) => e.kind === 'mda' && e.queueId === id);
      return fsp.readFile(event.files![0], 'utf8');
    };
    const bareText = await byId(bare.raw);
    expect(bareText).toContain(`Received: from swaks.example ([127.0.0.1])\r\n\tby mail.naver.com (192.168.111.100) with ESMTP id ${queueIdOf(bare.raw)}`);
    expect(bareText).not.toMatch(/^Message-ID:/im);
    expect(bareText).not.toMatch(/^Date:/im);
    const ownText = await byId(own.raw);
    expect(ownText.match(/^Message-ID:/gim)).toHaveLength(1);
    expect(ownText.match(/^Date:/gim)).toHaveLength(1);
    expect(ownText).toContain('Message-ID: <own-1@daum.net>');
    const event = lab.trace.events.find((e) => e.kind === 'mda' && e.queueId === queueIdOf(own.raw));
    expect(event?.messageId).toBe('<own-1@daum.net>');
  });

  it("a lab mail server's session is the far end of 4-5: reported with its transcript, without steps", async () => {
    const { client } = await SmtpTestClient.fromHost(lab, 'Server-B', '192.168.111.100');
    const ehlo = await client.command('EHLO mail.daum.net');
    // the lab's address plan is the reverse lookup: 192.168.111.200 is mail.daum.net
    expect(ehlo.lines[0]).toBe('mail.naver.com Hello mail.daum.net, pleased to meet you');
    const reply = await client.sendMail('kim@daum.net', ['lee@naver.com'], letter({ headers: ['Received: from winclient.lab ([192.168.111.132]) by mail.daum.net (192.168.111.200) with ESMTP id qEarlier; Mon, 02 Jun 2025 10:00:00 +0900'] }), 'mail.daum.net');
    await client.quit();
    const id = queueIdOf(reply.raw)!;
    const incoming = await lab.trace.waitFor((e) => e.kind === 'smtp' && e.queueId === id);
    expect(incoming).toMatchObject({ from: 'Server-B', to: 'Server', fromAddress: '192.168.111.200', status: 'ok' });
    expect(incoming.steps).toBeUndefined();
    expect(incoming.transcript!.some((l) => l.line === 'MAIL FROM:<kim@daum.net>')).toBe(true);
    const delivered = await lab.trace.waitFor((e) => e.kind === 'mda' && e.queueId === id);
    const text = await fsp.readFile(delivered.files![0], 'utf8');
    // newest hop on top, the earlier hop below it
    expect(text.indexOf(`Received: from mail.daum.net (mail.daum.net [192.168.111.200])\r\n\tby mail.naver.com (192.168.111.100) with ESMTP id ${id}`)).toBeGreaterThan(0);
    expect(text.indexOf('by mail.naver.com')).toBeLessThan(text.indexOf('by mail.daum.net'));
    // a relayed message is no submission: no Message-ID is made up for it
    expect(text).not.toMatch(/^Message-ID:/im);
  });

  it('mixes local and queued recipients in one message: the MDA takes ours, the queue the rest', async () => {
    const { client } = await SmtpTestClient.fromHost(lab, 'Client', '192.168.111.100');
    const reply = await client.sendMail('lee@naver.com', ['lee@naver.com', 'kim@daum.net'], letter({ from: 'lee@naver.com', to: 'lee@naver.com, kim@daum.net' }), 'client.lab');
    await client.quit();
    const id = queueIdOf(reply.raw)!;
    const queued = await lab.trace.waitFor((e) => e.kind === 'queue' && e.queueId === id && e.status === 'ok');
    expect(queued).toMatchObject({ steps: { sendmail: '2' }, detail: { recipients: ['kim@daum.net'] } });
    expect(queued.files!.map((f) => path.basename(f)).sort()).toEqual([`df${id}`, `qf${id}`]);
    expect(queued.transcript).toEqual([{ dir: 'S', line: reply.raw }]);
    const delivered = lab.trace.events.find((e) => e.kind === 'mda' && e.queueId === id && e.status === 'ok');
    expect(delivered?.detail).toMatchObject({ user: 'lee' });
    // two recipients: sendmail writes no "for <...>" then
    const text = await fsp.readFile(delivered!.files![0], 'utf8');
    expect(text).toContain(`with ESMTP id ${id};\r\n`);
  });
});

describe('a write that fails', () => {
  let lab: Lab;
  let server: MailServer;

  beforeAll(async () => {
    lab = await createLab({ retry: '1h' });
    server = await startMailHost(lab, 'Server', { retry: '1h' });
  });
  afterAll(async () => {
    await server?.close();
    await lab?.cleanup();
  });

  it("puts a message the MDA cannot write into the queue (250), and the runner delivers it once the mailbox is back", async () => {
    const mailbox = path.join(lab.Server.dataDir, 'mail', 'lee');
    await fsp.mkdir(path.dirname(mailbox), { recursive: true });
    await fsp.writeFile(mailbox, 'not a Maildir');
    const { client } = await SmtpTestClient.fromHost(lab, 'Client', '192.168.111.100');
    const reply = await client.sendMail('lee@naver.com', ['lee@naver.com'], letter({ subject: 'kept' }), 'client.lab');
    expect(reply.code).toBe(250);
    const id = queueIdOf(reply.raw)!;
    const failed = await lab.trace.waitFor((e) => e.kind === 'mda' && e.queueId === id && e.status === 'failed');
    expect(failed.steps?.sendmail).toBe('6-7');
    const queued = await lab.trace.waitFor((e) => e.kind === 'queue' && e.queueId === id && e.status === 'ok');
    expect(queued.detail).toMatchObject({ recipients: ['lee@naver.com'] });
    expect(fs.existsSync(path.join(lab.Server.dataDir, 'queue', `qf${id}`))).toBe(true);
    // the runner's own first try fails the same way and defers
    await lab.trace.waitFor((e) => e.queueId === id && e.status === 'deferred');
    // the mailbox comes back; a flush delivers what was acknowledged
    await fsp.rm(mailbox);
    const seen = lab.trace.events.length;
    server.runner.flush();
    const delivered = await lab.trace.waitFor((e) => e.seq > seen && e.kind === 'mda' && e.queueId === id && e.status === 'ok');
    const text = await fsp.readFile(delivered.files![0], 'utf8');
    expect(text).toContain('Subject: kept');
    expect(text.startsWith('Return-Path: <lee@naver.com>\r\nDelivered-To: lee@naver.com\r\n')).toBe(true);
    await client.quit();
  });

  it('answers 451 4.3.0 when neither the mailbox nor the queue can be written, and the session goes on', async () => {
    const mailbox = path.join(lab.Server.dataDir, 'mail', 'lee');
    const queueDir = path.join(lab.Server.dataDir, 'queue');
    await fsp.rm(mailbox, { recursive: true, force: true });
    await fsp.writeFile(mailbox, 'not a Maildir');
    await fsp.rm(queueDir, { recursive: true, force: true });
    await fsp.writeFile(queueDir, 'not a spool folder');
    const { client } = await SmtpTestClient.fromHost(lab, 'Client', '192.168.111.100');
    await client.command('EHLO client.lab');
    await client.command('MAIL FROM:<lee@naver.com>');
    await client.command('RCPT TO:<lee@naver.com>');
    const seen = lab.trace.events.length;
    const reply = await client.data(letter({ subject: 'lost?' }));
    expect(reply.raw).toMatch(/^451 4\.3\.0 /);
    const event = await lab.trace.waitFor((e) => e.seq > seen && e.kind === 'smtp' && e.status === 'failed');
    expect(event.transcript!.at(-1)!.line).toBe(reply.raw);
    expect((await client.command('NOOP')).code).toBe(250);
    await client.quit();
    // restore, so that close() finds its folders
    await fsp.rm(queueDir);
    await fsp.mkdir(queueDir);
    await fsp.rm(mailbox);
  });
});
