// Floods from outside are counted, a few hops whole and one summary a second; the lesson's hops
// are never sampled; the kept events stay within their byte budget. Time here is a hand-moved
// clock and timers that fire when the test says.
import { describe, it, expect, afterAll } from 'vitest';
import { Packet } from 'dns2';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import type { HopReport } from '../../lab/trace/hop-event.ts';
import { startDnsLab, askUdp, buildQuery, type DnsLab } from '../dns/dns-lab.ts';

function handClock() {
  let now = 0;
  const timers: { at: number; fn: () => void; cleared: boolean }[] = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn, cleared: false };
      timers.push(t);
      return { clear: () => (t.cleared = true) };
    },
    /** move the clock and fire the timers that are due */
    advance(ms: number) {
      now += ms;
      for (const t of timers.splice(0)) {
        if (t.cleared) continue;
        if (t.at <= now) t.fn();
        else timers.push(t);
      }
    },
  };
}

const dnsHop = (rcode: string, i = 0): HopReport => ({
  kind: 'dns', from: 'outside', to: 'Server', summary: { ko: `질의 ${i}`, en: `query ${i}` }, status: rcode === 'NOERROR' ? 'ok' : 'failed',
  protocol: 'DNS/UDP', transcript: [{ dir: 'C', line: `QUERY n${i}.naver.com. IN A` }, { dir: 'S', line: rcode }], detail: { rcode },
});

describe('the outside sampler', () => {
  it('a burst: the first ten whole, then one summary with the count by RCODE; the reports of the counted ones are never built', () => {
    const clock = handClock();
    const trace = new TraceBus(undefined, { outside: clock });
    let built = 0;
    for (let i = 0; i < 1214; i++) {
      const rcode = i % 3 === 0 ? 'NXDOMAIN' : 'NOERROR';
      trace.outside('dns', 'outside', 'Server', rcode, () => (built++, dnsHop(rcode, i)));
    }
    expect(built).toBe(10);
    expect(trace.events.map((e) => e.summary.en)).toEqual(Array.from({ length: 10 }, (_, i) => `query ${i}`));
    clock.advance(1000); // the window's timer
    const summary = trace.events.at(-1)!;
    expect(summary).toMatchObject({ kind: 'dns', from: 'outside', to: 'Server', detail: { sampled: true, count: 1204, outcomes: { NOERROR: 803, NXDOMAIN: 401 } } });
    expect(summary.summary).toEqual({
      ko: '바깥에서 온 DNS 질의 1,204개가 더 있었습니다 (지난 1초: NOERROR 803, NXDOMAIN 401)',
      en: '1,204 more DNS queries from outside in the last second (NOERROR 803, NXDOMAIN 401)',
    });
    expect(trace.events).toHaveLength(11);
  });

  it('while the flood goes on, a summary a second and nothing whole; after a quiet second a hop is whole again', () => {
    const clock = handClock();
    const trace = new TraceBus(undefined, { outside: clock });
    const second = () => {
      for (let i = 0; i < 50; i++) trace.report(dnsHop('NOERROR', i));
      clock.advance(1000);
    };
    second();
    second();
    second();
    const counts = trace.events.filter((e) => e.detail?.sampled).map((e) => e.detail!.count);
    expect(counts).toEqual([40, 50, 50]);
    expect(trace.events.filter((e) => !e.detail?.sampled)).toHaveLength(10);
    clock.advance(1000); // a quiet second
    clock.advance(1000);
    const before = trace.events.length;
    trace.report(dnsHop('NOERROR', 99));
    expect(trace.events.slice(before).map((e) => e.summary.en)).toEqual(['query 99']);
  });

  it('SMTP from outside too (smtp-source), by status; each lab host and kind counted apart; flushOutside reports at once', () => {
    const clock = handClock();
    const trace = new TraceBus(undefined, { outside: clock });
    for (let i = 0; i < 30; i++) {
      trace.report({ kind: 'smtp', from: 'outside', to: 'Server', protocol: 'SMTP', steps: { overview: '1', sendmail: '1' }, status: i % 2 ? 'ok' : 'refused', summary: { ko: '', en: `mail ${i}` } });
      trace.report({ kind: 'smtp', from: 'outside', to: 'Server-B', protocol: 'SMTP', status: 'ok', summary: { ko: '', en: `b ${i}` } });
      trace.report({ kind: 'imap', from: 'Server', to: 'outside', protocol: 'IMAP', status: 'ok', summary: { ko: '', en: `imap ${i}` } });
    }
    expect(trace.events).toHaveLength(30);
    trace.flushOutside();
    const summaries = trace.events.filter((e) => e.detail?.sampled);
    expect(summaries.map((e) => [e.kind, e.from, e.to, e.protocol, e.detail!.count, e.detail!.outcomes])).toEqual([
      ['smtp', 'outside', 'Server', 'SMTP', 20, { ok: 10, refused: 10 }],
      ['smtp', 'outside', 'Server-B', 'SMTP', 20, { ok: 20 }],
      ['imap', 'Server', 'outside', 'IMAP', 20, { ok: 20 }],
    ]);
    expect(summaries[2].summary.en).toBe('20 more IMAP hops to outside in the last second (ok 20)');
  });

  it('the lesson is never sampled: hops between lab hosts, and numbered hops with outside while the class steps through', () => {
    const clock = handClock();
    const trace = new TraceBus(undefined, { outside: clock });
    for (let i = 0; i < 200; i++) {
      trace.report({ kind: 'relay', from: 'Server-B', to: 'Server', steps: { overview: '3', sendmail: '4-5' }, status: 'ok', summary: { ko: '', en: `relay ${i}` } });
      trace.report({ kind: 'mda', from: 'Server', to: 'Server', status: 'ok', summary: { ko: '', en: `mda ${i}` } });
    }
    expect(trace.events).toHaveLength(400);
    trace.stepHold.setStepMode(true);
    for (let i = 0; i < 50; i++) trace.report({ kind: 'smtp', from: 'outside', to: 'Server-B', steps: { overview: '1', sendmail: '1' }, status: 'ok', summary: { ko: '', en: `step ${i}` } });
    expect(trace.events).toHaveLength(450);
    trace.flushOutside();
    expect(trace.events.some((e) => e.detail?.sampled)).toBe(false);
  });

  it('outside: false keeps every hop whole', () => {
    const trace = new TraceBus(undefined, { outside: false });
    for (let i = 0; i < 100; i++) trace.report(dnsHop('NXDOMAIN', i));
    expect(trace.events).toHaveLength(100);
  });
});

describe('the trace bounded by bytes', () => {
  it('fat transcripts are dropped oldest first to stay within keepBytes; the newest stays; the count bound still holds', () => {
    const trace = new TraceBus(undefined, { keep: 1000, keepBytes: 200_000, outside: false });
    const line = 'x'.repeat(100);
    for (let i = 0; i < 2000; i++) {
      trace.report({ kind: 'imap', from: 'Server', to: 'Client', status: 'ok', summary: { ko: '', en: `fetch ${i}` }, transcript: Array.from({ length: 50 }, () => ({ dir: 'S' as const, line })) });
      expect(trace.keptBytes).toBeLessThanOrEqual(200_000);
    }
    // each is about 50 * (40 + 200) bytes: some 16-20 kept, not 1000
    expect(trace.events.length).toBeGreaterThan(10);
    expect(trace.events.length).toBeLessThan(25);
    expect(trace.events.at(-1)!.summary.en).toBe('fetch 1999');
    const small = new TraceBus(undefined, { keep: 100, outside: false });
    for (let i = 0; i < 1000; i++) small.report({ kind: 'mda', from: 'Server', to: 'Server', summary: { ko: '', en: `${i}` } });
    expect(small.events.length).toBeLessThanOrEqual(125);
    expect(small.events.at(-1)!.summary.en).toBe('999');
  });

  it('by default a lab keeps the latest 1,000 events and about 4 MB of them (a lesson is some dozens)', () => {
    const trace = new TraceBus(undefined, { outside: false });
    for (let i = 0; i < 3000; i++) trace.report({ kind: 'mda', from: 'Server', to: 'Server', summary: { ko: '', en: `${i}` } });
    expect(trace.events.length).toBeGreaterThanOrEqual(1000);
    expect(trace.events.length).toBeLessThanOrEqual(1250);
    expect(trace.events.at(-1)!.summary.en).toBe('2999');
    const fat = new TraceBus(undefined, { outside: false });
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 500; i++) {
      fat.report({ kind: 'smtp', from: 'Server-B', to: 'Server', summary: { ko: '', en: `relay ${i}` }, transcript: Array.from({ length: 10 }, () => ({ dir: 'C' as const, line })) });
      expect(fat.keptBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    }
    // each is about 10 * 2,000 bytes: some 200 of the 500 fit, not all
    expect(fat.events.length).toBeLessThan(260);
    expect(fat.events.at(-1)!.summary.en).toBe('relay 499');
  });

  it('one event bigger than the whole budget is still kept, alone', () => {
    const trace = new TraceBus(undefined, { keepBytes: 10_000, outside: false });
    trace.report({ kind: 'mda', from: 'Server', to: 'Server', summary: { ko: '', en: 'small' } });
    trace.report({ kind: 'imap', from: 'Server', to: 'Client', summary: { ko: '', en: 'huge' }, transcript: [{ dir: 'S', line: 'y'.repeat(20_000) }] });
    expect(trace.events.map((e) => e.summary.en)).toEqual(['huge']);
  });
});

describe('a dnsperf-like flood at the name server', () => {
  let lab: DnsLab;
  const clock = handClock();
  afterAll(() => lab?.close());

  it('every query is answered; ten are whole hops, the rest one summary with the right count', async () => {
    lab = await startDnsLab({ trace: new TraceBus(undefined, { outside: clock }) });
    const names = ['naver.com', 'nosuch.naver.com', 'mail.daum.net', 'google.com'];
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => askUdp(lab.server.port, buildQuery(names[i % 4], 'A', { id: i }))));
    expect(answers.map((a) => Packet.parse(a).header.id)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // the server reports after it answers; one more query from outside settles what it has counted
    await askUdp(lab.server.port, buildQuery('naver.com', 'MX', { id: 999 }));
    lab.trace.flushOutside();
    const whole = lab.trace.events.filter((e) => e.kind === 'dns' && !e.detail?.sampled);
    const summary = lab.trace.events.filter((e) => e.detail?.sampled);
    expect(whole).toHaveLength(10);
    expect(whole[0]).toMatchObject({ from: 'outside', to: 'Server', protocol: 'DNS/UDP' });
    expect(whole[0].transcript?.[0].line).toMatch(/^QUERY /);
    expect(summary).toHaveLength(1);
    expect(summary[0].detail).toMatchObject({ count: 51 });
    const outcomes = summary[0].detail!.outcomes as Record<string, number>;
    expect(Object.keys(outcomes).sort()).toEqual(['NOERROR', 'NXDOMAIN', 'REFUSED']);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(51);
  });
});
