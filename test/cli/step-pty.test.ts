// --step in a real pseudo-terminal (util-linux `script`), as a teacher runs it in front of a
// class: single keys in raw mode, long pauses at ③, ④⑤ and ⑥⑦ while nothing times out, q and
// Ctrl-C stopping cleanly with 130, and the next run passing on the same data folder.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { hasScript, startInPty } from './pty.ts';
import { ROOT, runCli } from './cli-helpers.ts';
import type { HopEvent } from '../../lab/trace/hop-event.ts';

const run = promisify(execFile);
const skip = hasScript ? '' : ' (skipped: util-linux script is missing)';
const PROMPT_EN = /\[q\] quit > $/m;
const PROMPT_KO = /\[q\] 끝내기 > $/m;

/** The classroom lab with time-outs of one second: any that ran during a hold would show. */
function impatientLab(): { dir: string; scenario: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-pty-'));
  fs.cpSync(path.join(ROOT, 'topology', 'zones'), path.join(dir, 'zones'), { recursive: true });
  const yaml = fs.readFileSync(path.join(ROOT, 'topology', 'classroom.yaml'), 'utf8')
    // sendmail's idle time-out (smtp-server's socketTimeout) of one second
    .replace(/plaintextAuth: true\n/g, 'plaintextAuth: true\n      limits: { idleTimeout: 1000 }\n');
  fs.writeFileSync(path.join(dir, 'lab.yaml'), yaml);
  const scenario = path.join(dir, 'held.yaml');
  fs.writeFileSync(scenario, `name: held
title: { ko: 오래 멈춰 설명하기, en: a long explanation at every hop }
topology: lab.yaml
actions:
  - send: { from: WinClient, to: lee@naver.com, subject: 천천히 가는 메일, body: "멈춰 있어도 괜찮아요." }
  - wait: { for: delivered, host: Server, recipient: lee@naver.com, timeout: 1s }
  - fetch: { client: Client, protocol: pop3 }
expect:
  - mailbox: { host: Server, user: lee, subject: 천천히 가는 메일 }
  - fetched: { client: Client, subject: 천천히 가는 메일 }
  - steps: ['1', '2', '3', '4-5', '6-7', '8', '9-10']
`);
  return { dir, scenario };
}

async function mailq(data: string): Promise<{ host: string; entries: { id: string }[] }[]> {
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'lab', 'mta', 'mailq.ts'), '--data', data, '--json'], { cwd: ROOT });
  return JSON.parse(stdout);
}

/**
 * Keep the hop held until `ms` of real time have passed, proven by events (a mailq process run
 * to its end, again and again), not by sleeping; each run checks where the letter is meanwhile.
 */
async function holdFor(ms: number, check: () => Promise<void>): Promise<number> {
  const start = performance.now();
  let runs = 0;
  do {
    await check();
    runs++;
  } while (performance.now() - start < ms);
  return runs;
}

describe.skipIf(!hasScript)(`npm run lab -- --step in a terminal${skip}`, () => {
  it('a long pause at ③, ④⑤ and ⑥⑦ times nothing out: waits of 1 s and sendmail\'s 1 s idle time-out stand still', async () => {
    const { dir, scenario } = impatientLab();
    const data = path.join(dir, 'data');
    const traceFile = path.join(dir, 'trace.jsonl');
    const lab = startInPty(['--step', '--exit', '--ports', 'auto', '--data', data, '--scenario', scenario, '--lang', 'en', '--trace', traceFile]);
    let from = 0;
    const held: string[] = [];
    for (;;) {
      const next = await lab.waitFor(/▶ next hop  (\S+)·(\S+)  /, from).catch(() => undefined);
      if (!next) break;
      from = (await lab.waitFor(PROMPT_EN, next.end)).line;
      const step = next[2];
      held.push(step);
      if (step === '③' || step === '④⑤') {
        // the letter waits in Server-B's queue while the class talks
        await holdFor(2500, async () => {
          const queues = await mailq(data);
          expect(queues.find((q) => q.host === 'Server-B')!.entries).toHaveLength(1);
        });
      }
      if (step === '⑥⑦') {
        // Server-B's MDA waits for Server's 250 on an open SMTP session; both sides idle out after 1 s if the clock ran
        await holdFor(2500, async () => {
          expect(fs.existsSync(path.join(data, 'Server', 'mail', 'lee', 'new')) ? fs.readdirSync(path.join(data, 'Server', 'mail', 'lee', 'new')) : []).toEqual([]);
        });
      }
      lab.press('\r');
    }
    expect(await lab.exited).toBe(0);
    expect(held).toEqual(['①', '②', '③', '④⑤', '⑥⑦', '⑧', '⑨⑩']);
    expect(lab.screen).toMatch(/^PASS: 3 of 3 expectations held$/m);
    expect(lab.screen).not.toMatch(/timed out|timeout|✗/i);
    // hop times are the lab's own: the 7.5 s of holds are not in them
    const events = fs.readFileSync(traceFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HopEvent);
    const last = events.filter((e) => e.steps).at(-1)!;
    expect(last.steps!.sendmail).toBe('9-10');
    expect(last.at).toBeLessThan(7_500);
    expect(lab.screen).toMatch(/time a hop was held at a step is not counted/);
  });

  it('single keys: b and t act at once, hops that are not held print above the prompt, q stops cleanly with 130; the next run passes', async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-pty-q-'));
    const lab = startInPty(['--step', '--ports', 'auto', '--data', data, '--lang', 'en']);
    let at = (await lab.waitFor(PROMPT_EN)).line;
    lab.press('b');
    at = (await lab.waitFor(/\(no hop yet\)\n.*\[q\] quit > $/m, at)).line;
    lab.press('t');
    at = (await lab.waitFor(/transcripts: on\n.*\[q\] quit > $/m, at)).line;
    lab.press('\r');
    at = (await lab.waitFor(/▶ next hop  ②·②/, at)).end;
    // hop ① printed, with its transcript, between the two previews: not on a prompt line
    expect(lab.screen).toMatch(/^# 1 .*SMTP +WinClient/m);
    expect(lab.screen).toMatch(/^ +C: MAIL FROM:<kim@daum\.net>/m);
    at = (await lab.waitFor(PROMPT_EN, at)).line;
    lab.press('\r');
    at = (await lab.waitFor(/▶ next hop  ②·③  QUEUE/, at)).end;
    at = (await lab.waitFor(PROMPT_EN, at)).line;
    // b: the hop before (②), its transcript, and the letter as it is now, Server-B's Received line new
    lab.press('b');
    at = (await lab.waitFor(/the letter's header \(\+: added at this hop[^\n]*\n\s+\+ Received: from winclient\.lab/, at)).end;
    expect(lab.screen).toMatch(/^\s+Subject: 안녕하세요, lee님! 메일 서버 실습입니다$/m);
    await lab.waitFor(PROMPT_EN, at);
    lab.press('q');
    expect(await lab.exited).toBe(130);
    expect(lab.screen).toMatch(/Stopping the lab/);
    expect(lab.screen).not.toMatch(/✗|ECONNREFUSED|shutting down|The lab is up|FAIL|failed/);
    expect(lab.screen.split('\n').some((l) => /quit > \S/.test(l))).toBe(false);

    // the letter stopped at ③ is still in Server-B's queue; the next lesson judges its own and passes
    expect((await mailq(data)).find((q) => q.host === 'Server-B')!.entries).toHaveLength(1);
    const next = await runCli(['--exit', '--ports', 'auto', '--data', data, '--lang', 'en']);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/From earlier runs: Server-B's queue holds 1 letter\. This run judges only the letters it sends/);
    expect(next.stdout).toMatch(/^PASS: 4 of 4 expectations held$/m);
  });

  it('Ctrl-C at ④⑤ in raw mode stops the lab with 130 and no false failures on the way out (Korean)', async () => {
    const lab = startInPty(['--step', '--ports', 'auto'], { LANG: 'ko_KR.UTF-8' });
    let at = 0;
    for (const step of ['①·①', '②·②', '②·③', '③·④⑤']) {
      at = (await lab.waitFor(new RegExp(`▶ 다음 단계  ${step}`), at)).end;
      at = (await lab.waitFor(PROMPT_KO, at)).line;
      if (step !== '③·④⑤') lab.press('\r');
    }
    lab.press('\x03');
    expect(await lab.exited).toBe(130);
    expect(lab.screen).toMatch(/실습을 끝냅니다/);
    expect(lab.screen).not.toMatch(/✗|실패|ECONNREFUSED|shutting down|실습망이 켜져 있습니다|MX lookup/);
  });
});
