// MX lookup as the queue runner does it: preference order, the next MX on failure, the implicit
// MX (RFC 5321 section 5.1) and "mail loops back to me", against the lab's name server.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import { createLab, type Lab } from './lab-fixture.ts';
import { startDns, startSink, startQueueHost, testLetter, envelopeFor, type QueueHost, type Sink } from './queue-fixture.ts';
import type { NameServer } from '../../lab/dns/name-server.ts';
import { lookupMx, DeliveryFailure } from '../../lab/mta/mx-lookup.ts';
import type { HopEvent } from '../../lab/trace/hop-event.ts';

let lab: Lab;
let dns: NameServer;
let b: QueueHost | undefined;
const sinks: Sink[] = [];

beforeEach(async () => {
  lab = await createLab();
  dns = await startDns(lab);
});

afterEach(async () => {
  await b?.stop();
  b = undefined;
  while (sinks.length) await sinks.pop()!.close();
  await dns.close();
  await lab.cleanup();
});

const sink = async (host: string, options = {}) => {
  const s = await startSink(lab, host, options);
  sinks.push(s);
  return s;
};

const finished = (id: string) => (e: HopEvent) => e.queueId === id && ((e.kind === 'relay' && e.status === 'ok') || e.kind === 'bounce');

describe('MX lookup', () => {
  it('sorts the MX records by preference and resolves each exchange', async () => {
    const hosts = await lookupMx(lab['Server-B'], 'pref.lab.test');
    expect(hosts).toEqual([
      { exchange: 'mx1.lab.test', preference: 10, addresses: ['192.168.111.100'] },
      { exchange: 'mx2.lab.test', preference: 20, addresses: ['192.168.111.131'] },
    ]);
    const hop = lab.trace.events.find((e) => e.kind === 'dns')!;
    expect(hop).toMatchObject({ from: 'Server-B', to: 'Server', toAddress: '192.168.111.100', protocol: 'DNS', status: 'ok', steps: { overview: '2', sendmail: '3' } });
    expect(hop.transcript).toEqual([
      { dir: 'C', line: 'QUERY pref.lab.test. IN MX' },
      { dir: 'S', line: 'pref.lab.test. 300 IN MX 20 mx2.lab.test.' },
      { dir: 'S', line: 'pref.lab.test. 300 IN MX 10 mx1.lab.test.' },
      { dir: 'C', line: 'QUERY mx1.lab.test. IN A' },
      { dir: 'S', line: 'mx1.lab.test. 300 IN A 192.168.111.100' },
      { dir: 'C', line: 'QUERY mx2.lab.test. IN A' },
      { dir: 'S', line: 'mx2.lab.test. 300 IN A 192.168.111.131' },
    ]);
  });

  it('uses the domain itself when it has no MX but an address (implicit MX)', async () => {
    const hosts = await lookupMx(lab['Server-B'], 'onlya.lab.test');
    expect(hosts).toEqual([{ exchange: 'onlya.lab.test', preference: 0, addresses: ['192.168.111.100'], implicit: true }]);
  });

  it('bounces a domain that does not exist, one with neither MX nor address, and a loop', async () => {
    const failure = async (domain: string) => {
      try {
        await lookupMx(lab['Server-B'], domain);
      } catch (err) {
        expect(err).toBeInstanceOf(DeliveryFailure);
        return err as DeliveryFailure;
      }
      throw new Error(`${domain} resolved`);
    };
    expect(await failure('nosuch.lab.test')).toMatchObject({ action: 'bounce', status: '5.1.2', reply: expect.stringContaining('host not found') });
    expect(await failure('empty.lab.test')).toMatchObject({ action: 'bounce', status: '5.1.2', reply: expect.stringContaining('no MX and no address') });
    expect(await failure('loop.lab.test')).toMatchObject({ action: 'bounce', status: '5.3.5', reply: '553 5.3.5 mail.daum.net. config error: mail loops back to me (MX problem?)' });
    expect(await failure('loopaddr.lab.test')).toMatchObject({ status: '5.3.5', reply: expect.stringContaining('self.lab.test. config error: mail loops back to me') });
    // RFC 5321 section 5.1: records as preferred as ours or less are dropped; none better is a loop
    expect(await failure('loop2.lab.test')).toMatchObject({ status: '5.3.5' });
    // a name outside the lab's zones: the name server refuses (nothing leaves the lab)
    expect(await failure('gmail.com')).toMatchObject({ action: 'bounce', reply: expect.stringContaining('not a lab domain') });
  });

  it('as a backup MX, keeps only the exchangers more preferred than itself', async () => {
    expect(await lookupMx(lab['Server-B'], 'backup.lab.test')).toEqual([{ exchange: 'mail.naver.com', preference: 10, addresses: ['192.168.111.100'] }]);
  });
});

describe('queue runner: MX preference and fallback', () => {
  it('delivers to the most preferred MX', async () => {
    const mx1 = await sink('Server');
    const mx2 = await sink('Client');
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@pref.lab.test']), testLetter());
    await lab.trace.waitFor(finished(id));
    await b.runner.onIdle();
    expect(mx1.messages).toHaveLength(1);
    expect(mx2.messages).toHaveLength(0);
  });

  it('falls back to the next MX when the first refuses the connection', async () => {
    const mx2 = await sink('Client'); // nothing listens at mx1 (Server, .100)
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@pref.lab.test']), testLetter());
    await lab.trace.waitFor(finished(id));
    await b.runner.onIdle();
    expect(mx2.messages).toHaveLength(1);
    const relays = lab.trace.events.filter((e) => e.kind === 'relay' && e.queueId === id && e.status);
    expect(relays.map((e) => [e.toAddress, e.status])).toEqual([['192.168.111.100', 'deferred'], ['192.168.111.131', 'ok']]);
    expect(relays[0].summary.en).toContain('Connection refused by mx1.lab.test.');
    expect(relays[1].to).toBe('Client');
    expect(await fs.readdir(b.queue.dir)).toEqual([]);
  });

  it('falls back to the next MX on a 4xx reply', async () => {
    const mx1 = await sink('Server', { mail: () => '421 4.3.2 mx1 is shutting down' });
    const mx2 = await sink('Client');
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@pref.lab.test']), testLetter());
    await lab.trace.waitFor(finished(id));
    await b.runner.onIdle();
    expect(mx1.messages).toHaveLength(0);
    expect(mx2.messages).toHaveLength(1);
  });

  it('does not try the next MX after a 5xx reply: the recipient bounces', async () => {
    await sink('Server', { rcpt: () => '550 5.1.1 <nobody@pref.lab.test>... User unknown' });
    const mx2 = await sink('Client');
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['nobody@pref.lab.test']), testLetter());
    const bounce = await lab.trace.waitFor((e) => e.kind === 'bounce' && e.queueId === id);
    await b.runner.onIdle();
    expect(bounce.detail).toMatchObject({ recipient: 'nobody@pref.lab.test', reason: '550 5.1.1 <nobody@pref.lab.test>... User unknown' });
    expect(mx2.messages).toHaveLength(0);
  });

  it('delivers to the implicit MX of a domain without MX records', async () => {
    const server = await sink('Server');
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@onlya.lab.test']), testLetter());
    await lab.trace.waitFor(finished(id));
    await b.runner.onIdle();
    expect(server.messages[0].to).toEqual(['lee@onlya.lab.test']);
    const hop = lab.trace.events.find((e) => e.kind === 'dns' && e.queueId === id)!;
    expect(hop.detail).toMatchObject({ mx: [{ exchange: 'onlya.lab.test', implicit: true }] });
    expect(hop.summary.en).toContain('implicit MX');
  });

  it('bounces mail whose MX points back at the sending host ("mail loops back to me")', async () => {
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@loop.lab.test']), testLetter());
    const bounce = await lab.trace.waitFor((e) => e.kind === 'bounce' && e.queueId === id);
    await b.runner.onIdle();
    expect(bounce.detail!.reason).toBe('553 5.3.5 mail.daum.net. config error: mail loops back to me (MX problem?)');
    expect(lab.trace.events.some((e) => e.kind === 'relay' && e.queueId === id)).toBe(false);
    // the DSN went to kim, a local user of Server-B
    const [dsn] = await b.delivered(1);
    expect(dsn.recipient).toBe('kim@daum.net');
    expect(dsn.message.toString()).toContain('mail loops back to me');
  });

  it('delivers to an address literal without asking the name server (RFC 5321 section 5.1)', async () => {
    const server = await sink('Server');
    b = await startQueueHost(lab['Server-B']);
    const { id } = await b.queue.enqueue(envelopeFor(['lee@[192.168.111.100]']), testLetter());
    await lab.trace.waitFor(finished(id));
    await b.runner.onIdle();
    expect(server.messages[0].to).toEqual(['lee@[192.168.111.100]']);
    expect(lab.trace.events.some((e) => e.kind === 'dns' && e.queueId === id)).toBe(false);
  });
});
