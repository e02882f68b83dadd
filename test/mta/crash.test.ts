// The crash test (issue 3): Server-B's MTA runs in a child process (test/mta/crash-child.ts) and
// is killed with SIGKILL at random moments while a bounded stream of letters from kim to lee is
// submitted to it; each time it is started again on the same data folder. Every letter that got
// its 250 must reach lee's Maildir on Server (the name server and Server's MTA run here, in the
// test's process): none lost. Duplicates (a letter written again after a crash between "sent" and
// "removed from the queue", or resubmitted after a kill that swallowed its 250) are counted and
// reported, not failed: SMTP delivery is at-least-once.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createLab, SmtpTestClient, dotStuff, type Lab } from './lab-fixture.ts';
import { startDns } from './queue-fixture.ts';
import { classroomZones } from './lab-fixture.ts';
import { startMailServer, type MailServer } from '../../lab/mta/mail-server.ts';
import type { NameServer } from '../../lab/dns/name-server.ts';
import { listQueue } from '../../lab/mta/queue.ts';

const CHILD = path.join(import.meta.dirname, 'crash-child.ts');
const LETTERS = 200;
const WORKERS = 4;
const KILLS = 6;

let lab: Lab | undefined;
let dns: NameServer | undefined;
let server: MailServer | undefined;
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await server?.close();
  await dns?.close();
  await lab?.cleanup();
});

function letter(seq: number): Buffer {
  return Buffer.from([
    'From: kim@daum.net',
    'To: lee@naver.com',
    `Subject: crash test letter ${seq}`,
    `Message-ID: <crash-${seq}@daum.net>`,
    `X-Crash-Seq: ${seq}`,
    '',
    `letter number ${seq}`,
    '',
  ].join('\r\n'));
}

/** Random integers in [lo, hi], distinct, sorted; the test prints them so a failure can be replayed. */
function randomPoints(n: number, lo: number, hi: number): number[] {
  const set = new Set<number>();
  while (set.size < n) set.add(lo + Math.floor(Math.random() * (hi - lo + 1)));
  return [...set].sort((a, b) => a - b);
}

describe('crash: SIGKILL while letters arrive', () => {
  it('loses no letter that got 250, across repeated kills and restarts', { timeout: 180_000 }, async () => {
    lab = await createLab();
    dns = await startDns(lab, classroomZones());
    server = await startMailServer(lab.Server, { port: 0 });
    lab.net.bind('Server', 'smtp', server.port);

    const log: string[] = [];
    let port = 0;
    let alive: Promise<void> = Promise.resolve();
    let starts = 0;
    const start = async () => {
      starts++;
      child = spawn(process.execPath, [CHILD, lab!.root, String(dns!.port), String(server!.port), '50ms*400'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout! });
      const ready = new Promise<number>((resolve, reject) => {
        lines.on('line', (line) => {
          if (line.startsWith('READY ')) resolve(Number(line.slice(6)));
          else log.push(`[run ${starts}] ${line}`);
        });
        child!.once('exit', (code, signal) => reject(new Error(`child exited before READY (${code ?? signal})`)));
      });
      port = await ready;
    };
    await start();

    // Kill points: after the nth accepted letter, and right after sending the final dot of a
    // letter (before its 250 comes back), so that some kills land inside a queue write.
    const killAfterAccepted = new Set(randomPoints(KILLS / 2, 5, LETTERS - 20));
    const killMidData = new Set(randomPoints(KILLS / 2, 5, LETTERS - 20));
    log.push(`kill after accepted #${[...killAfterAccepted].join(', #')}; kill while letters ${[...killMidData].join(', ')} are in DATA`);
    let kills = 0;
    let restarting: Promise<void> | undefined;
    const killAndRestart = (why: string): Promise<void> => {
      // a kill point reached while the lab restarts from the last kill (two points close
      // together) is not folded into that one: it kills the lab once it is up again
      if (restarting) return restarting.then(() => killAndRestart(`${why}, once restarted`));
      kills++;
      log.push(`SIGKILL #${kills}: ${why}`);
      const victim = child!;
      restarting = alive = (async () => {
        const exited = once(victim, 'exit');
        victim.kill('SIGKILL');
        await exited;
        await start();
        restarting = undefined;
      })();
      return restarting;
    };

    const accepted = new Set<number>();
    let resubmitted = 0;
    const todo = Array.from({ length: LETTERS }, (_, i) => i + 1);
    const worker = async () => {
      let client: SmtpTestClient | undefined;
      for (;;) {
        const seq = todo.shift();
        if (seq === undefined) break;
        try {
          if (!client) {
            await alive;
            client = (await SmtpTestClient.fromOutside(port)).client;
            expect((await client.command('EHLO kims-pc')).code).toBe(250);
            expect((await client.command(`AUTH PLAIN ${Buffer.from('\0kim@daum.net\x001234').toString('base64')}`)).code).toBe(235);
          }
          expect((await client.command('MAIL FROM:<kim@daum.net>')).code).toBe(250);
          expect((await client.command('RCPT TO:<lee@naver.com>')).code).toBe(250);
          expect((await client.command('DATA')).code).toBe(354);
          client.write(dotStuff(letter(seq)));
          if (killMidData.delete(seq)) void killAndRestart(`letter ${seq} sent, its 250 not yet read`);
          const reply = await client.reply();
          expect(reply.code, reply.raw).toBe(250);
          accepted.add(seq);
          if (killAfterAccepted.delete(accepted.size)) void killAndRestart(`after ${accepted.size} accepted`);
        } catch (err) {
          if (accepted.has(seq)) throw err;
          // the connection died with the MTA: no 250, so the mail program tries again
          if (!/closed/.test((err as Error).message)) throw err;
          client?.destroy();
          client = undefined;
          resubmitted++;
          todo.unshift(seq);
          await alive;
        }
      }
      await client?.quit().catch(() => undefined);
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(accepted.size).toBe(LETTERS);

    // Every accepted letter in lee's Maildir: checked again at each delivery Server's MDA reports.
    const maildir = path.join(lab.root, 'Server', 'mail', 'lee', 'new');
    const count = async () => {
      const seen = new Map<number, number>();
      let files: string[] = [];
      try {
        files = await fs.readdir(maildir);
      } catch {
        // not created yet
      }
      for (const f of files) {
        const text = await fs.readFile(path.join(maildir, f), 'utf8');
        const seq = Number(/^X-Crash-Seq: (\d+)/m.exec(text)?.[1]);
        seen.set(seq, (seen.get(seq) ?? 0) + 1);
      }
      return seen;
    };
    // (the trace position is taken before each count, so a delivery during the count is not missed)
    let after = lab.trace.events.length;
    let seen = await count();
    while ([...accepted].some((s) => !seen.has(s))) {
      try {
        await lab.trace.waitFor((e) => e.kind === 'mda' && e.seq > after, 30_000, 'the next delivery into lee\'s Maildir');
      } catch {
        // say what is missing and what Server-B's queue still holds
        const missing = [...accepted].filter((s) => !seen.has(s));
        const queue = await listQueue(path.join(lab.root, 'Server-B', 'queue'));
        throw new Error(`letters ${missing.join(', ')} never reached lee's Maildir; Server-B's queue: ${JSON.stringify(queue, null, 1)}\n${log.join('\n')}`);
      }
      after = lab.trace.events.length;
      seen = await count();
    }
    const lost = [...accepted].filter((s) => !seen.has(s));
    const duplicates = [...seen].filter(([, n]) => n > 1);
    const extra = duplicates.reduce((sum, [, n]) => sum + n - 1, 0);
    console.log([
      `crash test: ${LETTERS} letters accepted (250) by Server-B across ${kills} SIGKILLs and ${starts} starts; ${resubmitted} resubmitted after a kill swallowed the reply`,
      `  in lee's Maildir: ${seen.size} distinct letters, ${lost.length} lost, ${duplicates.length} duplicated (${extra} extra cop${extra === 1 ? 'y' : 'ies'}${duplicates.length ? `: letters ${duplicates.map(([s, n]) => `${s}x${n}`).join(', ')}` : ''})`,
      ...log.filter((l) => /SIGKILL|kill after|RELOADED|repaired|EVENT queue/.test(l)).map((l) => `  ${l}`),
    ].join('\n'));
    expect(lost).toEqual([]);
    expect(kills).toBe(KILLS);
  });
});
