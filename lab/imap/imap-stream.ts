import type { Socket } from 'node:net';

/** Pipelined commands handled before the other sessions get a turn. */
const YIELD_EVERY = 64;

// IMAP framing (RFC 3501 section 2.2 and 4.3): a command is a line, unless the line ends in a
// literal "{n}" (synchronising: the server says "+ Go ahead" first) or "{n+}" (LITERAL+, RFC
// 7888: the bytes follow at once); then n bytes follow and the command goes on in the next
// line. The stream cuts the bytes into commands (lines and literals, as bytes) and hands them
// up one at a time; whether a literal is welcome is the command layer's decision, asked before
// anything is written back. Nothing is buffered without bound: a line longer than the limit is
// dropped as it arrives; a refused LITERAL+ literal is read and thrown away.

export interface LiteralOffer {
  /** the command's first line, for its tag and verb */
  firstLine: string;
  size: number;
  /** false for a non-synchronising literal {n+}, whose bytes are on their way already */
  sync: boolean;
  /** bytes of this command so far */
  received: number;
}

/** Refused: the tagged reply the connection writes (NO [TOOBIG] or BAD). */
export type LiteralDecision = { accept: true } | { accept: false; tag: string; response: 'NO' | 'BAD'; code?: string; message: string };
type Refusal = Extract<LiteralDecision, { accept: false }>;

export interface StreamSink {
  /** A whole command: its lines (without CRLF) and literals, alternating. */
  command(parts: Buffer[]): Promise<void>;
  literal(offer: LiteralOffer): LiteralDecision;
  /** the line was longer than allowed; it is being dropped */
  lineTooLong(firstBytes: string): void;
  /** a literal was refused: answer its command */
  refuse(refusal: Refusal): void;
  write(text: string): void;
  /** end the session (after what was written has gone) */
  close(): void;
  /** a whole line or literal came in (the idle time-out counts from here) */
  activity(): void;
}

export interface StreamLimits {
  /** longest line, CRLF excluded */
  maxLine: number;
  /** a refused {n+} literal bigger than this closes the connection instead of being read */
  maxDiscard: number;
}

const LF = 0x0a;
const LITERAL_AT_END = /\{(\d{1,12})(\+?)\}$/;
const EMPTY = Buffer.alloc(0);

export class ImapStream {
  private readonly socket: Socket;
  private readonly sink: StreamSink;
  private readonly limits: StreamLimits;
  private buf: Buffer = EMPTY;
  private parts: Buffer[] = [];
  private received = 0;
  private literalLeft = 0;
  private literalChunks: Buffer[] = [];
  /** a refused {n+} literal's command: its bytes are thrown away, then it is answered */
  private discardReply: Refusal | undefined;
  /** dropping the rest of a line that was too long */
  private skippingLine = false;
  private busy = false;
  private stopped = false;

  constructor(socket: Socket, sink: StreamSink, limits: StreamLimits) {
    this.socket = socket;
    this.sink = sink;
    this.limits = limits;
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
  }

  stop(): void {
    this.stopped = true;
    this.buf = EMPTY;
    this.parts = [];
    this.literalChunks = [];
  }

  private feed(chunk: Buffer): void {
    if (this.stopped) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      // Pipelined commands are handled in a chain of resolved promises; now and then the other
      // sessions get a turn (npm run fuzz: 60,000 empty lines held every session up for a second)
      for (let steps = 1; !this.stopped && (await this.step()); steps++) {
        if (steps % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.busy = false;
    }
  }

  /** Handle what is buffered; false when more bytes are needed. */
  private async step(): Promise<boolean> {
    if (this.literalLeft > 0) {
      if (!this.buf.length) return false;
      const take = Math.min(this.literalLeft, this.buf.length);
      if (this.discardReply === undefined) this.literalChunks.push(this.buf.subarray(0, take));
      this.buf = take === this.buf.length ? EMPTY : this.buf.subarray(take);
      this.literalLeft -= take;
      this.received += take;
      if (this.literalLeft === 0) this.sink.activity();
      if (this.literalLeft === 0 && this.discardReply === undefined) {
        this.parts.push(this.literalChunks.length === 1 ? this.literalChunks[0] : Buffer.concat(this.literalChunks));
        this.literalChunks = [];
      }
      return true;
    }
    const lf = this.buf.indexOf(LF);
    if (this.skippingLine) {
      if (lf < 0) {
        this.buf = EMPTY;
        return false;
      }
      this.buf = this.buf.subarray(lf + 1);
      this.skippingLine = false;
      this.sink.activity();
      return true;
    }
    if (lf < 0) {
      if (this.buf.length > this.limits.maxLine) {
        const first = (this.parts[0] ?? this.buf).toString('latin1', 0, 100);
        this.parts = [];
        this.received = 0;
        this.discardReply = undefined;
        this.buf = EMPTY;
        this.skippingLine = true;
        this.sink.lineTooLong(first);
      }
      return false;
    }
    const end = lf > 0 && this.buf[lf - 1] === 0x0d ? lf - 1 : lf;
    const line = this.buf.subarray(0, end);
    this.sink.activity();
    this.buf = lf + 1 === this.buf.length ? EMPTY : this.buf.subarray(lf + 1);
    if (line.length > this.limits.maxLine) {
      this.parts = [];
      this.received = 0;
      this.discardReply = undefined;
      this.sink.lineTooLong(line.toString('latin1', 0, 100));
      return true;
    }
    this.received += line.length + 2;
    this.parts.push(line);
    const tail = line.toString('latin1', Math.max(0, line.length - 16));
    const literal = LITERAL_AT_END.exec(tail);
    if (literal) {
      const size = Number(literal[1]);
      const sync = literal[2] !== '+';
      if (this.discardReply !== undefined) {
        if (sync) return this.endDiscard(); // the client waits for a "+" it will not get
        return this.discard(size);
      }
      const decision = this.sink.literal({ firstLine: this.parts[0].toString('utf8'), size, sync, received: this.received });
      if (decision.accept) {
        if (sync) this.sink.write('+ Go ahead\r\n');
        this.literalLeft = size;
        if (size === 0) this.parts.push(EMPTY);
        return true;
      }
      if (sync) {
        // RFC 3501 section 7.5: a tagged NO/BAD instead of "+" and the client drops the command
        this.parts = [];
        this.received = 0;
        this.sink.refuse(decision);
        return true;
      }
      this.discardReply = decision;
      return this.discard(size);
    }
    if (this.discardReply !== undefined) return this.endDiscard();
    const parts = this.parts;
    this.parts = [];
    this.received = 0;
    // one command at a time: the socket waits while it runs (back-pressure on pipelining)
    this.socket.pause();
    try {
      await this.sink.command(parts);
    } finally {
      if (!this.stopped) this.socket.resume();
    }
    return true;
  }

  private discard(size: number): boolean {
    if (size > this.limits.maxDiscard) {
      // too big even to read and throw away: the tagged NO [TOOBIG], then BYE [TOOBIG] with why
      // (RFC 7888 section 4); the connection closes once the client has read them
      const refusal = this.discardReply!;
      this.discardReply = undefined;
      this.sink.refuse(refusal);
      this.stop();
      this.sink.write(`* BYE [TOOBIG] A literal of ${size} octets is too large even to read and discard (at most ${this.limits.maxDiscard}); closing the connection\r\n`);
      this.sink.close();
      return false;
    }
    this.literalLeft = size;
    return true;
  }

  private endDiscard(): boolean {
    const refusal = this.discardReply!;
    this.discardReply = undefined;
    this.parts = [];
    this.received = 0;
    this.sink.refuse(refusal);
    return true;
  }
}
