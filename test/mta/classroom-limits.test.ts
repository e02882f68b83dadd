// The limits of topology/classroom.yaml as shipped: it spells out none, so every one is the
// schema's default, parsed (zod's prefault; `.default({})` used to hand back {} unparsed and
// the lab had no limit at all). SIZE in EHLO, 552 on size, and the recipient, line, client and
// idle limits, on the lab `npm run lab` starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, DEFAULT_TOPOLOGY, type Lab } from '../../lab/runtime/lab.ts';
import { loadTopology } from '../../lab/topology/load.ts';
import { SmtpTestClient } from './lab-fixture.ts';
import { mailServerOf, smtpFromHost } from './yaml-lab.ts';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ topology: DEFAULT_TOPOLOGY, ports: 'auto', retry: '100ms*5' });
});
afterAll(() => lab?.stop());

describe('topology/classroom.yaml: the limits are on', () => {
  it('the loaded topology has every default limit', () => {
    const topology = loadTopology(DEFAULT_TOPOLOGY);
    for (const name of ['Server', 'Server-B']) {
      expect(topology.hosts.find((h) => h.name === name)!.mail!.limits).toEqual({
        messageSize: 10 * 1024 * 1024,
        recipients: 100,
        lineLength: 2048,
        clients: 50,
        idleTimeout: 5 * 60_000,
        maxHops: 30,
      });
    }
  });

  it('advertises SIZE 10485760 in EHLO and refuses a declared SIZE over it with 552 5.3.4', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    const ehlo = await client.command('EHLO outside.example');
    expect(ehlo.lines).toContain('SIZE 10485760');
    expect((await client.command('MAIL FROM:<kim@daum.net> SIZE=10485761')).raw).toMatch(/^552 5\.3\.4 /);
    expect((await client.command('MAIL FROM:<kim@daum.net> SIZE=10485760')).code).toBe(250);
    await client.quit();
  });

  it('refuses an 11 MB message with 552 after its DATA, delivers nothing, and takes the next message', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    await client.command('EHLO outside.example');
    await client.command('MAIL FROM:<kim@daum.net>');
    await client.command('RCPT TO:<lee@naver.com>');
    const line = `${'x'.repeat(998)}\r\n`;
    const big = `Subject: too big\r\n\r\n${line.repeat(Math.ceil((11 * 1024 * 1024) / line.length))}`;
    expect((await client.data(big)).raw).toMatch(/^552 5\.3\.4 Message size exceeds fixed maximum message size \(10485760\)/);
    expect((await client.sendMail('kim@daum.net', ['lee@naver.com'], 'Subject: small\r\n\r\nok\r\n')).code).toBe(250);
    await client.quit();
    expect((await lab.mailbox('Server', 'lee')).map((l) => l.subject)).toEqual(['small']);
  });

  it('takes 100 recipients and answers the 101st with 452', async () => {
    const { client } = await smtpFromHost(lab, 'WinClient', 'Server-B');
    await client.command('EHLO winclient.lab');
    await client.command('MAIL FROM:<kim@daum.net>');
    for (let i = 1; i <= 100; i++) expect((await client.command(`RCPT TO:<user${i}@naver.com>`)).code).toBe(250);
    expect((await client.command('RCPT TO:<user101@naver.com>')).raw).toMatch(/^452 4\.5\.3 /);
    await client.command('RSET');
    await client.quit();
  });

  it('answers a command line over 2048 bytes with 500 5.5.2 and goes on', async () => {
    const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    await client.command('EHLO outside.example');
    expect((await client.command(`NOOP ${'y'.repeat(2100)}`)).raw).toMatch(/^500 5\.5\.2 Command line too long \(2105 bytes; at most 2048\)/);
    expect((await client.command('NOOP')).code).toBe(250);
    await client.quit();
  });

  it('serves 50 clients at once and answers the 51st with 421', async () => {
    const open: SmtpTestClient[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const { client, greeting } = await SmtpTestClient.fromOutside(lab.port('Server-B', 'smtp'));
        expect(greeting.code).toBe(220);
        open.push(client);
      }
      const { client: extra, greeting } = await SmtpTestClient.fromOutside(lab.port('Server-B', 'smtp'));
      expect(greeting.raw).toMatch(/^421 /);
      await extra.closed;
    } finally {
      await Promise.all(open.map((c) => c.quit()));
    }
  });

  it('drops an idle client after 5 minutes (smtp-server is given the topology\'s idle time)', async () => {
    for (const name of ['Server', 'Server-B']) {
      // smtp-server's server is made at a listener's first connection
      const { client } = await SmtpTestClient.fromOutside(lab.port(name, 'smtp'));
      await client.quit();
      const options = (mailServerOf(lab, name).listener.server as unknown as { options: Record<string, unknown> }).options;
      expect(options).toMatchObject({ socketTimeout: 300_000, size: 10485760, maxRecipients: 100, maxClients: 50 });
    }
  });
});
