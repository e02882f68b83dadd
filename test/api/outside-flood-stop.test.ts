// A flood from outside cut short by the lab's stop: the counts of its last second still reach
// the trace (lab.stop() flushes the outside sampler), so whole hops plus counted ones make up
// every query that was answered.
import { describe, it, expect } from 'vitest';
import { startLab } from '../../lab/index.ts';
import type { HopEvent } from '../../lab/trace/hop-event.ts';
import { askUdp, buildQuery } from '../dns/dns-lab.ts';

describe('an outside flood when the lab stops', () => {
  it('every answered query is either a whole hop or in a summary hop', async () => {
    const lab = await startLab({ ports: 'auto' });
    const seen: HopEvent[] = [];
    const off = lab.trace.on((e) => { if (e.kind === 'dns' && e.from === 'outside') seen.push(e); });
    try {
      const port = lab.port('Server', 'dns');
      const names = ['naver.com', 'nosuch.naver.com', 'daum.net'];
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => askUdp(port, buildQuery(names[i % 3], 'A', { id: round * 10 + i }))));
      }
    } finally {
      await lab.stop();
      off();
    }
    const whole = seen.filter((e) => !e.detail?.sampled);
    const counted = seen.filter((e) => e.detail?.sampled).reduce((n, e) => n + Number(e.detail!.count), 0);
    expect(whole.length).toBeGreaterThan(0);
    expect(counted).toBeGreaterThan(0);
    expect(whole.length + counted).toBe(30);
  });
});
