// The exercises' zone files as BIND itself judges them: what the lab refuses, named-checkzone
// refuses too, and the MX without its final dot is what BIND loads with a warning.
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { namedCheckzone, run } from '../export/real-tools.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const zone = (...parts: string[]) => path.join(ROOT, ...parts);

describe.skipIf(!namedCheckzone)('named-checkzone on the exercises\' zones (skipped: no named-checkzone; apt-get install bind9-utils)', () => {
  it('08: the starting daum.net zone is refused, the reference solution loads', () => {
    const start = run(namedCheckzone!, ['daum.net', zone('exercises', '08-broken-zone', 'zones', 'daum.net.zone')]);
    expect(start.status).not.toBe(0);
    expect(start.stdout).toMatch(/daum\.net\.zone:4: near 'IN': extra input text/);
    const solved = run(namedCheckzone!, ['daum.net', zone('test', 'exercise', 'solutions', '08-broken-zone', 'zones', 'daum.net.zone')]);
    expect(solved.status).toBe(0);
  });

  it('02: BIND loads the MX without its final dot, warning that mail.naver.com.naver.com has no address', () => {
    const start = run(namedCheckzone!, ['naver.com', zone('exercises', '02-mx-final-dot', 'zones', 'naver.com.zone')]);
    expect(start.stdout).toContain("naver.com/MX 'mail.naver.com.naver.com' has no address records (A or AAAA)");
    expect(start.status).toBe(0);
  });

  it('01 and 07: the solutions\' zones load', () => {
    expect(run(namedCheckzone!, ['nate.com', zone('test', 'exercise', 'solutions', '01-third-domain', 'zones', 'nate.com.zone')]).status).toBe(0);
    const backup = run(namedCheckzone!, ['naver.com', zone('test', 'exercise', 'solutions', '07-backup-mx', 'zones', 'naver.com.zone')]);
    expect(backup.stdout).not.toMatch(/has no address/);
    expect(backup.status).toBe(0);
  });
});
