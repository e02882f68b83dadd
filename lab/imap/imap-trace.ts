import type { TranscriptLine } from '../trace/hop-event.ts';

// What an IMAP session said, kept for the trace (steps 8 and 9-10 of the seed). Bounded: a
// long session keeps its start and its latest lines. Secrets are marked where the command is
// parsed (LOGIN's password, AUTHENTICATE's responses); the trace bus masks them.

const KEEP_FIRST = 40;
const KEEP_LAST = 200;
const LINE_MAX = 300;

export class SessionTranscript {
  private readonly head: TranscriptLine[] = [];
  private tail: TranscriptLine[] = [];
  private dropped = 0;

  add(dir: 'C' | 'S', line: string, secret?: [number, number][]): void {
    const text = line.length > LINE_MAX ? `${line.slice(0, LINE_MAX)}...` : line;
    const kept = secret?.map(([s, e]): [number, number] => [Math.min(s, LINE_MAX), Math.min(e, LINE_MAX)]).filter(([s, e]) => e > s);
    const entry: TranscriptLine = kept?.length ? { dir, line: text, secret: kept } : { dir, line: text };
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

type CommandLine = { line: string; secret?: [number, number][] };

/** A line whose verb is LOGIN or AUTHENTICATE but that could not be parsed: all after the verb is secret. */
export function secretAfterVerb(line: string): [number, number][] | undefined {
  const m = /^\S+\s+(?:LOGIN|AUTHENTICATE)\b\s*/i.exec(line);
  return m && line.length > m[0].length ? [[m[0].length, line.length]] : undefined;
}

/** A command line as the transcript shows it: passwords marked secret, long literals summarised. */
export function transcriptOfCommand(tag: string, verb: string, parts: Buffer[]): CommandLine[] {
  if (verb === 'LOGIN') {
    const first = parts[0].toString('utf8');
    const m = /^(\S+\s+LOGIN\s+("(?:[^"\\]|\\.)*"|\{\d+\+?\}|\S+))\s?/i.exec(first);
    if (!m) return [{ line: first, secret: secretAfterVerb(first) }];
    if (parts.length === 1) return [{ line: first, secret: first.length > m[0].length ? [[m[0].length, first.length]] : undefined }];
    // literals: the user name and the password as values on one line, the password marked
    const userLiteral = m[2].startsWith('{');
    const user = userLiteral ? (parts[1]?.toString('utf8') ?? '') : m[2];
    const password = (parts.length >= 4 ? parts[3] : userLiteral ? parts[2] : parts[1])?.toString('utf8').trim() ?? '';
    const head = `${tag} LOGIN ${user} `;
    return [{ line: head + password, secret: password ? [[head.length, head.length + password.length]] : undefined }];
  }
  if (verb === 'AUTHENTICATE') {
    const first = parts[0].toString('utf8');
    const m = /^\S+\s+AUTHENTICATE\s+\S+\s+/i.exec(first);
    return [{ line: first, secret: m && first.length > m[0].length ? [[m[0].length, first.length]] : undefined }];
  }
  // lines as sent; each literal as its own line: its text when short, else its size
  const out: CommandLine[] = [];
  for (let i = 0; i < parts.length; i++) {
    const text = parts[i];
    if (i % 2 === 0) {
      if (i === 0 || text.length) out.push({ line: text.toString('utf8') });
    } else if (text.length <= 200 && !text.includes(0x0a)) out.push({ line: text.toString('utf8') });
    else out.push({ line: `[${text.length} octets]` });
  }
  return out;
}
