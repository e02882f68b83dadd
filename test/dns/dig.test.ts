// The name server as a student meets it: the real dig, over UDP and TCP.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDnsLab, dig, hasDig, type DnsLab } from './dns-lab.ts';

describe.skipIf(!hasDig)('dig against the name server (skipped: dig is not installed)', () => {
  let lab: DnsLab;
  beforeAll(async () => {
    lab = await startDnsLab();
  });
  afterAll(() => lab.close());

  for (const transport of ['UDP', 'TCP']) {
    it(`dig naver.com MX${transport === 'TCP' ? ' +tcp' : ''}: a clean authoritative answer with the glue`, async () => {
      const out = await dig(lab.server.port, 'naver.com', 'MX', ...(transport === 'TCP' ? ['+tcp'] : []));
      expect(out.status).toBe('NOERROR');
      expect(out.flags).toContain('aa');
      expect(out.flags).not.toContain('ra');
      expect(out.sections.ANSWER).toEqual(['naver.com. 10800 IN MX 10 mail.naver.com.']);
      expect(out.sections.ADDITIONAL).toEqual(['mail.naver.com. 10800 IN A 192.168.111.100']);
      expect(out.raw).toContain(`(${transport})`);
      expect(out.raw).not.toMatch(/malformed|WARNING: Message has/i);
    });
  }

  it('dig nobody.naver.com: NXDOMAIN with the SOA in the authority section', async () => {
    const out = await dig(lab.server.port, 'nobody.naver.com', 'A');
    expect(out.status).toBe('NXDOMAIN');
    expect(out.flags).toContain('aa');
    expect(out.sections.ANSWER).toBeUndefined();
    expect(out.sections.AUTHORITY).toEqual(['naver.com. 3600 IN SOA naver.com. root. 2 86400 3600 604800 3600']);
  });

  it('dig naver.com TXT: NODATA (NOERROR, no answer, the SOA)', async () => {
    const out = await dig(lab.server.port, 'naver.com', 'TXT');
    expect(out.status).toBe('NOERROR');
    expect(out.sections.ANSWER).toBeUndefined();
    expect(out.sections.AUTHORITY).toHaveLength(1);
  });

  it('dig alias.school.test: the CNAME chain and the address', async () => {
    const out = await dig(lab.server.port, 'alias.school.test', 'A', '+tcp');
    expect(out.sections.ANSWER).toEqual([
      'alias.school.test. 3600 IN CNAME www.school.test.',
      'www.school.test. 3600 IN CNAME web.school.test.',
      'web.school.test. 3600 IN A 192.168.111.50',
    ]);
  });

  it('dig google.com: REFUSED, not an open resolver', async () => {
    const out = await dig(lab.server.port, 'google.com', 'A');
    expect(out.status).toBe('REFUSED');
    expect(out.flags).not.toContain('aa');
    expect(out.flags).not.toContain('ra');
  });

  it('dig +noedns of a long answer: truncated, dig retries over TCP and gets all 40', async () => {
    const out = await dig(lab.server.port, 'big.school.test', 'A', '+noedns');
    expect(out.raw).toContain(';; Truncated, retrying in TCP mode.');
    expect(out.status).toBe('NOERROR');
    expect(out.sections.ANSWER).toHaveLength(40);
  });

  it("a student's dig is a dns hop in the trace, from outside, with the transcript", async () => {
    await dig(lab.server.port, 'mail.daum.net', 'A');
    const event = await lab.trace.waitFor((e) => e.transcript?.[0]?.line === 'QUERY mail.daum.net. IN A', 5000);
    expect(event).toMatchObject({ kind: 'dns', from: 'outside', to: 'Server', fromAddress: '127.0.0.1', status: 'ok' });
    expect(event.transcript?.[1]).toEqual({ dir: 'S', line: 'mail.daum.net. 10800 IN A 192.168.111.200' });
  });
});
