// Sequence sets (RFC 3501 section 9, "sequence-set"): "1:*", "2,4:7,9", "*:5". "*" is the
// largest number in use: the last message's sequence number or the highest UID.

/** 0 stands for "*". */
export type SequenceRange = [number, number];

const SET = /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/;

export function isSequenceSet(text: string): boolean {
  return SET.test(text);
}

/** Parse a set; undefined when it is not one (the caller answers BAD). */
export function parseSequenceSet(text: string): SequenceRange[] | undefined {
  if (!SET.test(text)) return undefined;
  const ranges: SequenceRange[] = [];
  for (const item of text.split(',')) {
    const [a, b] = item.split(':');
    const from = a === '*' ? 0 : Number(a);
    const to = b === undefined ? from : b === '*' ? 0 : Number(b);
    if ((a !== '*' && from === 0) || (b !== undefined && b !== '*' && to === 0)) return undefined; // nz-number
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > 0xffffffff || to > 0xffffffff) return undefined;
    ranges.push([from, to]);
  }
  return ranges;
}

export class SequenceError extends Error {}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The positions (0-based sequence numbers, ascending, each once) a set names in a view of
 * ascending UIDs. By sequence number, a number past the last message is an error (BAD); by
 * UID, a set names whichever messages it covers ("UID 10:*" names the last message even when
 * its UID is below 10, RFC 3501 section 6.4.8).
 */
export function resolveSet(ranges: SequenceRange[], uids: number[], byUid: boolean): number[] {
  const count = uids.length;
  if (count === 0) {
    // "1:*" in an empty mailbox names nothing; "3" names a message that is not there
    if (!byUid && ranges.some(([a, b]) => a !== 0 && b !== 0)) throw new SequenceError('Invalid messageset: the mailbox is empty');
    return [];
  }
  const picked: number[] = [];
  const max = byUid ? uids[count - 1] : count;
  for (const [a0, b0] of ranges) {
    const a = a0 === 0 ? max : a0;
    const b = b0 === 0 ? max : b0;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    if (byUid) {
      for (let i = lowerBound(uids, lo); i < count && uids[i] <= hi; i++) picked.push(i);
    } else {
      if (hi > count) throw new SequenceError(`Invalid messageset: there are ${count} messages`);
      for (let i = lo - 1; i < hi; i++) picked.push(i);
    }
  }
  if (ranges.length === 1) return picked;
  picked.sort((x, y) => x - y);
  return picked.filter((p, i) => i === 0 || picked[i - 1] !== p);
}

/** Whether a number is in the set, "*" being max (SEARCH UID and SEARCH by sequence set). */
export function inSet(ranges: SequenceRange[], n: number, max: number): boolean {
  for (const [a0, b0] of ranges) {
    const a = a0 === 0 ? max : a0;
    const b = b0 === 0 ? max : b0;
    if (n >= Math.min(a, b) && n <= Math.max(a, b)) return true;
  }
  return false;
}

/** Numbers written back as a compact set ("1:3,7") for COPYUID and APPENDUID. */
export function formatSet(numbers: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    out.push(j === i ? String(numbers[i]) : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
