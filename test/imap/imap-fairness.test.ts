// As for POP3 (test/pop3/pop3-fairness.test.ts, found by npm run fuzz): one client pipelining
// tens of thousands of lines does not hold up the other sessions; they get a turn every few
// dozen commands.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startImapLab, type ImapLab } from './imap-lab.ts';
import { imapLines } from '../mta/imap-line-client.ts';

let lab: ImapLab | undefined;
afterAll(() => lab?.close());

describe("one IMAP client's flood of pipelined lines", () => {
  it('does not hold up another session: its NOOP is answered while the flood is still being answered', async () => {
    lab = await startImapLab();
    const other = await imapLines(lab.port);
    expect(await other.command('a', 'LOGIN lee 1234')).toMatch(/^a OK/m);
    const flood = net.connect(lab.port, '127.0.0.1');
    flood.setEncoding('latin1');
    let received = '';
    let floodDone = false;
    let started!: () => void;
    const answering = new Promise<void>((resolve) => (started = resolve));
    const done = new Promise<void>((resolve) => {
      flood.on('data', (d: string) => {
        received += d;
        if (received.includes('BAD')) started();
        if (received.includes('z OK')) {
          floodDone = true;
          resolve();
        }
      });
    });
    await new Promise((resolve) => flood.once('connect', resolve));
    flood.write(`${'\r\n'.repeat(30_000)}z NOOP\r\n`);
    await answering;
    expect(await other.command('b', 'NOOP')).toMatch(/^b OK/m);
    expect(floodDone).toBe(false);
    await done;
    flood.destroy();
    other.close();
  });
});
