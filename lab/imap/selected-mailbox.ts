import type { Maildir, MaildirChange, Ghost } from '../mailbox/maildir.ts';
import { changeLetters } from '../mailbox/maildir-flags.ts';
import { resolveSet, type SequenceRange } from './sequence-set.ts';

const SYSTEM_FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

// A session's view of its selected folder (RFC 3501 section 2.3.1.2): the UIDs it knows, in
// sequence-number order. Other sessions, the MDA and POP3 change the folder at any time; those
// changes wait here until the session may be told (EXISTS at any reply, EXPUNGE not while a
// FETCH, STORE or SEARCH is answered, section 7.4.1), so sequence numbers never shift under
// the client's feet.

export class SelectedMailbox {
  readonly maildir: Maildir;
  /** the folder's IMAP name */
  readonly name: string;
  readonly readOnly: boolean;
  /** the view: UIDs in sequence order */
  uids: number[] = [];
  /** messages that are \Recent for this session */
  readonly recent = new Set<number>();
  /** set when the folder was deleted or its UIDVALIDITY changed under the session */
  gone = false;
  /** called when there is news to tell (an IDLE session writes it at once) */
  onNews: (() => void) | undefined;
  /** the keywords the client was told of in FLAGS (RFC 3501 section 7.2.6) */
  private toldKeywords = '';
  private readonly owner: unknown;
  private readonly pendingAdded = new Set<number>();
  private readonly pendingRemoved = new Set<number>();
  private readonly pendingFlags = new Set<number>();
  /** messages in the view that someone expunged; the client has not been told EXPUNGE yet */
  private readonly ghosts = new Map<number, Ghost>();
  private readonly changeListener = (change: MaildirChange) => this.onChange(change);
  private readonly resetListener = () => {
    this.gone = true;
    this.onNews?.();
  };

  constructor(maildir: Maildir, name: string, readOnly: boolean, owner: unknown) {
    this.maildir = maildir;
    this.name = name;
    this.readOnly = readOnly;
    this.owner = owner;
  }

  /** Look at the folder and take the view; from here on, changes are collected. */
  async open(): Promise<void> {
    this.maildir.acquire();
    try {
      await this.maildir.sync();
    } catch (err) {
      this.maildir.release();
      throw err;
    }
    // listener and snapshot in one turn: every change is either in the snapshot or announced
    this.maildir.on('change', this.changeListener);
    this.maildir.on('reset', this.resetListener);
    this.uids = this.maildir.messages.map((m) => m.uid);
    this.toldKeywords = this.keywordList();
    for (const uid of this.maildir.claimRecent(this.uids, !this.readOnly)) this.recent.add(uid);
    // the new/ -> cur/ moves go on while the client hears EXISTS and sends its next command
    // (Maildir.moveToCur); dovecot's SELECT makes them before it answers
  }

  close(): void {
    this.maildir.off('change', this.changeListener);
    this.maildir.off('reset', this.resetListener);
    this.maildir.release();
    this.onNews = undefined;
  }

  get exists(): number {
    return this.uids.length;
  }

  private onChange(change: MaildirChange): void {
    let news = false;
    for (const uid of change.added) {
      if (this.seqOf(uid) < 0 && !this.pendingAdded.has(uid)) {
        this.pendingAdded.add(uid);
        news = true;
      }
    }
    for (const uid of change.removed) {
      if (this.pendingAdded.has(uid)) this.pendingAdded.delete(uid);
      else if (this.seqOf(uid) >= 0) {
        this.pendingRemoved.add(uid);
        const ghost = change.gone?.get(uid);
        if (ghost) this.ghosts.set(uid, { ...ghost });
        news = true;
      }
    }
    // a session's own STORE answers for itself (or stays silent with .SILENT)
    if (change.origin !== this.owner) {
      for (const uid of change.flags) {
        if (this.seqOf(uid) >= 0) {
          this.pendingFlags.add(uid);
          news = true;
        }
      }
    }
    if (news) this.onNews?.();
  }

  get hasNews(): boolean {
    return this.pendingAdded.size > 0 || this.pendingRemoved.size > 0 || this.pendingFlags.size > 0;
  }

  private keywordList(): string {
    return this.maildir.keywords.names.filter(Boolean).join(' ');
  }

  /** SELECT's FLAGS and PERMANENTFLAGS, with the folder's keywords. */
  flagLines(): string[] {
    const keywords = this.keywordList();
    this.toldKeywords = keywords;
    const flags = keywords ? `${SYSTEM_FLAGS} ${keywords}` : SYSTEM_FLAGS;
    return [`* FLAGS (${flags})`, this.readOnly ? '* OK [PERMANENTFLAGS ()] Read-only mailbox.' : `* OK [PERMANENTFLAGS (${flags} \\*)] Flags permitted.`];
  }

  /**
   * FLAGS and PERMANENTFLAGS again when a keyword came into use since the client was told
   * (a STORE or COPY of a new keyword, here or in another session): RFC 3501 section 7.2.6, a
   * client may not see a keyword in a FETCH before FLAGS names it.
   */
  keywordNews(): string[] {
    return this.keywordList() === this.toldKeywords ? [] : this.flagLines();
  }

  /** The untagged responses that bring the client up to date; the view moves with them. */
  flush(allowExpunge: boolean): string[] {
    const lines: string[] = this.keywordNews();
    if (allowExpunge && this.pendingRemoved.size) {
      const positions: number[] = [];
      for (const uid of this.pendingRemoved) {
        const seq = this.seqOf(uid);
        if (seq >= 0) positions.push(seq);
        this.recent.delete(uid);
        this.pendingFlags.delete(uid);
        this.ghosts.delete(uid);
      }
      // highest first, so each number is right when the client reads it (RFC 3501 7.4.1)
      positions.sort((a, b) => b - a);
      for (const p of positions) lines.push(`* ${p + 1} EXPUNGE`);
      const removed = this.pendingRemoved;
      this.uids = this.uids.filter((u) => !removed.has(u));
      this.pendingRemoved.clear();
    }
    if (this.pendingAdded.size) {
      const added = [...this.pendingAdded].sort((a, b) => a - b);
      this.pendingAdded.clear();
      const last = this.uids.length ? this.uids[this.uids.length - 1] : 0;
      this.uids.push(...added);
      if (added[0] < last) this.uids.sort((a, b) => a - b);
      for (const uid of this.maildir.claimRecent(added, !this.readOnly)) this.recent.add(uid);
      lines.push(`* ${this.uids.length} EXISTS`, `* ${this.recent.size} RECENT`);
    }
    if (this.pendingFlags.size) {
      const uids = [...this.pendingFlags].sort((a, b) => a - b);
      this.pendingFlags.clear();
      for (const uid of uids) {
        const seq = this.seqOf(uid);
        if (seq < 0 || this.pendingRemoved.has(uid)) continue;
        const flags = this.flagsOf(uid);
        if (flags) lines.push(`* ${seq + 1} FETCH (UID ${uid} FLAGS (${flags}))`);
      }
    }
    return lines;
  }

  /** 0-based position of a UID in the view, or -1. */
  seqOf(uid: number): number {
    const uids = this.uids;
    let lo = 0;
    let hi = uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = uids[mid];
      if (v === uid) return mid;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  resolve(ranges: SequenceRange[], byUid: boolean): number[] {
    return resolveSet(ranges, this.uids, byUid);
  }

  /**
   * A message the view shows that another session expunged: what it was (RFC 2180 section 4.1).
   * The client still uses its sequence number until it is told EXPUNGE.
   */
  ghost(uid: number): Ghost | undefined {
    return this.maildir.get(uid) ? undefined : this.ghosts.get(uid);
  }

  /**
   * STORE on expunged messages the view still shows: their flags change in this view only, so
   * the FETCH answer says what the client asked for (RFC 2180 section 4.2.1, as dovecot does).
   */
  storeOnGhosts(uids: number[], mode: 'add' | 'remove' | 'set', letters: string): void {
    for (const uid of uids) {
      const ghost = this.ghost(uid);
      if (ghost) ghost.letters = changeLetters(ghost.letters, mode, letters);
    }
  }

  /** A message's flags as a FLAGS list's inside, \Recent included; undefined when it is gone. */
  flagsOf(uid: number): string | undefined {
    const letters = this.maildir.get(uid)?.letters ?? this.ghost(uid)?.letters;
    if (letters === undefined) return undefined;
    const flags = letters ? this.maildir.keywords.flagsOf(letters) : [];
    if (this.recent.has(uid)) flags.push('\\Recent');
    return flags.join(' ');
  }

  /** The first message without \Seen, 1-based, for SELECT's [UNSEEN n]. */
  firstUnseen(): number | undefined {
    // the folder's records are in UID order, as the view is: mostly the same record at i
    const records = this.maildir.messages;
    for (let i = 0; i < this.uids.length; i++) {
      const uid = this.uids[i];
      const rec = records[i]?.uid === uid ? records[i] : this.maildir.get(uid);
      if (rec && !rec.letters.includes('S')) return i + 1;
    }
    return undefined;
  }
}
