const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CRLF = Buffer.from('\r\n');

/** Header lines kept for the trace; a message's header is rarely longer. */
const HEADER_LINES_KEPT = 60;
const HEADER_LINE_OCTETS_KEPT = 998;

/**
 * A stored message in POP3's multi-line form (RFC 1939 section 3), chunk by chunk so a large
 * file never sits in memory whole: every line ends with CRLF (a bare LF on disk gets its CR),
 * a line that starts with "." gets one more "." in front, and the caller then sends ".".
 * With a body line limit it gives TOP's view (RFC 1939 section 7): the header, the blank line,
 * then that many body lines. It also keeps the header lines and counts lines for the trace.
 */
export class ByteStuffer {
  /** body lines still to send; Infinity for RETR */
  private bodyLinesLeft: number;
  private lineOctets = 0;
  private lastWasCR = false;
  private inHeader = true;
  private headerPiece: Buffer[] = [];
  private headerKept = 0;
  /** the last chunk needed a byte added (a CR, a stuffing dot) */
  private inserted = false;
  /** set when TOP has sent all it should; later input is ignored */
  done = false;
  /** the kept header lines' bytes, decoded only when the trace asks (most RETR hops of a flood are counted, not shown) */
  private readonly headerRaw: Buffer[] = [];
  headerLineCount = 0;
  bodyLineCount = 0;
  /** octets sent without the stuffing dots: the message's size as POP3 counts it */
  octets = 0;

  /** The first header lines (at most 60, each at most 998 octets), for the trace. */
  get headerLines(): string[] {
    return this.headerRaw.map((raw) => raw.toString('utf8'));
  }

  constructor(bodyLines = Infinity) {
    this.bodyLinesLeft = bodyLines;
  }

  /** The bytes to send for this chunk of the stored file (the chunk itself when it needs no change). */
  push(chunk: Buffer): Buffer {
    if (this.done || chunk.length === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(chunk.length * 2);
    const n = this.pushInto(chunk, out, 0);
    if (!this.inserted) return n === chunk.length ? chunk : chunk.subarray(0, n);
    return out.subarray(0, n);
  }

  /**
   * Stuff a chunk straight into `target` from `at` (room for twice the chunk: each line gains at
   * most a "." and a CR); returns the offset after it. RETR of a small message is then one
   * buffer, status line to terminator, with no pieces to join.
   */
  pushInto(chunk: Buffer, target: Buffer, at: number): number {
    this.inserted = false;
    if (this.done || chunk.length === 0) return at;
    let runStart = 0;
    let start = 0;
    while (start < chunk.length) {
      if (this.lineOctets === 0 && chunk[start] === DOT) {
        at += chunk.copy(target, at, runStart, start);
        target[at++] = DOT;
        this.inserted = true;
        runStart = start;
      }
      const lf = chunk.indexOf(LF, start);
      const end = lf < 0 ? chunk.length : lf;
      if (end > start) {
        if (this.inHeader) this.keepHeader(chunk.subarray(start, end));
        this.lineOctets += end - start;
        this.lastWasCR = chunk[end - 1] === CR;
      }
      if (lf < 0) break;
      if (!this.lastWasCR) {
        at += chunk.copy(target, at, runStart, lf);
        target[at++] = CR;
        target[at++] = LF;
        this.inserted = true;
        runStart = lf + 1;
        this.octets++; // the CR added
      }
      start = lf + 1;
      if (this.endLine()) {
        at += chunk.copy(target, at, runStart, start);
        this.octets += start;
        return at;
      }
    }
    this.octets += chunk.length;
    return at + chunk.copy(target, at, runStart);
  }

  /** Bytes to send once the file is read: the CRLF a last line without one needs. */
  end(): Buffer {
    if (this.done || this.lineOctets === 0) return Buffer.alloc(0);
    this.octets += 2;
    this.endLine();
    return CRLF;
  }

  private keepHeader(piece: Buffer): void {
    // Bounded: a header line of megabytes (or a file with no line ends) keeps only its start.
    if (this.headerRaw.length >= HEADER_LINES_KEPT || this.headerKept > HEADER_LINE_OCTETS_KEPT) return;
    const room = HEADER_LINE_OCTETS_KEPT + 1 - this.headerKept;
    const kept = piece.length > room ? piece.subarray(0, room) : piece;
    this.headerPiece.push(kept);
    this.headerKept += kept.length;
  }

  /** A line ended. Returns true when TOP has sent all its lines. */
  private endLine(): boolean {
    const contentOctets = this.lineOctets - (this.lastWasCR ? 1 : 0);
    this.lineOctets = 0;
    this.lastWasCR = false;
    if (this.inHeader) {
      const raw = this.headerPiece.length === 1 ? this.headerPiece[0] : Buffer.concat(this.headerPiece);
      this.headerPiece = [];
      this.headerKept = 0;
      if (contentOctets === 0) {
        this.inHeader = false;
        if (this.bodyLinesLeft <= 0) this.done = true;
        return this.done;
      }
      this.headerLineCount++;
      if (this.headerRaw.length < HEADER_LINES_KEPT) {
        this.headerRaw.push(raw.subarray(0, Math.min(contentOctets, HEADER_LINE_OCTETS_KEPT)));
      }
      return false;
    }
    this.bodyLineCount++;
    if (--this.bodyLinesLeft <= 0) this.done = true;
    return this.done;
  }
}
