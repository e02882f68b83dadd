import type { TraceBus } from '../trace/trace-bus.ts';
import type { HopEvent } from '../trace/hop-event.ts';

/**
 * The letters of this run, and the hops about them. A data folder outlives a run (a crash or
 * Ctrl-C loses no mail), so a letter left in a queue or a mailbox by an earlier run may travel
 * on while this one plays. Each run judges only its own: it follows the Message-IDs of the
 * letters it sent, and the queue IDs and Message-IDs (a bounce's DSN) that hops link to them.
 */
export class RunLetters {
  private readonly trace: TraceBus;
  /** the last seq before this run: hops up to it belong to an earlier run or the start-up */
  private readonly startSeq: number;
  private readonly messageIds = new Set<string>();
  private readonly queueIds = new Set<string>();
  private readonly seen: HopEvent[] = [];
  private readonly off: () => void;

  constructor(trace: TraceBus) {
    this.trace = trace;
    this.startSeq = trace.events.at(-1)?.seq ?? 0;
    this.off = trace.on((event) => {
      this.seen.push(event);
      this.link(event);
    });
  }

  /** A letter this run sent, by the Message-ID its client gave it. */
  sent(messageId: string | undefined): void {
    if (!messageId) return;
    this.messageIds.add(normalise(messageId));
    // the hops of its submission came before the client heard the 250
    for (let changed = true; changed; ) {
      changed = false;
      for (const event of this.seen) changed = this.link(event) || changed;
    }
  }

  /** Whether this run has sent anything yet: before that every hop counts. */
  get sending(): boolean {
    return this.messageIds.size > 0;
  }

  /** A hop of this run: after its start, and about its letters (or about no letter at all: a login, a fault). */
  owns(event: HopEvent): boolean {
    if (event.seq <= this.startSeq) return false;
    if (!this.sending) return true;
    const ids = idsOf(event);
    if (!ids.message && !ids.queue.length) return true;
    return this.related(ids);
  }

  /** A letter (its raw source) of this run, by its Message-ID. */
  ownsLetter(raw: Buffer | string): boolean {
    if (!this.sending) return true;
    const text = typeof raw === 'string' ? raw : raw.subarray(0, 64 * 1024).toString('utf8');
    const head = text.split(/\r?\n\r?\n/, 1)[0];
    const id = /^message-id:[ \t]*(<[^>\r\n]*>)/im.exec(head)?.[1];
    return id !== undefined && this.messageIds.has(normalise(id));
  }

  /** A queue entry of this run, by its queue ID. */
  ownsQueueId(id: string): boolean {
    return !this.sending || this.queueIds.has(id);
  }

  /** The hops of this run so far. */
  events(): HopEvent[] {
    return this.trace.events.filter((e) => this.owns(e));
  }

  close(): void {
    this.off();
  }

  private related(ids: Ids): boolean {
    return (ids.message !== undefined && this.messageIds.has(ids.message)) || ids.queue.some((q) => this.queueIds.has(q));
  }

  /** A hop about one of our letters makes its other IDs ours too. Returns whether any was new. */
  private link(event: HopEvent): boolean {
    if (event.seq <= this.startSeq) return false;
    const ids = idsOf(event);
    if (!this.related(ids)) return false;
    let added = false;
    if (ids.message && !this.messageIds.has(ids.message)) {
      this.messageIds.add(ids.message);
      added = true;
    }
    for (const q of ids.queue) {
      if (!this.queueIds.has(q)) {
        this.queueIds.add(q);
        added = true;
      }
    }
    return added;
  }
}

interface Ids {
  message?: string;
  queue: string[];
}

function idsOf(event: HopEvent): Ids {
  const queue = [event.queueId, event.detail?.dsnQueueId].filter((q): q is string => typeof q === 'string' && q !== '');
  return { message: event.messageId ? normalise(event.messageId) : undefined, queue };
}

function normalise(messageId: string): string {
  return messageId.trim().replace(/^<|>$/g, '').toLowerCase();
}
