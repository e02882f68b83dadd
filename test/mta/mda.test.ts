// The MDA on its own (steps 6-7): Return-Path and Delivered-To at final delivery, the Maildir
// written only after the step gate lets it, unknown users refused for good.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mda, MdaError } from '../../lab/mta/mda.ts';
import { createLab, letter, maildirFiles, type Lab } from './lab-fixture.ts';

let lab: Lab;
let mda: Mda;

beforeAll(async () => {
  lab = await createLab();
  mda = new Mda(lab.Server);
});
afterAll(async () => {
  lab.trace.setGate(undefined);
  await lab?.cleanup();
});

const envelope = (from: string, to: string) => ({ from, recipients: [to], receivedFrom: { host: 'Server-B', address: '192.168.111.200', helo: 'mail.daum.net' } });

describe('Mda', () => {
  it('holds at step 6-7 before it writes, then writes Return-Path and Delivered-To on top of the message', async () => {
    const message = Buffer.from(`Received: from mail.daum.net (mail.daum.net [192.168.111.200])\r\n\tby mail.naver.com (192.168.111.100) with ESMTP id qTest1;\r\n\tMon, 02 Jun 2025 10:00:00 +0900\r\n${letter({ headers: ['Message-ID: <m1@daum.net>'] })}`);
    let release!: () => void;
    let held!: (files: string[]) => void;
    const heldAt = new Promise<string[]>((resolve) => (held = resolve));
    lab.trace.setGate(async (preview) => {
      expect(preview).toMatchObject({ kind: 'mda', from: 'Server', to: 'Server', steps: { sendmail: '6-7' } });
      held(await maildirFiles(lab, 'Server', 'lee'));
      await new Promise<void>((resolve) => (release = resolve));
    });
    const delivery = mda.deliver('lee@naver.com', message, envelope('kim@daum.net', 'lee@naver.com'), { queueId: 'qTest1' });
    // While the class looks at step 6-7, nothing is in the mailbox yet.
    expect(await heldAt).toEqual([]);
    expect(lab.trace.events.some((e) => e.kind === 'mda')).toBe(false);
    release();
    const { file } = await delivery;
    lab.trace.setGate(undefined);
    expect(fs.existsSync(file)).toBe(true);
    expect(file).toContain('/Server/mail/lee/new/');
    const text = await fsp.readFile(file, 'utf8');
    expect(text.startsWith('Return-Path: <kim@daum.net>\r\nDelivered-To: lee@naver.com\r\nReceived: from mail.daum.net')).toBe(true);
    expect(text.endsWith(message.toString('utf8'))).toBe(true);
    const event = lab.trace.events.find((e) => e.kind === 'mda')!;
    expect(event).toMatchObject({
      from: 'Server',
      to: 'Server',
      fromAddress: '192.168.111.100',
      steps: { sendmail: '6-7' },
      status: 'ok',
      files: [file],
      queueId: 'qTest1',
      messageId: '<m1@daum.net>',
      detail: { user: 'lee', recipient: 'lee@naver.com' },
    });
  });

  it('writes Return-Path: <> for a bounce (the null sender)', async () => {
    const { file } = await mda.deliver('LEE@naver.com', Buffer.from(letter({ from: 'MAILER-DAEMON@daum.net' })), envelope('', 'LEE@naver.com'));
    const text = await fsp.readFile(file, 'utf8');
    expect(text.startsWith('Return-Path: <>\r\nDelivered-To: LEE@naver.com\r\n')).toBe(true);
  });

  it('refuses a user the host does not have with a permanent MdaError (the runner bounces it)', async () => {
    const seen = lab.trace.events.length;
    const failure = await mda.deliver('nobody@naver.com', Buffer.from(letter()), envelope('kim@daum.net', 'nobody@naver.com')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(MdaError);
    expect(failure).toMatchObject({ permanent: true, responseCode: 550, response: '550 5.1.1 <nobody@naver.com>... User unknown' });
    const event = lab.trace.events.slice(seen).find((e) => e.kind === 'mda');
    expect(event).toMatchObject({ status: 'failed', steps: { sendmail: '6-7' }, detail: { recipient: 'nobody@naver.com' } });
    // a user of another host's domain is no user here either
    await expect(mda.deliver('kim@daum.net', Buffer.from(letter()), envelope('lee@naver.com', 'kim@daum.net'))).rejects.toMatchObject({ permanent: true });
  });

  it('reports a mailbox it cannot write as a temporary failure (the runner retries)', async () => {
    const other = await createLab();
    try {
      const mailDir = `${other.Server.dataDir}/mail`;
      await fsp.mkdir(mailDir, { recursive: true });
      await fsp.writeFile(`${mailDir}/lee`, 'in the way');
      const failure = await new Mda(other.Server).deliver('lee@naver.com', Buffer.from(letter()), envelope('kim@daum.net', 'lee@naver.com')).catch((err: unknown) => err);
      expect(failure).toMatchObject({ permanent: false, responseCode: 451 });
      expect(other.trace.events.at(-1)).toMatchObject({ kind: 'mda', status: 'failed' });
    } finally {
      await other.cleanup();
    }
  });
});
