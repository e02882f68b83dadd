// A closed SMTP session leaves nothing behind (issue 12): under a load of one connection per
// letter, every closed connection (its socket, parser and session) stayed alive for the idle
// time-out, held by the slow-line deadline's pending wait on the lab clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, SmtpTestClient, type Lab } from './lab-fixture.ts';
import { startMailServer, type MailServer } from '../../lab/mta/mail-server.ts';

let lab: Lab;
let server: MailServer;

beforeAll(async () => {
  lab = await createLab({ retry: '1h' });
  server = await startMailServer(lab.Server, { port: 0 });
});
afterAll(async () => {
  await server?.close();
  await lab?.cleanup();
});

/** timers pending on the host's lab clock (what keeps a wait, and all it refers to, alive) */
const pending = () => (lab.Server.clock as unknown as { timers: Set<unknown> }).timers.size;

describe('a closed session', () => {
  it('leaves no timer on the lab clock, also when it closed in the middle of a command line', async () => {
    const before = pending();
    const clients = await Promise.all(Array.from({ length: 20 }, () => SmtpTestClient.fromOutside(server.port)));
    for (const [i, { client }] of clients.entries()) {
      await client.command('EHLO release.example');
      // half a command line: the slow-line deadline starts
      client.write(i % 2 ? 'MAIL FROM:<kim@' : 'NOOP');
    }
    // every session's deadline is waiting now (one timer each)
    while (pending() < before + clients.length) await new Promise((r) => setTimeout(r, 5));
    for (const { client } of clients) client.destroy();
    while (server.listener.server!.connections.size > 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setImmediate(r));
    expect(pending()).toBe(before);
  });
});
