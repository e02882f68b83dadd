// Found by npm run fuzz (pop3, case 8562 of seed mail-lab): a client that pipelines tens of
// thousands of lines was answered in one unbroken chain, every other session waited (3 s under
// load), and their idle timers logged them out. Pipelined lines now give the other sessions a
// turn every few dozen lines.
import { afterAll, describe, expect, it } from 'vitest';
import { startPop3Lab, rawExchange, type Pop3Lab } from './pop3-fixture.ts';

let l: Pop3Lab | undefined;
afterAll(() => l?.close());

describe('one client\'s flood of pipelined lines', () => {
  it('does not hold up another session: its NOOP is answered while the flood is still being answered', async () => {
    l = await startPop3Lab();
    const other = await l.session();
    const flood = await l.connect();
    await rawExchange(flood, '', (b) => b.includes('\r\n'));
    // 60,000 empty lines in one write (one socket read) and a CAPA at the end
    let floodDone = false;
    let started!: () => void;
    const answering = new Promise<void>((resolve) => (started = resolve));
    const all = rawExchange(flood, Buffer.from(`${'\n'.repeat(60_000)}CAPA\r\n`), (b) => {
      if (b.includes('-ERR')) started();
      return b.includes('IMPLEMENTATION mail-lab\r\n.\r\n');
    }).then((wire) => {
      floodDone = true;
      return wire;
    });
    // the flood is being answered: now the other session asks
    await answering;
    expect((await other.command('NOOP', 'single')).ok).toBe(true);
    expect(floodDone).toBe(false);
    const wire = await all;
    expect(wire.toString('latin1').split('\r\n').filter((x) => x.startsWith('-ERR empty command'))).toHaveLength(60_000);
    flood.destroy();
    await other.quit();
  });
});
