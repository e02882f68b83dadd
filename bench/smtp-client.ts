// The SMTP load tool of bench/smtp-load.ts: raw sockets, plain SMTP, one command and one reply at a
// time (no PIPELINING), a fixed number of connections each sending its share of the letters.
// Loopback only, bounded: it sends exactly `messages` letters and stops.
import net from 'node:net';

export interface LoadOptions {
  port: number;
  host?: '127.0.0.1' | '::1';
  connections: number;
  messages: number;
  /** approximate size of each letter in bytes */
  size: number;
  from: string;
  to: string;
  /** AUTH PLAIN before sending (a mail program submitting to its server) */
  auth?: { user: string; pass: string };
}

export interface LoadResult {
  accepted: number;
  refused: number;
  /** ms from the first connection to the last 250 */
  elapsedMs: number;
  /** accepted letters per second */
  rate: number;
  /** the first refusal, if any */
  firstRefusal?: string;
}

/** A ~size-byte letter, CRLF line ends, no line starting with a dot. */
export function benchLetter(seq: number, size: number, from: string, to: string): Buffer {
  const head = [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: load test letter ${seq}`,
    `Message-ID: <load-${seq}-${process.pid}@bench.test>`,
    `X-Load-Seq: ${seq}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    '',
  ].join('\r\n');
  const line = 'The quick brown fox jumps over the lazy dog while the mail queue fills up.\r\n';
  let body = '';
  while (head.length + body.length + line.length <= size) body += line;
  return Buffer.from(head + body);
}

/** One SMTP session's reply reader: resolves each complete reply (RFC 5321 section 4.2). */
class Replies {
  private buffer = '';
  private waiting: ((reply: string) => void) | undefined;
  private failed: ((err: Error) => void) | undefined;
  private readonly ready: string[] = [];
  private error: Error | undefined;

  constructor(socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const m = /(^|\n)(\d{3}) [^\n]*\n/.exec(this.buffer);
        if (!m) return;
        const end = m.index + m[0].length;
        const reply = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end);
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = undefined;
          w(reply);
        } else this.ready.push(reply);
      }
    });
    const fail = (err: Error) => {
      this.error ??= err;
      this.failed?.(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  next(): Promise<string> {
    const r = this.ready.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
    });
  }
}

async function session(options: LoadOptions, seqs: number[], count: { accepted: number; refused: number; firstRefusal?: string }): Promise<void> {
  const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const replies = new Replies(socket);
  const expect = async (code: string, what: string) => {
    const reply = await replies.next();
    if (!reply.startsWith(code)) throw new Error(`${what}: ${reply.trim()}`);
  };
  const send = (line: string) => socket.write(`${line}\r\n`);
  await expect('220', 'greeting');
  send('EHLO load.bench.test');
  await expect('250', 'EHLO');
  if (options.auth) {
    send(`AUTH PLAIN ${Buffer.from(`\0${options.auth.user}\0${options.auth.pass}`).toString('base64')}`);
    await expect('235', 'AUTH');
  }
  for (const seq of seqs) {
    send(`MAIL FROM:<${options.from}>`);
    await expect('250', 'MAIL');
    send(`RCPT TO:<${options.to}>`);
    await expect('250', 'RCPT');
    send('DATA');
    await expect('354', 'DATA');
    socket.write(Buffer.concat([benchLetter(seq, options.size, options.from, options.to), Buffer.from('.\r\n')]));
    const reply = await replies.next();
    if (reply.startsWith('250')) count.accepted++;
    else {
      count.refused++;
      count.firstRefusal ??= reply.trim();
    }
  }
  send('QUIT');
  await replies.next().catch(() => '');
  socket.end();
}

/** Send `messages` letters over `connections` sessions; resolves when the last reply is in. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const count = { accepted: 0, refused: 0, firstRefusal: undefined as string | undefined };
  const shares: number[][] = Array.from({ length: options.connections }, () => []);
  for (let seq = 1; seq <= options.messages; seq++) shares[(seq - 1) % options.connections].push(seq);
  const started = performance.now();
  await Promise.all(shares.map((seqs) => session(options, seqs, count)));
  const elapsedMs = performance.now() - started;
  return { accepted: count.accepted, refused: count.refused, elapsedMs, rate: (count.accepted * 1000) / elapsedMs, firstRefusal: count.firstRefusal };
}
