// Micro-benchmark of the mail store's read path, in one process, no sockets: a copy of a
// Maildir (CORPUS: a folder of message files, e.g. Postfix deliveries), then the folder's first
// look (SELECT), index entries for all (FETCH ENVELOPE, cold), headers (FETCH HEADER), the
// content (FETCH BODY[]) and POP3 sizing. Figures: ms and heap per step. Not a test.
//
//   node bench/mail-read.ts CORPUS [REPEAT]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Maildir } from '../lab/mailbox/maildir.ts';
import { Session } from 'node:inspector/promises';

// PROFILE=file.cpuprofile: a CPU profile of the steps only (not of copying the corpus)
const profile = process.env.PROFILE;
const session = profile ? new Session() : undefined;
session?.connect();
await session?.post('Profiler.enable');

const [corpus, repeat = '1'] = process.argv.slice(2);
for (let r = 0; r < Number(repeat); r++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-read-'));
  for (const d of ['new', 'cur', 'tmp']) fs.mkdirSync(path.join(dir, d));
  for (const f of fs.readdirSync(corpus)) fs.copyFileSync(path.join(corpus, f), path.join(dir, 'new', f));
  const md = new Maildir(dir);
  if (r === Number(repeat) - 1) await session?.post('Profiler.start');
  const step = async (label: string, fn: () => unknown) => {
    const t = performance.now();
    const c = process.cpuUsage();
    await fn();
    const cpu = process.cpuUsage(c);
    const m = process.memoryUsage();
    console.log(`${label.padEnd(22)} ${(performance.now() - t).toFixed(1).padStart(8)} ms  cpu ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(5)} ms  heap ${(m.heapUsed / 2 ** 20).toFixed(0)}/${(m.heapTotal / 2 ** 20).toFixed(0)} MB rss ${(m.rss / 2 ** 20).toFixed(0)} MB`);
  };
  await step('select (sync+claim)', async () => {
    await md.sync();
    md.claimRecent(md.messages.map((m) => m.uid), true);
    await md.settled();
  });
  let bytes = 0;
  await step('entries (cold ENV)', () => {
    for (const rec of md.messages) bytes += md.entryOf(rec)!.envelope.length;
  });
  await step('headers', () => {
    for (const rec of md.messages) bytes += md.header(rec)!.data.length;
  });
  await step('content', () => {
    for (const rec of md.messages) bytes += md.content(rec)!.data.length;
  });
  await step('save index', () => md.saveIndex());
  if (session && r === Number(repeat) - 1) fs.writeFileSync(profile!, JSON.stringify((await session.post('Profiler.stop')).profile));
  fs.rmSync(dir, { recursive: true, force: true });
  void bytes;
}
