import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCli } from './cli-helpers.ts';
import { readMailbox } from '../../lab/runtime/mailbox-view.ts';
import { listQueue } from '../../lab/mta/queue.ts';

const PROMPT = /\[Enter\] go on.*\[q\] quit > /;

describe('npm run lab -- --step', () => {
  it('holds the mail at each hop until a line comes in; b shows the last hop again, t toggles transcripts', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-step-'));
    const lab = startCli(['--step', '--exit', '--ports', 'auto', '--data', data, '--lang', 'en']);
    const seen: string[] = [];
    let from = 0;
    for (;;) {
      // after the last hop the lab exits: then there is no next one
      const next = await lab.waitFor(/▶ next hop  (\S+)·(\S+)  /, from).catch(() => undefined);
      if (!next) break;
      seen.push(next[2]);
      from = (await lab.waitFor(PROMPT, next.end)).end;
      // each preview names the files the hop is about to touch
      const preview = lab.stdout.slice(next.end, from);
      if (next[2] === '②') expect(preview).toMatch(/files: .*Server-B\/queue\/df\w+, .*Server-B\/queue\/qf\w+/);
      if (next[2] === '④⑤') expect(preview).toMatch(/files: .*Server-B\/queue\/df\w+/);
      if (next[2] === '⑥⑦') expect(preview).toMatch(/files: .*Server\/mail\/lee\/new\//);
      if (next[2] === '⑨⑩') expect(preview).toMatch(/files: .*Server\/mail\/lee\/(new|cur)\/\d+\./);
      if (next[2] === '④⑤') {
        // Really held: the letter is in Server-B's queue and not yet at Server.
        expect((await listQueue(path.join(data, 'Server-B', 'queue'))).length).toBe(1);
        expect(await readMailbox(path.join(data, 'Server', 'mail', 'lee'))).toHaveLength(0);
        lab.type('b');
        await lab.waitFor(/DNS\s+Server-B \(192\.168\.111\.200\) → Server/, from);
        from = (await lab.waitFor(PROMPT, from)).end;
        lab.type('t');
        await lab.waitFor(/transcripts: on/, from);
        from = (await lab.waitFor(PROMPT, from)).end;
      }
      if (next[2] === '⑧') expect(await readMailbox(path.join(data, 'Server', 'mail', 'lee'))).toHaveLength(1);
      lab.type('');
    }
    expect(await lab.exited).toBe(0);
    expect(seen).toEqual(['①', '②', '③', '④⑤', '⑥⑦', '⑧', '⑨⑩']);
    // with transcripts on, the hops after ④⑤ show their protocol lines
    expect(lab.stdout).toMatch(/C: USER lee@naver\.com/);
  });

  it('q stops the lab cleanly at the first hop', async () => {
    const lab = startCli(['--step', '--ports', 'auto', '--lang', 'en']);
    await lab.waitFor(PROMPT);
    lab.type('q');
    // stopped by the user: 130, as a shell reports Ctrl-C
    expect(await lab.exited).toBe(130);
    expect(lab.stderr).toBe('');
  });
});
