import fs from 'node:fs/promises';
import os from 'node:os';
import crypto from 'node:crypto';

// Maildir file names and the fsync that makes a rename durable (maildir(5)).

let made = 0;

/** A unique Maildir file name (the "time.pid_n.host" convention of maildir(5)). */
let thisHost: string | undefined;

export function maildirName(hostname = (thisHost ??= os.hostname())): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const usec = (now % 1000) * 1000;
  return `${sec}.M${String(usec).padStart(6, '0')}P${process.pid}Q${++made}R${crypto.randomBytes(4).toString('hex')}.${hostname.replace(/[/:]/g, '_')}`;
}

/**
 * Delivery order of two file names: numbers compared as numbers ("Q9" before "Q10"), so that
 * UIDs follow the order the writers gave ("<seconds>.M<usec>P<pid>Q<count>...").
 */
export function compareNames(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export async function fsyncPath(p: string): Promise<void> {
  const handle = await fs.open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

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
