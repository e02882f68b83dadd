import os from 'node:os';
import { randomHex } from '../random-hex.ts';

// Maildir file names and the fsync that makes a rename durable (maildir(5)).

let made = 0;

/** A unique Maildir file name (the "time.pid_n.host" convention of maildir(5)). */
let thisHost: string | undefined;

export function maildirName(hostname = (thisHost ??= os.hostname())): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const usec = (now % 1000) * 1000;
  return `${sec}.M${String(usec).padStart(6, '0')}P${process.pid}Q${++made}R${randomHex(4)}.${hostname.replace(/[/:]/g, '_')}`;
}

/**
 * Delivery order of two file names: numbers compared as numbers ("Q9" before "Q10"), so that
 * UIDs follow the order the writers gave ("<seconds>.M<usec>P<pid>Q<count>...").
 */
export function compareNames(a: string, b: string): number {
  return compareParts(partsOf(a), partsOf(b));
}

/** A name cut into runs of digits and of other characters, the digits' value beside them. */
type NameParts = Array<string | number>;
const RUNS = /(\d+)|(\D+)/g;

function partsOf(name: string): NameParts {
  const runs = name.match(RUNS) ?? [];
  const parts: NameParts = [];
  for (const run of runs) {
    parts.push(run);
    if (run.charCodeAt(0) >= 0x30 && run.charCodeAt(0) <= 0x39) parts.push(Number(run));
    else parts.push(NaN);
  }
  return parts;
}

function compareParts(pa: NameParts, pb: NameParts): number {
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i += 2) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = pa[i + 1] as number;
    const ny = pb[i + 1] as number;
    if (!Number.isNaN(nx) && !Number.isNaN(ny) && nx !== ny) return nx - ny;
    return x < y ? -1 : 1;
  }
  return (pa.length - pb.length) / 2;
}

/**
 * Items sorted by their file names in delivery order (compareNames), each name cut into runs
 * once rather than at every comparison: the first look at a folder of 5,000 new files sorts them.
 */
export function sortByName<T>(items: T[], nameOf: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ item, parts: partsOf(nameOf(item)) }));
  keyed.sort((a, b) => compareParts(a.parts, b.parts));
  return keyed.map((k) => k.item);
}

export { fsyncPath } from './disk.ts';

/** The base of a file name: everything before the ":2," info (maildir(5)). */
export function baseOf(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/** The info letters after ":2,", or '' when there are none. */
export function lettersOf(name: string): string {
  const info = name.indexOf(':2,');
  return info < 0 ? '' : name.slice(info + 3);
}

/** The size a writer put in the name (",S=2400"), or -1. */
export function sizeInName(base: string): number {
  const m = /,S=(\d+)/.exec(base);
  return m ? Number(m[1]) : -1;
}

/**
 * The unique part of a file name (maildir(5)): before "," (size fields) or ":" (flags). It
 * never changes, whatever is renamed; POP3's UIDL is made from it.
 */
export function uniqueOf(name: string): string {
  const cut = name.search(/[,:]/);
  return cut < 0 ? name : name.slice(0, cut);
}
