import { fs, util } from '../node-builtins.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listQueue, FLUSH_REQUEST, type QueueEntry } from './queue.ts';
import { formatDuration } from './retry-schedule.ts';

// sendmail's `mailq`, for a second terminal while the lab runs: lists every mail server's queue
// by reading the spool folders (<data>/<Host>/queue/qf*), and with --flush asks the running
// queue runners to retry everything now.
//
//   npm run mailq                       every queue under the default data folder (var/)
//   npm run mailq -- --data /tmp/lab    another data folder (the lab's --data)
//   npm run mailq -- --host Server-B    one server
//   npm run mailq -- --flush            retry now (sendmail -q); then lists
//   npm run mailq -- --json             machine-readable
//
// The flush is a file, flush.request, dropped into the spool folder; the queue runner watches
// its folder, removes the file and retries (see queue-runner.ts). It needs no port and works
// from any process that can write the data folder.

export const DEFAULT_DATA = path.join(import.meta.dirname, '..', '..', 'var');

export interface HostQueue {
  host: string;
  dir: string;
  entries: QueueEntry[];
}

/** The spool folders under a data folder: <data>/<Host>/queue, or one level deeper (<data>/<topology>/<Host>/queue). */
export function findQueues(dataDir: string): { host: string; dir: string }[] {
  const found: { host: string; dir: string }[] = [];
  const subdirs = (dir: string) => {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    } catch {
      return [];
    }
  };
  for (const name of subdirs(dataDir)) {
    const direct = path.join(dataDir, name, 'queue');
    if (fs.existsSync(direct)) {
      found.push({ host: name, dir: direct });
      continue;
    }
    for (const inner of subdirs(path.join(dataDir, name))) {
      const nested = path.join(dataDir, name, inner, 'queue');
      if (fs.existsSync(nested)) found.push({ host: inner, dir: nested });
    }
  }
  return found;
}

export async function readQueues(dataDir: string, host?: string, now = Date.now()): Promise<HostQueue[]> {
  const queues = findQueues(dataDir).filter((q) => !host || q.host === host);
  return Promise.all(queues.map(async (q) => ({ ...q, entries: await listQueue(q.dir, now) })));
}

/**
 * Ask the queue runner watching `queueDir` to retry everything now. Resolves true when a
 * runner took the request (the file went away), false when none did within waitMs (the lab is
 * not running; the request stays and is taken when it starts).
 */
export async function requestFlush(queueDir: string, waitMs = 3000): Promise<boolean> {
  const file = path.join(queueDir, FLUSH_REQUEST);
  fs.mkdirSync(queueDir, { recursive: true });
  return new Promise((resolve) => {
    let done = false;
    const finish = (taken: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher.close();
      resolve(taken);
    };
    const watcher = fs.watch(queueDir, (_event, name) => {
      if (name === FLUSH_REQUEST && !fs.existsSync(file)) finish(true);
    });
    watcher.on('error', () => finish(!fs.existsSync(file)));
    const timer = setTimeout(() => finish(!fs.existsSync(file)), waitMs);
    fs.writeFileSync(file, `flush requested by pid ${process.pid} at ${new Date().toISOString()}\n`);
  });
}

/**
 * Resolves true once every letter that was in the queue has been tried again since (its
 * attempts went up) or has left it; false if that takes longer than waitMs.
 */
async function retried(queueDir: string, before: QueueEntry[], waitMs = 10_000): Promise<boolean> {
  const attempts = (e: QueueEntry) => e.recipients.reduce((n, r) => n + r.attempts, 0);
  const done = async () => {
    const now = new Map((await listQueue(queueDir)).map((e) => [e.id, e]));
    return before.every((e) => !now.has(e.id) || attempts(now.get(e.id)!) > attempts(e));
  };
  if (await done()) return true;
  return new Promise((resolve) => {
    let finished = false;
    const finish = (ok: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      watcher.close();
      resolve(ok);
    };
    const watcher = fs.watch(queueDir, () => void done().then((ok) => ok && finish(true), () => undefined));
    watcher.on('error', () => finish(false));
    const timer = setTimeout(() => void done().then(finish, () => finish(false)), waitMs);
  });
}

/** sendmail-style listing. */
export function formatMailq(queues: HostQueue[], now = Date.now()): string {
  const out: string[] = [];
  if (queues.length === 0) out.push('No mail queues found (is this the lab\'s data folder? use --data DIR).');
  for (const q of queues) {
    const n = q.entries.length;
    out.push(`${q.host}  ${q.dir}  (${n === 0 ? 'Mail queue is empty' : `${n} request${n === 1 ? '' : 's'}`})`);
    if (n === 0) {
      out.push('');
      continue;
    }
    out.push('-----Q-ID----- --Size-- ---Age--- ----------Sender/Recipient----------');
    for (const e of q.entries) {
      out.push(`${e.id.padEnd(14)} ${String(e.size).padStart(8)} ${formatDuration(e.ageMs).padStart(9)} <${e.from}>`);
      for (const r of e.recipients) {
        if (r.status === 'delivered' || r.status === 'bounced') {
          out.push(`${' '.repeat(34)}<${r.address}>  (${r.status})`);
          continue;
        }
        if (r.lastError) {
          const next = r.nextTry !== undefined ? `; next try ${r.nextTry <= now ? 'now' : `in ${formatDuration(r.nextTry - now)}`}` : '';
          out.push(`${' '.repeat(16)}(Deferred: ${r.lastError}${next}; ${r.attempts} attempt${r.attempts === 1 ? '' : 's'})`);
        }
        out.push(`${' '.repeat(34)}<${r.address}>${r.status === 'pending' ? '  (pending)' : ''}`);
      }
    }
    out.push(`${' '.repeat(16)}Total requests: ${n}`, '');
  }
  return out.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values } = util.parseArgs({
    args: argv,
    options: {
      data: { type: 'string', short: 'd' },
      host: { type: 'string' },
      flush: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`mailq: list the lab's mail queues (sendmail's mailq) and flush them

  npm run mailq -- [--data DIR] [--host NAME] [--flush] [--json]

  --data DIR   the lab's data folder (default ${path.relative(process.cwd(), DEFAULT_DATA) || '.'}); the queues are DIR/<Host>/queue
  --host NAME  only this mail server (Server, Server-B)
  --flush, -q  ask the running queue runners to retry every message now, then list
  --json       print JSON instead of the table`);
    return 0;
  }
  const dataDir = path.resolve(values.data ?? DEFAULT_DATA);
  const all = findQueues(dataDir);
  if (values.host && !all.some((q) => q.host === values.host)) {
    console.error(`mailq: no mail server "${values.host}" in ${dataDir}; ${all.length ? `the mail servers there: ${all.map((q) => q.host).join(', ')}` : 'it holds no queues (use --data DIR, the lab\'s data folder)'}`);
    return 2;
  }
  if (values.flush) {
    const queues = all.filter((q) => !values.host || q.host === values.host);
    for (const q of queues) {
      const before = await listQueue(q.dir);
      const taken = await requestFlush(q.dir);
      if (!taken) {
        console.log(`${q.host}: flush requested, but no queue runner took it (is the lab running?); it will when the lab starts`);
        continue;
      }
      // the listing below is the queue after the retry, not before it
      const done = await retried(q.dir, before);
      console.log(done ? `${q.host}: flushed; every letter was tried again` : `${q.host}: flush requested; the queue runner is still trying`);
    }
    if (queues.length) console.log('');
  }
  const queues = await readQueues(dataDir, values.host);
  console.log(values.json ? JSON.stringify(queues, null, 2) : formatMailq(queues));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`mailq: ${err.message}`);
      process.exit(2);
    },
  );
}
