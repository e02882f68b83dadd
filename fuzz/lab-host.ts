// The host a network target fuzzes: Server of topology/classroom.yaml, in this process, with a
// data folder of its own, no failed-login delay (a wait would only slow the run) and short
// idle time-outs (a session the fuzzer left open ends soon). The roles are the real ones.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { parseTopology } from '../lab/topology/load.ts';
import { LoopbackNet } from '../lab/net/lab-net.ts';
import { TraceBus } from '../lab/trace/trace-bus.ts';
import { buildHostContext, type HostContext } from '../lab/host/host-context.ts';
import { MailStore } from '../lab/mailbox/mail-store.ts';

export const ROOT = path.join(import.meta.dirname, '..');
const CLASSROOM = path.join(ROOT, 'topology', 'classroom.yaml');

/** Idle time-out of the fuzzed servers, ms. */
export const FUZZ_IDLE_MS = 2000;

export function fuzzHost(workDir: string): { ctx: HostContext; net: LoopbackNet } {
  const doc = YAML.parse(fs.readFileSync(CLASSROOM, 'utf8'));
  doc.hosts.Server.mail.limits = { idleTimeout: FUZZ_IDLE_MS, clients: 400, messageSize: 256 * 1024 };
  const topology = parseTopology(YAML.stringify(doc), path.join(ROOT, 'topology', 'fuzz.yaml'), { ports: 'auto' });
  const net = new LoopbackNet(topology);
  // a short memory: the fuzzer makes hundreds of thousands of hops
  const trace = new TraceBus(performance.now(), { keep: 200 });
  const ctx = buildHostContext({ topology, name: 'Server', net, trace, dataDir: path.join(workDir, 'Server'), failedLoginDelayMs: 0, dnsTimeoutMs: 200 });
  return { ctx, net };
}

/** A few letters in lee's INBOX, for RETR, FETCH and SEARCH to find. */
export async function seedMailbox(ctx: HostContext): Promise<void> {
  const store = new MailStore(path.join(ctx.dataDir, 'mail'));
  const letters = [
    'From: kim@daum.net\r\nTo: lee@naver.com\r\nSubject: hello\r\nMessage-ID: <a@daum.net>\r\n\r\nfirst letter\r\n',
    'From: =?UTF-8?B?6rmA7Jyg7Iug?= <kim@daum.net>\r\nTo: lee@naver.com\r\nSubject: =?UTF-8?B?7JWI64WV?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n안녕\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--\r\n',
    'From: nobody@example.com\r\nSubject: dots\r\n\r\n.\r\n..\r\n.line\r\n',
  ];
  for (const letter of letters) await store.deliver('lee', Buffer.from(letter));
  store.close();
}

/** lee's Maildir emptied and seeded again. */
export async function resetMailbox(ctx: HostContext): Promise<void> {
  // the letters go, the Maildir stays (the MDA and the servers know it exists); folders a
  // session made go too
  const dir = path.join(ctx.dataDir, 'mail', 'lee');
  const entries = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    const full = path.join(dir, name);
    if (name === 'new' || name === 'cur') {
      for (const file of await fsp.readdir(full).catch(() => [] as string[])) await fsp.rm(path.join(full, file), { force: true });
    } else if (name.startsWith('.')) await fsp.rm(full, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }
  await seedMailbox(ctx);
}
