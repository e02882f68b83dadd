import type { HopEvent } from 'lab-page/types.ts';

// Which letter each hop belongs to, from what the hops carry: the Message-ID, each server's
// queue ID (a letter gets a new one on every server), the Maildir file the MDA wrote and dovecot
// reads (its name up to ":" stays when it moves from new/ to cur/), a bounce's DSN queue ID.
// Hops that name none of these join the letter they are part of: a POP3 or IMAP login joins the
// letters that session reads, the receiving server's refusal joins the letter being relayed.

export interface LetterTrack {
  /** 1, 2, 3 ... in the order the letters were first seen */
  n: number;
  messageId?: string;
  sender?: string;
  recipients: string[];
  /** indexes into the events, in order */
  hops: number[];
}

export interface Letters {
  letters: LetterTrack[];
  /** the letter (its index in `letters`) of each event, -1 for none */
  of: number[];
}

const known = new WeakMap<HopEvent[], Letters>();

export function lettersOf(events: HopEvent[]): Letters {
  const hit = known.get(events);
  if (hit) return hit;
  const letters: LetterTrack[] = [];
  const of: number[] = new Array(events.length).fill(-1);
  const byKey = new Map<string, number>();
  /** a login waiting for the letters its session reads: client|server -> event index */
  const logins = new Map<string, number>();
  /** the latest letter each host worked on (for hops that name no letter) */
  const latestAt = new Map<string, number>();
  const join = (i: number, letter: number) => {
    const track = letters[letter];
    if (track.hops.at(-1) !== i && !track.hops.includes(i)) track.hops.push(i);
    if (of[i] < 0) of[i] = letter;
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind === 'net' || e.kind === 'lab') continue;
    const keys = keysOf(e);
    let letter = keys.map((k) => byKey.get(k)).find((n) => n !== undefined);
    if (letter === undefined && keys.length) {
      letters.push({ n: letters.length + 1, recipients: [], hops: [] });
      letter = letters.length - 1;
    }
    if (letter === undefined) {
      if ((e.kind === 'pop3' || e.kind === 'imap') && e.steps?.sendmail === '8') logins.set(`${e.from}|${e.to}`, i);
      else if (e.kind === 'smtp' && latestAt.has(e.from)) join(i, latestAt.get(e.from)!);
      continue;
    }
    for (const k of keys) byKey.set(k, letter);
    const track = letters[letter];
    track.messageId ??= e.messageId;
    const sender = e.detail?.sender;
    const recipients = e.detail?.recipients;
    if (!track.sender && typeof sender === 'string') track.sender = sender;
    if (!track.recipients.length && Array.isArray(recipients)) track.recipients = recipients.map((r) => (typeof r === 'string' ? r : String((r as { recipient?: string }).recipient ?? ''))).filter(Boolean);
    // a reading session: its login first
    const login = logins.get(`${e.to}|${e.from}`);
    if (login !== undefined && (e.kind === 'pop3' || e.kind === 'imap')) join(login, letter);
    join(i, letter);
    latestAt.set(e.from, letter);
  }
  for (const track of letters) track.hops.sort((a, b) => a - b);
  const found = { letters, of };
  known.set(events, found);
  return found;
}

function keysOf(e: HopEvent): string[] {
  const keys: string[] = [];
  if (e.messageId) keys.push(`m:${e.messageId}`);
  if (e.queueId) keys.push(`q:${e.queueId}`);
  const dsn = e.detail?.dsnQueueId;
  if (typeof dsn === 'string') keys.push(`q:${dsn}`);
  for (const file of e.files ?? []) {
    const m = /[/\\]mail[/\\](.+)[/\\](?:new|cur)[/\\]([^/\\:]+)/.exec(file);
    if (m) keys.push(`f:${m[1]}/${m[2]}`);
  }
  return keys;
}

/** The letter the hop at `cursor` belongs to, or the latest letter before it. */
export function letterAt(found: Letters, cursor: number): number {
  for (let i = Math.min(cursor, found.of.length - 1); i >= 0; i--) if (found.of[i] >= 0) return found.of[i];
  return -1;
}
