// Filled in against the queue's own listing once lab/mta/queue.ts lands.
export interface QueueEntry {
  id: string;
  size: number;
  ageMs: number;
  from: string;
  recipients: { address: string; status: string; lastError?: string; nextTry?: number; attempts?: number }[];
}

export async function readQueue(_dir: string): Promise<QueueEntry[]> {
  throw new Error('queue view not wired yet');
}
