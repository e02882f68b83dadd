// Issue 3's benchmark: an SMTP load of 5,000 letters of about 2 KB from kim@daum.net to
// lee@naver.com, submitted to Server-B over 20 connections (fsync on: the queue always syncs).
// Server-B queues each one, looks up naver.com's MX and relays it to Server, whose MDA writes
// lee's Maildir: two hops. Figures:
//   - the load tool's own ceiling, against an smtp-server that accepts and discards (same run);
//   - the acceptance rate at Server-B (letters per second answered 250);
//   - the time from the first letter sent to all of them in lee's Maildir;
//   - the lab process's peak memory (max RSS).
// The lab's own figures only: the ratios to Postfix 3.7 (smtp-source against both, one run) come
// from ../shared/bench/side-by-side, not from a figure written down here.
//
//   node bench/smtp-load.ts [--messages 5000] [--connections 20] [--size 2048]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { runLoad, type LoadOptions } from './smtp-client.ts';

interface Child {
  process: ChildProcess;
  /** resolves with the rest of the next line that starts with `prefix ` */
  line(prefix: string): Promise<string>;
  send(line: string): void;
  exited: Promise<void>;
}

function startChild(file: string, args: string[]): Child {
  // BENCH_NODE_OPTIONS: extra node flags for the children, e.g. --cpu-prof to see where time goes
  const extra = process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const proc = spawn(process.execPath, [...extra, file, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Interface = createInterface({ input: proc.stdout! });
  const seen: string[] = [];
  const waiters: { prefix: string; resolve: (rest: string) => void }[] = [];
  lines.on('line', (line) => {
    const i = waiters.findIndex((w) => line.startsWith(`${w.prefix} `));
    if (i < 0) return void seen.push(line);
    const [w] = waiters.splice(i, 1);
    w.resolve(line.slice(w.prefix.length + 1));
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    process: proc,
    line(prefix) {
      const i = seen.findIndex((l) => l.startsWith(`${prefix} `));
      if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0].slice(prefix.length + 1));
      return new Promise((resolve, reject) => {
        waiters.push({ prefix, resolve: (rest) => resolve(rest) });
        void exited.then(() => reject(new Error(`${path.basename(file)} exited before printing "${prefix}"`)));
      });
    },
    send(line) {
      proc.stdin!.write(`${line}\n`);
    },
    exited,
  };
}

const HERE = import.meta.dirname;

export interface SmtpBenchOptions {
  messages?: number;
  connections?: number;
  size?: number;
}

export async function benchSmtpLoad(options: SmtpBenchOptions = {}): Promise<Record<string, number>> {
  const messages = options.messages ?? 5000;
  const connections = options.connections ?? 20;
  const size = options.size ?? 2048;
  const load: Omit<LoadOptions, 'port'> = {
    connections,
    messages,
    size,
    from: 'kim@daum.net',
    to: 'lee@naver.com',
    auth: { user: 'kim@daum.net', pass: '1234' },
  };

  // 1. The load tool's ceiling: the same load against a sink that discards.
  const sink = startChild(path.join(HERE, 'smtp-sink-child.ts'), []);
  const sinkPort = Number(await sink.line('READY'));
  const ceiling = await runLoad({ ...load, port: sinkPort });
  sink.send('exit');
  await sink.exited;

  // 2. The lab, two hops: Server-B takes the letters, relays them to Server, whose MDA writes
  //    lee's Maildir. 3. The same load straight to Server: one hop, as the Postfix reference.
  const twoHops = await loadLab(load, messages, 'smtp');
  // kim has no account at Server: a letter for Server's own domain needs no AUTH (from outside)
  const oneHop = await loadLab({ ...load, auth: undefined }, messages, 'server');
  return {
    messages,
    connections,
    size,
    sinkRate: ceiling.rate,
    acceptRate: twoHops.acceptRate,
    acceptSeconds: twoHops.acceptSeconds,
    deliveredSeconds: twoHops.deliveredSeconds,
    peakRssMiB: twoHops.peakRssMiB,
    traceEvents: twoHops.traceEvents,
    oneHopAcceptRate: oneHop.acceptRate,
    oneHopDeliveredSeconds: oneHop.deliveredSeconds,
    oneHopPeakRssMiB: oneHop.peakRssMiB,
  };
}

/** One run of the load against a fresh lab, at Server-B ('smtp') or straight at Server ('server'). */
async function loadLab(load: Omit<LoadOptions, 'port'>, messages: number, at: 'smtp' | 'server') {
  const data = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-bench-'));
  const lab = startChild(path.join(HERE, 'smtp-lab-child.ts'), [data, String(messages)]);
  try {
    const ready = JSON.parse(await lab.line('READY')) as { smtp: number; server: number };
    const started = performance.now();
    const delivered = lab.line('DELIVERED').then(() => performance.now());
    delivered.catch(() => {}); // a failed load below is the error to report, not this
    const accepted = await runLoad({ ...load, port: ready[at] });
    if (accepted.refused) throw new Error(`the lab refused ${accepted.refused} letters, e.g. ${accepted.firstRefusal}`);
    const deliveredAt = await delivered;
    lab.send('stats');
    const stats = JSON.parse(await lab.line('STATS')) as { maxRssKiB: number; events: number; memory: NodeJS.MemoryUsage };
    if (process.env.BENCH_VERBOSE) console.error('lab memory at the end:', stats.memory);
    const inMaildir = (await fs.readdir(path.join(data, 'Server', 'mail', 'lee', 'new'))).length;
    if (inMaildir !== messages) throw new Error(`lee's Maildir holds ${inMaildir} letters, expected ${messages}`);
    return {
      acceptRate: accepted.rate,
      acceptSeconds: accepted.elapsedMs / 1000,
      deliveredSeconds: (deliveredAt - started) / 1000,
      peakRssMiB: stats.maxRssKiB / 1024,
      traceEvents: stats.events,
    };
  } finally {
    lab.send('exit');
    await lab.exited;
    await fs.rm(data, { recursive: true, force: true });
  }
}

export function formatSmtpBench(r: Record<string, number>): string {
  const f = (n: number, d = 0) => n.toFixed(d);
  return [
    `SMTP load: ${r.messages} letters of ~${r.size} bytes, kim@daum.net -> lee@naver.com at Server-B, ${r.connections} connections, fsync on`,
    `  load tool ceiling (smtp-server sink)  ${f(r.sinkRate)} msg/s`,
    `  accepted by Server-B                  ${f(r.acceptRate)} msg/s in ${f(r.acceptSeconds, 1)} s`,
    `  all in lee's Maildir (two hops)       ${f(r.deliveredSeconds, 1)} s`,
    `  lab peak memory (max RSS)             ${f(r.peakRssMiB)} MiB   (${r.traceEvents} trace events held)`,
    `  one hop, straight to Server:`,
    `    accepted by Server                  ${f(r.oneHopAcceptRate)} msg/s`,
    `    all in lee's Maildir                ${f(r.oneHopDeliveredSeconds, 1)} s`,
    `    lab peak memory (max RSS)           ${f(r.oneHopPeakRssMiB)} MiB`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { messages: { type: 'string' }, connections: { type: 'string' }, size: { type: 'string' } },
  });
  const result = await benchSmtpLoad({
    messages: values.messages ? Number(values.messages) : undefined,
    connections: values.connections ? Number(values.connections) : undefined,
    size: values.size ? Number(values.size) : undefined,
  });
  console.log(formatSmtpBench(result));
}
