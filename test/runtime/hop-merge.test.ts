// The containers runtime's merge of hop lines (lab/runtime/hop-merge.ts): a hop waits until
// every other source has said a time at or after it, however late another stream's line comes.
// The clock is a hand-moved number, so nothing here waits on time. Once a window of 30 ms, then
// 100 ms: CI saw Server's ⑥⑦ join the trace before Server-B's ④⑤, which came later than that.
import { describe, expect, it } from 'vitest';
import { HopMerge, STALL_MS } from '../../lab/runtime/hop-merge.ts';
import type { HopEvent } from '../../lab/trace/hop-event.ts';

function hop(step: string, seq: number): HopEvent {
  return { seq, at: 0, kind: 'smtp', from: 'x', to: 'y', steps: { overview: step, sendmail: step }, summary: { ko: step, en: step }, status: 'ok' };
}

function setup(start = 1_000) {
  let now = start;
  const passed: string[] = [];
  const merge = new HopMerge((h) => passed.push(h.steps!.sendmail), () => now);
  return { merge, passed, tick: (ms: number) => (now += ms), at: () => now };
}

describe('hop merge (containers runtime)', () => {
  it("holds Server's later hops until Server-B's earlier ones come, however late", () => {
    const { merge, passed, tick } = setup();
    const serverB = merge.open('Server-B', 'stream');
    const server = merge.open('Server', 'stream');
    // Server-B's 4-5 happened at 1010, Server's 6-7 at 1020; Server's line comes first
    merge.hop(server, hop('6-7', 1), 1020);
    expect(passed).toEqual([]);
    tick(500); // far longer than the old window, with Server-B's stream slow but not stalled
    merge.clock(serverB, 1005);
    expect(passed).toEqual([]);
    merge.hop(serverB, hop('4-5', 7), 1010);
    expect(passed).toEqual(['4-5']); // Server-B has said 1010 only: it may still say something before 1020
    merge.clock(serverB, 1030);
    expect(passed).toEqual(['4-5', '6-7']);
    expect(merge.held).toBe(0);
  });

  it("keeps a client PC's hops first: the servers' hops wait for the exec's output", () => {
    const { merge, passed, tick } = setup();
    const serverB = merge.open('Server-B', 'stream');
    const exec = merge.open('PC-B', 'exec', 1000);
    merge.hop(serverB, hop('2', 1), 1003);
    merge.hop(serverB, hop('3', 2), 1004);
    merge.clock(serverB, 1050);
    tick(5 * STALL_MS); // an exec holds the others for as long as it runs
    merge.clock(serverB, 6000);
    expect(passed).toEqual([]);
    merge.hop(exec, hop('1', 1), 1001);
    merge.close(exec);
    expect(passed).toEqual(['1', '2', '3']);
  });

  it('lets a stalled stream go after STALL_MS, and a closed one at once', () => {
    const { merge, passed, tick } = setup();
    const frozen = merge.open('Server-B', 'stream');
    const server = merge.open('Server', 'stream');
    const gone = merge.open('Client-DNS', 'stream');
    merge.hop(server, hop('6-7', 1), 1020);
    merge.clock(server, 1100);
    merge.close(gone);
    expect(passed).toEqual([]);
    tick(STALL_MS);
    merge.clock(server, 2100); // Server-B has said nothing for STALL_MS: it holds nobody back
    expect(passed).toEqual(['6-7']);
    void frozen;
  });

  it('puts hops in time order, and those of equal time in the order they came', () => {
    const { merge, passed } = setup();
    const a = merge.open('Server', 'stream');
    merge.open('Server-B', 'stream'); // says nothing: the flush passes what it holds back
    merge.hop(a, hop('6', 1), 1010);
    merge.hop(a, hop('7', 2), 1010);
    merge.hop(a, hop('5', 3), 1009);
    merge.flush();
    expect(passed).toEqual(['5', '6', '7']);
  });
});
