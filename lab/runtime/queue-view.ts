import { listQueue, type QueueEntry } from '../mta/queue.ts';

export type { QueueEntry };

/** A mail server's queue as mailq shows it, read from its spool folder. */
export function readQueue(dir: string): Promise<QueueEntry[]> {
  return listQueue(dir);
}
