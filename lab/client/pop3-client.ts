import type { Socket } from 'node:net';
import type { TranscriptLine } from '../trace/hop-event.ts';
import { LabClock, type Clock, type LabTimer } from '../trace/lab-clock.ts';
import { maskedLine } from '../trace/trace-bus.ts';

type Secret = [number, number][];

/** One answer from the server. */
export interface Pop3Response {
  ok: boolean;
  /** "+ " of a SASL exchange (RFC 5034 section 4) */
  continuation: boolean;
  /** the status line without "+OK " / "-ERR " */
  text: string;
  /** the status line as sent */
  status: string;
  /** a multi-line answer's data, dot-unstuffed, CRLF line ends, without the final "." */
  data?: Buffer;
}

/** A command and its answer (without its data, which the call returned), as a transcript a trace or a test can show. */
export interface Pop3Exchange {
  /** the command as it may be shown (its secret masked); the transcript has it with its secret marked */
  command: string;
  response: Pop3Response;
  transcript: TranscriptLine[];
}

export class Pop3Error extends Error {
  readonly response: Pop3Response;
  /** the command as it may be shown (its secret masked) */
  readonly command: string;
  constructor(command: string, response: Pop3Response, secret?: Secret) {
    const shown = maskedLine({ dir: 'C', line: command, secret });
    super(`${shown}: ${response.status}`);
    this.command = shown;
    this.response = response;
  }
}

export interface Pop3ClientOptions {
  /** how long one answer may take before the session is given up, ms (default 60 s) */
  timeoutMs?: number;
  /** the lab's clock: no time-out runs while a hop is held (--step) */
  clock?: Pick<Clock, 'setTimeout' | 'elapsed'>;
}

type Expect = 'single' | 'multi';

interface Pending {
  expect: Expect;
  resolve(response: Pop3Response): void;
  reject(err: Error): void;
  /** lab time when the command was sent: its answer is due timeoutMs later */
  asked: number;
  /** the command as sent ('' for the greeting) and its secret, for the exchange's transcript */
  line: string;
  secret: Secret | undefined;
}

const TERMINATOR = Buffer.from('\r\n.\r\n');
const EMPTY = Buffer.alloc(0);
const DATA_LINES_SHOWN = 30;
/** Exchanges kept for their transcripts; a session of thousands of RETRs keeps the latest 1,000 (up to 1,099 between trims). */
const EXCHANGES_KEPT = 1000;
const EXCHANGES_TRIM = 100;

/**
 * A small promise-based POP3 client (RFC 1939, CAPA, AUTH PLAIN) for the scripted Client PC and
 * the tests, over a socket it is given (the lab network's, so the server sees a lab host).
 * Commands may be pipelined: answers are matched to commands in order.
 */
export class Pop3Client {
  readonly socket: Socket;
  readonly exchanges: Pop3Exchange[] = [];
  private readonly timeoutMs: number;
  private readonly clock: Pick<Clock, 'setTimeout' | 'elapsed'>;
  private readonly pending: Pending[] = [];
  /** one timer for the oldest answer awaited (not one per command: a session may send thousands) */
  private watchdog: LabTimer | undefined;
  private buffer: Buffer = EMPTY;
  private dataParts: Buffer[] = [];
  private dataOctets = 0;
  private status: string | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket, options: Pop3ClientOptions = {}) {
    this.socket = socket;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.clock = options.clock ?? new LabClock();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('the POP3 server closed the connection')));
  }

  /** Every line of every exchange so far (the latest 1,000 exchanges). */
  get transcript(): TranscriptLine[] {
    return this.exchanges.flatMap((e) => e.transcript);
  }

  /** The greeting, "+OK ..." (RFC 1939 section 4). */
  async greeting(): Promise<string> {
    const [answer] = this.pipeline([{ line: '', expect: 'single', send: false }]);
    const response = await answer;
    if (!response.ok) throw new Pop3Error('(greeting)', response);
    return response.text;
  }

  async capa(): Promise<string[]> {
    return lines(await this.expectOk('CAPA', 'multi'));
  }

  /** USER and PASS (RFC 1939 section 7); the login may be "lee" or "lee@naver.com". */
  async login(user: string, password: string): Promise<string> {
    await this.expectOk(`USER ${user}`, 'single');
    // the password is marked where the command is made; the trace bus masks it
    return (await this.expectOk(`PASS ${password}`, 'single', [[5, 5 + password.length]])).text;
  }

  /** AUTH PLAIN (RFC 5034), with the response on the command line or after the "+ " challenge. */
  async authPlain(user: string, password: string, options: { initialResponse?: boolean } = {}): Promise<string> {
    const response = Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
    if (options.initialResponse ?? true) return (await this.expectOk(`AUTH PLAIN ${response}`, 'single', [[11, 11 + response.length]])).text;
    const challenge = await this.command('AUTH PLAIN', 'single');
    if (!challenge.continuation) throw new Pop3Error('AUTH PLAIN', challenge);
    return (await this.expectOk(response, 'single', [[0, response.length]])).text;
  }

  async stat(): Promise<{ count: number; size: number }> {
    const { text } = await this.expectOk('STAT', 'single');
    const [count, size] = text.split(' ').map(Number);
    return { count, size };
  }

  /** LIST: every message not marked deleted, with its size. */
  async list(): Promise<{ number: number; size: number }[]> {
    return lines(await this.expectOk('LIST', 'multi')).map((line) => {
      const [number, size] = line.split(' ').map(Number);
      return { number, size };
    });
  }

  async listOne(n: number): Promise<{ number: number; size: number }> {
    const [number, size] = (await this.expectOk(`LIST ${n}`, 'single')).text.split(' ').map(Number);
    return { number, size };
  }

  /** UIDL (RFC 1939 section 7): each message's unique id, the same in every session. */
  async uidl(): Promise<{ number: number; uid: string }[]> {
    return lines(await this.expectOk('UIDL', 'multi')).map((line) => {
      const [number, uid] = line.split(' ');
      return { number: Number(number), uid };
    });
  }

  async uidlOne(n: number): Promise<{ number: number; uid: string }> {
    const [number, uid] = (await this.expectOk(`UIDL ${n}`, 'single')).text.split(' ');
    return { number: Number(number), uid };
  }

  /** RETR: the whole message, dot-unstuffed, CRLF line ends. */
  async retr(n: number): Promise<Buffer> {
    return (await this.expectOk(`RETR ${n}`, 'multi')).data!;
  }

  /** TOP: the header and the first `lines` lines of the body. */
  async top(n: number, bodyLines: number): Promise<Buffer> {
    return (await this.expectOk(`TOP ${n} ${bodyLines}`, 'multi')).data!;
  }

  async dele(n: number): Promise<string> {
    return (await this.expectOk(`DELE ${n}`, 'single')).text;
  }

  async rset(): Promise<string> {
    return (await this.expectOk('RSET', 'single')).text;
  }

  async noop(): Promise<string> {
    return (await this.expectOk('NOOP', 'single')).text;
  }

  /** QUIT: in the TRANSACTION state the server now removes what was marked deleted. */
  async quit(): Promise<string> {
    const text = (await this.expectOk('QUIT', 'single')).text;
    this.socket.end();
    return text;
  }

  /**
   * Send one line and read its answer, +OK or -ERR, without throwing on -ERR. `multi`: a +OK
   * answer is followed by data lines up to ".".
   */
  command(line: string, expect: Expect, secret?: Secret): Promise<Pop3Response> {
    return this.pipeline([{ line, expect, secret }])[0];
  }

  /** Several commands in one write (RFC 2449 PIPELINING); the answers come back in order. `secret` marks a password in the line. */
  pipeline(commands: { line: string; expect: Expect; secret?: Secret; send?: boolean }[]): Promise<Pop3Response>[] {
    let out = '';
    const answers = commands.map(({ line, expect, secret, send }) => {
      if (send !== false) out += `${line}\r\n`;
      return this.expect(expect, line, secret);
    });
    if (out) this.socket.write(out);
    return answers;
  }

  private async expectOk(line: string, expect: Expect, secret?: Secret): Promise<Pop3Response> {
    const response = await this.command(line, expect, secret);
    if (!response.ok) throw new Pop3Error(line, response, secret);
    return response;
  }

  private expect(expect: Expect, line: string, secret: Secret | undefined): Promise<Pop3Response> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ expect, resolve, reject, asked: this.clock.elapsed(), line, secret });
      this.watch();
      // An answer may have come before it was asked for (a server that speaks first, or fast).
      if (this.buffer.length) this.receive(EMPTY);
    });
  }

  /** Arm the timer for the oldest answer awaited; when it fires, a later answer is re-armed for the time it has left. */
  private watch(): void {
    if (this.watchdog || this.pending.length === 0 || this.failure) return;
    const left = this.pending[0].asked + this.timeoutMs - this.clock.elapsed();
    this.watchdog = this.clock.setTimeout(() => {
      this.watchdog = undefined;
      const oldest = this.pending[0];
      if (!oldest) return;
      if (this.clock.elapsed() - oldest.asked >= this.timeoutMs) {
        this.fail(new Error(`no answer from the POP3 server within ${this.timeoutMs} ms`));
        this.socket.destroy();
      } else this.watch();
    }, Math.max(0, left)).unref();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.watchdog?.clear();
    this.watchdog = undefined;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }

  private receive(chunk: Buffer): void {
    let input = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.buffer = EMPTY;
    while (input.length && this.pending.length) {
      const current = this.pending[0];
      if (this.status === undefined) {
        const lf = input.indexOf(0x0a);
        if (lf < 0) break;
        this.status = input.toString('utf8', 0, lf > 0 && input[lf - 1] === 0x0d ? lf - 1 : lf);
        input = input.subarray(lf + 1);
        if (current.expect === 'single' || !this.status.startsWith('+OK')) {
          this.finish(undefined);
          continue;
        }
      }
      if (this.dataOctets === 0) {
        if (input.length < 3) break;
        if (input[0] === 0x2e && input[1] === 0x0d && input[2] === 0x0a) {
          // No data lines at all.
          input = input.subarray(3);
          this.finish(EMPTY);
          continue;
        }
      }
      // Data lines: look for CRLF "." CRLF, also across the end of what came before.
      const tail = lastBytes(this.dataParts, Math.min(4, this.dataOctets));
      const probe = tail.length ? Buffer.concat([tail, input]) : input;
      const at = probe.indexOf(TERMINATOR);
      if (at < 0) {
        this.dataParts.push(input);
        this.dataOctets += input.length;
        input = EMPTY;
        break;
      }
      // The data ends after the CRLF that starts the terminator; that may lie in earlier parts.
      const end = at + 2 - tail.length;
      let data: Buffer;
      if (end >= 0) data = this.dataParts.length ? Buffer.concat([...this.dataParts, input.subarray(0, end)]) : input.subarray(0, end);
      else data = Buffer.concat(this.dataParts).subarray(0, this.dataOctets + end);
      input = input.subarray(end + 3);
      this.finish(unstuff(data));
    }
    if (input.length) this.buffer = Buffer.from(input);
  }

  private finish(data: Buffer | undefined): void {
    const status = this.status!;
    this.status = undefined;
    this.dataParts = [];
    this.dataOctets = 0;
    const p = this.pending.shift()!;
    const ok = status.startsWith('+OK');
    const continuation = status === '+' || status.startsWith('+ ');
    const text = ok ? status.slice(4) : continuation ? status.slice(2) : status.replace(/^-ERR ?/, '');
    const response: Pop3Response = { ok, continuation, text, status, data };
    this.record(p, response);
    p.resolve(response);
  }

  /** The exchange, kept for its transcript: the lines shown are made when someone reads them. */
  private record(p: Pending, response: Pop3Response): void {
    const command = maskedLine({ dir: 'C', line: p.line, secret: p.secret });
    const view = response.data ? dataView(response.data) : undefined;
    let transcript: TranscriptLine[] | undefined;
    this.exchanges.push({
      command,
      response: { ...response, data: undefined },
      get transcript() {
        return (transcript ??= transcriptOf(p.line, p.secret, response.status, view));
      },
    });
    // trimmed in batches, not by one at every exchange: a session of thousands of RETRs
    if (this.exchanges.length >= EXCHANGES_KEPT + EXCHANGES_TRIM) this.exchanges.splice(0, this.exchanges.length - EXCHANGES_KEPT);
  }
}

function lines(response: Pop3Response): string[] {
  const text = response.data?.toString('utf8') ?? '';
  return text === '' ? [] : text.replace(/\r\n$/, '').split('\r\n');
}

function lastBytes(parts: Buffer[], n: number): Buffer {
  if (n === 0) return EMPTY;
  const joined = Buffer.concat(parts.slice(-4));
  return joined.subarray(Math.max(0, joined.length - n));
}

/** RFC 1939 section 3: a data line starting with ".." had a "." added; take it away. */
function unstuff(data: Buffer): Buffer {
  if (data.length === 0) return data;
  const out: Buffer[] = [];
  let start = 0;
  const nextDot = (from: number) => {
    const at = data.indexOf('\n.', from);
    return at < 0 ? -1 : at + 1;
  };
  let dot = data[0] === 0x2e ? 0 : nextDot(0);
  while (dot >= 0) {
    out.push(data.subarray(start, dot));
    start = dot + 1; // skip the stuffed dot
    dot = nextDot(start);
  }
  out.push(data.subarray(start));
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

/** What a transcript shows of a data answer: its first lines (a copy, not the whole letter) and how many lines follow. */
interface DataView {
  head: Buffer;
  rest: number;
}

function dataView(data: Buffer): DataView {
  // A message shows its header, a listing its first lines; the rest is counted, not decoded.
  let shown = 0;
  let at = 0;
  while (at < data.length && shown < DATA_LINES_SHOWN) {
    const end = data.indexOf('\r\n', at);
    if (end < 0 || end === at) break;
    shown++;
    at = end + 2;
  }
  let rest = 0;
  for (let end = data.indexOf(0x0a, at); end >= 0; end = data.indexOf(0x0a, end + 1)) if (end > 0 && data[end - 1] === 0x0d) rest++;
  return { head: Buffer.from(data.subarray(0, at)), rest };
}

/** A transcript of one exchange: the command (its secret marked), the status, a view of the data. */
function transcriptOf(command: string, secret: Secret | undefined, status: string, view: DataView | undefined): TranscriptLine[] {
  const transcript: TranscriptLine[] = [];
  if (command !== '') transcript.push(secret?.length ? { dir: 'C', line: command, secret } : { dir: 'C', line: command });
  transcript.push({ dir: 'S', line: status });
  if (view) {
    const { head } = view;
    for (let at = 0; at < head.length; ) {
      const end = head.indexOf('\r\n', at);
      transcript.push({ dir: 'S', line: head.toString('utf8', at, end) });
      at = end + 2;
    }
    if (view.rest > 0) transcript.push({ dir: 'S', line: `... (${view.rest} lines)` });
    transcript.push({ dir: 'S', line: '.' });
  }
  return transcript;
}
