import { fs } from '../node-builtins.ts';
import path from 'node:path';
import type { Topology } from '../topology/types.ts';
import type { Lang } from '../trace/language.ts';
import { listQueue } from '../mta/queue.ts';

/** What an earlier run left in a data folder: letters in queues and mailboxes. */
export interface Leftover {
  host: string;
  /** a user's mailbox, or the host's queue when absent */
  user?: string;
  count: number;
}

/** Read the data folder as a new run finds it (before the lab starts and its queues move on). */
export async function findLeftovers(topology: Topology, dataDir: string): Promise<Leftover[]> {
  const out: Leftover[] = [];
  for (const host of topology.hosts) {
    if (!host.mail) continue;
    const queued = await listQueue(path.join(dataDir, host.name, 'queue')).catch(() => []);
    if (queued.length) out.push({ host: host.name, count: queued.length });
    for (const user of Object.keys(host.mail.users)) {
      let count = 0;
      for (const folder of ['new', 'cur']) {
        try {
          count += fs.readdirSync(path.join(dataDir, host.name, 'mail', user, folder)).filter((f) => !f.startsWith('.')).length;
        } catch {
          // no such folder yet
        }
      }
      if (count) out.push({ host: host.name, user, count });
    }
  }
  return out;
}

/** One line for the start of a run: what is left over, and that this run judges only its own. */
export function describeLeftovers(leftovers: Leftover[], lang: Lang): string | undefined {
  if (!leftovers.length) return undefined;
  if (lang === 'ko') {
    const items = leftovers.map((l) => (l.user ? `${l.host}의 ${l.user} 메일 박스에 메일 ${l.count}통` : `${l.host}의 메일 큐에 메일 ${l.count}통`));
    return `이전 실행에서 남은 것: ${items.join(', ')}. 이번 실행은 이번에 보낸 메일만 확인합니다 (깨끗하게 시작하려면 --clean).`;
  }
  const letters = (n: number) => `${n} letter${n === 1 ? '' : 's'}`;
  const items = leftovers.map((l) => (l.user ? `${l.user}'s mailbox on ${l.host} holds ${letters(l.count)}` : `${l.host}'s queue holds ${letters(l.count)}`));
  return `From earlier runs: ${items.join(', ')}. This run judges only the letters it sends (start clean with --clean).`;
}

