// Shutting the mail server down (a host taken down in a scenario, the end of the lesson): a
// message being written still gets its 250, every session is told 421, the port is free again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, letter, maildirFiles, SmtpTestClient, type Lab } from './lab-fixture.ts';
import { startMailServer } from '../../lab/mta/mail-server.ts';

let lab: Lab;

beforeAll(async () => {
  lab = await createLab({ retry: '1h' });
});
afterAll(async () => {
  lab.trace.setGate(undefined);
  await lab?.cleanup();
});

describe('close()', () => {
  it('lets a message being written finish with its 250, tells every session 421, and frees the port', async () => {
    const server = await startMailServer(lab.Server, { port: 0 });
    lab.net.bind('Server', 'smtp', server.port);
    const idle = (await SmtpTestClient.fromHost(lab, 'Client', '192.168.111.100')).client;
    await idle.command('EHLO client.lab');
    const busy = (await SmtpTestClient.fromOutside(server.port)).client;
    await busy.command('EHLO busy.example');
    await busy.command('MAIL FROM:<kim@daum.net>');
    await busy.command('RCPT TO:<lee@naver.com>');

    // Hold the busy session's delivery at step 6-7 while the server is asked to close.
    let release!: () => void;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    lab.trace.setGate(async (preview) => {
      if (preview.kind !== 'mda') return;
      held();
      await new Promise<void>((resolve) => (release = resolve));
    });
    const accepted = busy.data(letter({ subject: 'in flight' }));
    await holding;
    const seen = lab.trace.events.length;
    const closing = server.close();
    release();
    const reply = await accepted;
    expect(reply.raw).toMatch(/^250 2\.0\.0 \S+ Message accepted for delivery$/);
    expect((await busy.reply()).raw).toBe('421 4.3.2 mail.naver.com Service shutting down');
    expect((await idle.reply()).raw).toBe('421 4.3.2 mail.naver.com Service shutting down');
    await Promise.all([busy.closed, idle.closed, closing]);
    lab.trace.setGate(undefined);
    expect((await maildirFiles(lab, 'Server', 'lee')).length).toBe(1);
    // our own 421s are no refusals to show the class
    expect(lab.trace.events.slice(seen).filter((e) => e.status === 'refused')).toEqual([]);

    // The host comes back on the same port (the runtime's hostUp) and serves again.
    lab.net.unbind('Server', 'smtp');
    const again = await startMailServer(lab.Server, { port: server.port });
    lab.net.bind('Server', 'smtp', again.port);
    expect(again.port).toBe(server.port);
    const { client, greeting } = await SmtpTestClient.fromHost(lab, 'Client', '192.168.111.100');
    expect(greeting.code).toBe(220);
    await client.quit();
    await again.close();
    await again.close(); // twice is fine
  });
});
