import type { IndexEntry } from './header-index.ts';

// The headers of a folder's messages as IMAP sends them (CRLF), kept in memory once read, so
// that BODY.PEEK[HEADER] and [HEADER.FIELDS (...)] do not open every file again: a mail program
// fetches the headers of a whole folder each time it opens it, and a FETCH 1:* of 5,000 headers
// was 5,000 opens, reads and closes, four fifths of its time. Dovecot keeps what clients fetch
// in its dovecot.index.cache for the same reason.
//
// A Maildir file's bytes never change (a flag changes its name, not its content), so a header is
// good for as long as its message's index entry is: each is kept with the entry it was read
// with, and the index drops an entry whose file no longer has its size (one edited by hand). A
// folder keeps at most 4 MB of them (about 10,000 headers of a few hundred octets): the oldest go
// first.

const MOST = 4 * 1024 * 1024;

export class HeaderCache {
  private readonly kept = new Map<string, { entry: IndexEntry; data: Buffer }>();
  private octets = 0;
  readonly most: number;

  constructor(most = MOST) {
    this.most = most;
  }

  /** The header kept for this message, if it was read with this very index entry. */
  get(base: string, entry: IndexEntry): Buffer | undefined {
    const kept = this.kept.get(base);
    return kept && kept.entry === entry ? kept.data : undefined;
  }

  /** Keep a copy of `data` (the caller's buffer may be reused). */
  put(base: string, entry: IndexEntry, data: Buffer): void {
    // one header may not take more than a sixteenth of the room
    if (data.length * 16 > this.most) return;
    this.forget(base);
    const copy = Buffer.from(data);
    this.kept.set(base, { entry, data: copy });
    this.octets += copy.length;
    // a Map iterates in the order of insertion: the oldest first
    for (const [old, { data: gone }] of this.kept) {
      if (this.octets <= this.most) break;
      this.kept.delete(old);
      this.octets -= gone.length;
    }
  }

  forget(base: string): void {
    const kept = this.kept.get(base);
    if (!kept) return;
    this.kept.delete(base);
    this.octets -= kept.data.length;
  }

  get size(): number {
    return this.kept.size;
  }

  get bytes(): number {
    return this.octets;
  }
}
