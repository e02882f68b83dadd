import type { Socket } from 'node:net';

/** One client line as the session sees it. */
export type ClientLine =
  | { kind: 'line'; line: string; octets: number }
  /** a line longer than the reader keeps; its bytes were dropped up to its LF */
  | { kind: 'too-long'; octets: number };

export interface LineReaderOptions {
  /** the longest line kept whole, CRLF included; longer lines come up as 'too-long' */
  maxLineOctets: number;
  /** lines waiting for the session before the socket is paused (pipelining back-pressure) */
  highWater?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Framing for POP3 (RFC 1939 section 3): the client's bytes cut into lines at CRLF. A bare LF
 * ends a line too (telnet and nc users send one). Nothing is buffered without bound: a line
 * over the limit is dropped as its bytes arrive and handed up as 'too-long', so the session can
 * answer -ERR and go on with the next line. Pipelined commands (RFC 2449 section 6.6) queue
 * here in order; when too many wait, the socket is paused until the session catches up.
 */
export class LineReader {
  private readonly socket: Socket;
  private readonly maxLineOctets: number;
  private readonly highWater: number;
  private partial: Buffer[] = [];
  private partialOctets = 0;
  /** bytes of an over-long line dropped so far; -1 when not dropping */
  private dropped = -1;
  private readonly queue: ClientLine[] = [];
  private waiter: ((line: ClientLine | undefined) => void) | undefined;
  private ended = false;
  private paused = false;

  constructor(socket: Socket, options: LineReaderOptions) {
    this.socket = socket;
    this.maxLineOctets = options.maxLineOctets;
    this.highWater = options.highWater ?? 64;
    socket.on('data', (chunk: Buffer) => this.push(chunk));
    const end = () => this.end();
    socket.once('end', end);
    socket.once('close', end);
  }

  /** The next line, or undefined once the client has gone and every queued line was taken. */
  next(): Promise<ClientLine | undefined> {
    const line = this.queue.shift();
    if (line) {
      if (this.paused && this.queue.length < this.highWater / 2) {
        this.paused = false;
        this.socket.resume();
      }
      return Promise.resolve(line);
    }
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Whether more lines already wait (pipelined commands): replies can then go out together. */
  hasQueued(): boolean {
    return this.queue.length > 0;
  }

  private push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const stop = lf < 0 ? chunk.length : lf + 1;
      const piece = chunk.subarray(start, stop);
      start = stop;
      if (this.dropped >= 0) {
        this.dropped += piece.length;
        if (lf >= 0) {
          this.deliver({ kind: 'too-long', octets: this.dropped });
          this.dropped = -1;
        }
        continue;
      }
      if (this.partialOctets + piece.length > this.maxLineOctets) {
        // Over the limit: forget what was kept and drop the rest of this line as it comes.
        this.dropped = this.partialOctets + piece.length;
        this.partial = [];
        this.partialOctets = 0;
        if (lf >= 0) {
          this.deliver({ kind: 'too-long', octets: this.dropped });
          this.dropped = -1;
        }
        continue;
      }
      if (lf < 0) {
        this.partial.push(piece);
        this.partialOctets += piece.length;
        continue;
      }
      const whole = this.partialOctets ? Buffer.concat([...this.partial, piece]) : piece;
      const octets = whole.length;
      this.partial = [];
      this.partialOctets = 0;
      let end = whole.length - 1; // the LF
      if (end > 0 && whole[end - 1] === CR) end--;
      this.deliver({ kind: 'line', line: whole.toString('utf8', 0, end), octets });
    }
  }

  private deliver(line: ClientLine): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(line);
      return;
    }
    this.queue.push(line);
    if (!this.paused && this.queue.length >= this.highWater) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    // A last line without its CRLF is not a command (RFC 1939 section 3): it is dropped.
    this.partial = [];
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(undefined);
  }
}
