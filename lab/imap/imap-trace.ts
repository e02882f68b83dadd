import type { TranscriptLine } from '../trace/hop-event.ts';

// What an IMAP session said, kept for the trace (steps 8 and 9-10 of the seed). Bounded: a
// long session keeps its start and its latest lines. Secrets never get in: LOGIN's password and
// AUTHENTICATE's responses are written as ***** before they are stored.

const KEEP_FIRST = 40;
const KEEP_LAST = 200;
const LINE_MAX = 300;

export class SessionTranscript {
  private readonly head: TranscriptLine[] = [];
  private tail: TranscriptLine[] = [];
  private dropped = 0;

  add(dir: 'C' | 'S', line: string): void {
    const entry = { dir, line: line.length > LINE_MAX ? `${line.slice(0, LINE_MAX)}...` : line };
    if (this.head.length < KEEP_FIRST) {
      this.head.push(entry);
      return;
    }
    this.tail.push(entry);
    if (this.tail.length > KEEP_LAST * 2) {
      this.dropped += this.tail.length - KEEP_LAST;
      this.tail = this.tail.slice(-KEEP_LAST);
    }
  }

  /** Lines so far (a marker where some were left out). */
  lines(): TranscriptLine[] {
    const tail = this.tail.length > KEEP_LAST ? this.tail.slice(-KEEP_LAST) : this.tail;
    const dropped = this.dropped + (this.tail.length - tail.length);
    return dropped ? [...this.head, { dir: 'S', line: `... (${dropped} lines left out)` }, ...tail] : [...this.head, ...tail];
  }

  /** Mark where a command starts, to cut out what it and its answer said later. */
  get length(): number {
    return this.head.length + this.dropped + this.tail.length;
  }
}

/** A command line as the transcript shows it: passwords out, long literals summarised. */
export function transcriptOfCommand(tag: string, verb: string, parts: Buffer[]): string[] {
  if (verb === 'LOGIN') {
    const first = parts[0].toString('utf8');
    const m = /^(\S+\s+LOGIN\s+("(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+))/i.exec(first);
    const user = m && m[2].startsWith('{') && parts[1] ? parts[1].toString('utf8') : m?.[2];
    return [`${tag} LOGIN ${user ?? ''} *****`];
  }
  if (verb === 'AUTHENTICATE') {
    const m = /^\S+\s+AUTHENTICATE\s+(\S+)(\s+\S+)?/i.exec(parts[0].toString('utf8'));
    return [`${tag} AUTHENTICATE ${m?.[1] ?? ''}${m?.[2] ? ' *****' : ''}`];
  }
  // lines as sent; each literal as its own line: its text when short, else its size
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const text = parts[i];
    if (i % 2 === 0) {
      if (i === 0 || text.length) out.push(text.toString('utf8'));
    } else if (text.length <= 200 && !text.includes(0x0a)) out.push(text.toString('utf8'));
    else out.push(`[${text.length} octets]`);
  }
  return out;
}
