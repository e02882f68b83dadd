// The C:/S: lines of one SMTP session, as the trace shows them. smtp-server hands every reply
// ("S:") to its `logger` option; SmtpTranscripts is that logger and files the lines by session.
// Commands ("C:") come from the listener, which sees each line before smtp-server does and
// marks its secrets (`commandSecrets`); the trace bus masks them. A hop event takes the lines gathered since the
// previous one, so a session that sends 250 messages gives 250 short transcripts, not one long one.
import type { TranscriptLine } from '../trace/hop-event.ts';

/** Lines kept per pending transcript: the first ones and the latest ones survive a flood. */
const MAX_LINES = 200;
const KEEP_HEAD = 40;
/** Longest line kept; the rest is summarised by its length. */
const MAX_LINE = 400;

export class SmtpTranscript {
  private lines: TranscriptLine[] = [];
  private dropped = 0;
  /** replies of 400 and above since the last take() */
  errors = 0;
  /** leave the next reply out: a hop event already carries it */
  skipReply = false;

  add(dir: 'C' | 'S', line: string, secret?: [number, number][]): void {
    const text = line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}... (${line.length} characters)` : line;
    if (dir === 'S' && text.charCodeAt(0) >= 52 /* '4' */ && /^[45]\d\d/.test(text)) this.errors++;
    if (this.lines.length >= MAX_LINES) {
      this.lines.splice(KEEP_HEAD, 1);
      this.dropped++;
    }
    // a secret that runs past the cut is cut with it
    const kept = secret?.map(([start, end]): [number, number] => [Math.min(start, MAX_LINE), Math.min(end, line.length > MAX_LINE ? MAX_LINE : end)]).filter(([s, e]) => e > s);
    this.lines.push(kept?.length ? { dir, line: text, secret: kept } : { dir, line: text });
  }

  get size(): number {
    return this.lines.length;
  }

  /** The lines gathered so far; the transcript starts empty again. */
  take(): TranscriptLine[] {
    const out = this.lines;
    if (this.dropped > 0) out.splice(KEEP_HEAD, 0, { dir: 'S', line: `[... ${this.dropped} lines left out ...]` });
    this.lines = [];
    this.dropped = 0;
    this.errors = 0;
    return out;
  }
}

/**
 * The secret ranges of an SMTP command line: AUTH's initial response (RFC 4954 section 4, the
 * password in base64) and every line of an AUTH exchange after the 334 (`continuation`).
 */
export function commandSecrets(line: string, continuation: boolean): [number, number][] {
  if (continuation) return line.length > 0 ? [[0, line.length]] : [];
  // AUTH <mechanism> <initial-response>; sendmail's WIZ <password> too
  const m = /^(AUTH[ \t]+\S+[ \t]+|WIZ[ \t]+)(\S.*)$/i.exec(line);
  return m ? [[m[1].length, line.length]] : [];
}

/** A bunyan-style logger for smtp-server that files S: and C: lines under the session ID. */
export class SmtpTranscripts {
  private readonly sessions = new Map<string, SmtpTranscript>();
  /** called after each reply line is filed (the listener decides there whether to report) */
  onReply: (id: string, code: number, line: string) => void = () => {};

  open(id: string): SmtpTranscript {
    let transcript = this.sessions.get(id);
    if (!transcript) {
      transcript = new SmtpTranscript();
      this.sessions.set(id, transcript);
    }
    return transcript;
  }

  get(id: string): SmtpTranscript | undefined {
    return this.sessions.get(id);
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  /** smtp-server's logger option. Only the debug level carries protocol lines. */
  readonly logger = {
    trace: () => {},
    info: () => {},
    warn: () => {},
    error: () => {},
    fatal: () => {},
    debug: (entry: { tnx?: string; cid?: string }, message: string, ...args: unknown[]) => {
      if (!entry?.cid) return;
      const transcript = this.sessions.get(entry.cid);
      if (!transcript) return;
      if (entry.tnx === 'send' && message === 'S:') {
        const payload = String(args[0] ?? '');
        const lines = payload.split('\r\n');
        if (transcript.skipReply) transcript.skipReply = false;
        else for (const line of lines) transcript.add('S', line);
        this.onReply(entry.cid, Number(payload.slice(0, 3)), lines[lines.length - 1]);
      }
      // tnx 'command' ("C:") is the listener's to write, with its secrets marked; tnx 'data' ("C: <n bytes of DATA>") comes after the reply to DATA is decided; the
      // listener writes its own line for the message when the message is complete.
    },
  };
}
