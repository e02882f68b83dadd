// How a run ends: a letter that bounced ends the wait for its delivery at once, with the reason,
// and the expectations are still checked; a letter left over from an earlier run is not judged.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScenario } from '../../lab/scenario/run-scenario.ts';

const CLASSROOM = path.join(import.meta.dirname, '..', '..', 'topology', 'classroom.yaml');

function scenario(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-runner-')), 'test.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('the scenario runner', () => {
  it('a wait for the delivery of a letter that bounced ends at once with the reason; the expectations are still checked', async () => {
    const file = scenario(`name: waits-for-nobody
title: a wait that cannot succeed
topology: ${CLASSROOM}
retry: 100ms*2
actions:
  - send: { from: WinClient, to: nobody@naver.com, subject: 누구세요, body: "..." }
  - wait: { for: delivered, host: Server, recipient: nobody@naver.com, timeout: 10m }
  - fetch: { client: Client }
expect:
  - mailbox: { host: Server, user: lee, count: 0 }
  - mailbox: { host: Server-B, user: kim, bounceFor: nobody@naver.com }
`);
    const result = await runScenario(file);
    expect(result.ok).toBe(false);
    // the wait of ten minutes did not run out: the bounce ended it
    expect(result.actions.map((a) => [a.number, a.ok])).toEqual([[1, true], [2, false]]);
    const failure = result.actions[1].failure!;
    expect(failure.en).toMatch(/^waiting for "delivered" at Server for nobody@naver\.com, but the letter to nobody@naver\.com bounced at \d+ ms: 550 5\.1\.1 <nobody@naver\.com>\.\.\. User unknown/);
    expect(failure.ko).toMatch(/nobody@naver\.com 앞 메일이 반송되었습니다 \(\d+ ms\): "550 5\.1\.1/);
    // still checked, not "0 of 0"
    expect(result.expectations.map((e) => e.ok)).toEqual([true, true]);
  });

  it('a wait that runs out says so in both languages, with the trace so far in each', async () => {
    const file = scenario(`name: waits-in-vain
title: a wait in vain
topology: ${CLASSROOM}
actions:
  - wait: { for: fetched, timeout: 50ms }
`);
    const result = await runScenario(file);
    const failure = result.actions[0].failure!;
    expect(failure.en).toMatch(/^timed out after 50 ms waiting for "fetched"; trace so far:/);
    expect(failure.ko).toMatch(/^"fetched": 50ms 동안 기다렸지만 오지 않았습니다\. 지금까지의 단계:/);
    expect(result.expectations).toEqual([]);
  });

  it("judges only its own letter: one an earlier run left in lee's mailbox is not counted", async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-runner-data-'));
    const first = await runScenario('kim-to-lee', { data });
    expect(first.ok).toBe(true);
    const second = await runScenario('kim-to-lee', { data });
    expect(second.ok).toBe(true);
    const mailbox = second.expectations.find((e) => 'mailbox' in e.expectation)!;
    expect(mailbox.actual.en).toMatch(/^1 letter from this run: .*; 1 matching \(1 letter from earlier runs not counted\)$/);
  });
});
