// Queue IDs in the style of sendmail 8.12+ (queue.c, queueid): the time of day packed into
// base-60 characters, a sequence number, then the process ID. Sendmail's look like
// "w9GD0hkE001234"; ours like "q6AS3x0004Pf2": the letter q, Y M D h m s (one base-60 character
// each), a three-character sequence and the process ID in base 60.
//
// Unique across restarts: a restarted process has another process ID, and within one process
// the sequence never repeats for the same second (when it runs out, the clock part moves on a
// second). The Queue also refuses an ID whose files already exist.

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx'; // 60, as sendmail's

const SEQ_SPACE = 60 ** 3;

let lastSecond = 0;
let sequence = 0;

function base60(value: number, width: number): string {
  let out = '';
  let v = Math.floor(value);
  for (let i = 0; i < width; i++) {
    out = DIGITS[v % 60] + out;
    v = Math.floor(v / 60);
  }
  return out;
}

/** A fresh queue ID, e.g. 'q6AS3x0004Pf2'. `now` is ms since the epoch. */
export function newQueueId(now = Date.now(), pid = process.pid): string {
  let second = Math.floor(now / 1000);
  if (second <= lastSecond) {
    second = lastSecond;
    if (++sequence >= SEQ_SPACE) {
      second = ++lastSecond;
      sequence = 0;
    }
  } else {
    lastSecond = second;
    sequence = 0;
  }
  const d = new Date(second * 1000);
  const clock =
    DIGITS[d.getUTCFullYear() % 60] +
    DIGITS[d.getUTCMonth()] +
    DIGITS[d.getUTCDate()] +
    DIGITS[d.getUTCHours()] +
    DIGITS[d.getUTCMinutes()] +
    DIGITS[d.getUTCSeconds()];
  return `q${clock}${base60(sequence, 3)}${base60(pid % SEQ_SPACE, 3)}`;
}

/** Whether a string is shaped like a queue ID (so a file name or a mailq argument can be trusted in a path). */
export function isQueueId(id: string): boolean {
  return /^[A-Za-z0-9]{6,40}$/.test(id);
}
