import type { Socket } from 'node:net';
import type { HostContext } from '../host/host-context.ts';
import { OUTSIDE, type Peer } from '../net/lab-net.ts';
import { writeAndDrain } from '../net/socket-write.ts';
import type { TranscriptLine, Bilingual, HopReport } from '../trace/hop-event.ts';
import type { HopPreview } from '../trace/trace-bus.ts';
import { STEPS } from '../trace/steps.ts';
import type { Account } from '../topology/accounts.ts';
import { loginRefs } from '../host/config-refs.ts';
import type { PlainFields } from '../host/login-policy.ts';
import { IdleTimer, spanText } from '../host/idle-timer.ts';
import { LineReader, type ClientLine } from './line-reader.ts';
import { ByteStuffer } from './byte-stuffer.ts';
import { Maildrop, type DropMessage } from '../mailbox/maildrop.ts';
import { COMMANDS, commandsFor, printable, type Pop3Reply } from './pop3-commands.ts';
import type { Pop3Server } from './pop3-server.ts';

/** RFC 1939 section 3: a session is in exactly one of these states. */
export type Pop3State = 'authorization' | 'transaction' | 'update';

/** A SASL exchange waiting for the client's next line (RFC 5034 section 4). */
export type Continuation = (line: string) => Promise<Pop3Reply>;

/** Replies for pipelined commands go out together once this much is waiting (or the input runs dry). */
const FLUSH_OCTETS = 64 * 1024;
/** Pipelined lines answered before the other sessions get a turn. */
const YIELD_EVERY = 64;
/** Lines of the login transcript kept for the step 8 hop. */
const TRANSCRIPT_LINES_KEPT = 100;
/** The reader's hard limit; SASL responses may be longer than a command (RFC 5034 section 4). */
const MAX_SASL_LINE_OCTETS = 4096;

/**
 * One POP3 session: its state, the login, the maildrop it holds, and the one place replies are
 * written. Framing is the LineReader's job; what each command does is in the command table.
 */
export class Pop3Connection {
  readonly server: Pop3Server;
  readonly ctx: HostContext;
  readonly socket: Socket;
  state: Pop3State = 'authorization';
  /** the name given by USER, waiting for PASS */
  pendingUser: string | undefined;
  account: Account | undefined;
  maildrop: Maildrop | undefined;
  continuation: Continuation | undefined;
  failedLogins = 0;
  /** the UTF8 command was given (RFC 6856) */
  utf8 = false;
  closed = false;
  readonly peer: Promise<Peer>;
  private readonly reader: LineReader;
  private readonly transcript: TranscriptLine[] = [];
  private out: Buffer[] = [];
  private outOctets = 0;
  /** work after a reply that the next command must wait for (marking a message seen) */
  private afterwork: Promise<void> = Promise.resolve();
  /** the answer to a RETR of the next message, made while the client took in the last (prepareNext) */
  private prepared: { uid: number; reply: Buffer; stuffer: ByteStuffer } | undefined;
  private holdsMaildrop = false;
  /** the maildrop is being let go (the seen flags written first) */
  private releasing = false;
  private socketClosed = false;
  /** RFC 1939 section 3's inactivity autologout timer, on the host's clock */
  private readonly idle: IdleTimer;
  /** resolves once the socket is closed and the maildrop let go (after UPDATE's removals) */
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(server: Pop3Server, socket: Socket) {
    this.server = server;
    this.ctx = server.ctx;
    this.socket = socket;
    this.peer = server.ctx.net.identify(socket.remoteAddress, socket.remotePort).catch(() => ({ host: OUTSIDE, address: socket.remoteAddress ?? 'unknown' }));
    this.reader = new LineReader(socket, { maxLineOctets: MAX_SASL_LINE_OCTETS });
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    socket.setNoDelay(true);
    socket.on('error', () => {
      // A reset by the client; 'close' follows and cleans up.
    });
    socket.once('close', () => {
      this.closed = true;
      this.socketClosed = true;
      // In UPDATE the removals finish first; update() lets go of the maildrop then.
      if (this.state !== 'update') this.releaseMaildrop();
      this.checkEnded();
    });
    // RFC 1939 section 3: an inactivity autologout timer (a whole line is activity, a byte is
    // not); the session does not enter the UPDATE state, so nothing marked deleted is removed.
    this.idle = new IdleTimer(this.ctx.clock, server.options.loginIdleTimeoutMs, () => {
      const blocked = socket.writableLength > 0;
      void this.send({ ok: false, text: `idle for more than ${spanText(this.idle.ms)}; closing the connection, nothing deleted`, close: true });
      // a client that does not read what it asked for is cut off now
      if (blocked) socket.destroy();
    });
    socket.once('close', () => this.idle.stop());
  }

  /** Greet, then answer lines in order until QUIT or the client goes. */
  async run(): Promise<void> {
    // No APOP timestamp in the greeting: APOP needs the plaintext password kept on the server and
    // rests on MD5; USER/PASS and AUTH PLAIN cover every client the lab meets.
    await this.send({ ok: true, text: `mail-lab POP3 server ready (${this.ctx.host.hostname ?? this.ctx.host.name})` });
    await this.flush();
    for (let lines = 1; ; lines++) {
      // Pipelined lines are answered in a chain of resolved promises; now and then the other
      // sessions get a turn (npm run fuzz: 73,000 empty lines held every session up for 3 s,
      // and their idle timers logged them out)
      if (lines % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const item = await this.reader.next();
      if (!item || this.closed) break;
      this.idle.touch();
      try {
        await this.afterwork;
        await this.handle(item);
      } catch (err) {
        // Bad input or a broken file never takes the server down: the client gets -ERR.
        await this.send({ ok: false, code: 'SYS/TEMP', text: `internal error: ${(err as Error).message}` }).catch(() => undefined);
      }
      if (this.closed) break;
      if (!this.reader.hasQueued()) await this.flush();
    }
    await this.afterwork.catch(() => undefined);
    // The client sent all it will (a half-close, as `printf ... | nc` does): answer it all, then
    // close. Nothing is removed without QUIT (RFC 1939 section 6).
    this.end();
  }

  private async handle(item: ClientLine): Promise<void> {
    const limit = this.server.options.maxCommandOctets;
    if (item.kind === 'too-long' || (!this.continuation && item.octets > limit)) {
      this.record('C', `(a line of ${item.octets} octets)`);
      const sasl = this.continuation !== undefined;
      this.continuation = undefined;
      await this.send({
        ok: false,
        text: sasl
          ? `authentication response too long (over ${MAX_SASL_LINE_OCTETS} octets); authentication cancelled`
          : `line too long (${item.octets} octets; at most ${limit} including CRLF, RFC 2449 section 4)`,
      });
      return;
    }
    const line = item.line;
    if (this.continuation) {
      // a SASL response: the whole line is secret (the trace bus masks it)
      this.record('C', line, line ? [[0, line.length]] : undefined);
      const continuation = this.continuation;
      this.continuation = undefined;
      await this.sendMaybe(await continuation(line));
      return;
    }
    if (this.state === 'authorization') this.record('C', line, secretsOf(line));
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (verb === '') {
      await this.send({ ok: false, text: `empty command; commands here: ${commandsFor(this.state).join(' ')}` });
      return;
    }
    const spec = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
    if (!spec) {
      await this.send({ ok: false, text: `unknown command "${printable(verb)}"; commands here: ${commandsFor(this.state).join(' ')}` });
      return;
    }
    if (!spec.states.includes(this.state)) {
      await this.send({ ok: false, text: notNow(verb, this.state) });
      return;
    }
    const args = spec.rest ? (rest === '' ? [] : [rest]) : rest.split(' ').filter((a) => a !== '');
    const [min, max] = spec.args;
    if (args.length < min || args.length > max) {
      const wants = min === max ? `${min} argument${min === 1 ? '' : 's'}` : `${min} to ${max} arguments`;
      await this.send({ ok: false, text: `${verb} takes ${wants} (${spec.usage}); got ${args.length}` });
      return;
    }
    await this.sendMaybe(await spec.handler(this, args));
  }

  private async sendMaybe(reply: Pop3Reply | void): Promise<void> {
    if (reply) await this.send(reply);
  }

  /**
   * The one place a reply is written: the status line with its RFC 2449 response code, then a
   * multi-line body byte-stuffed and ended with "." (RFC 1939 section 3).
   */
  async send(reply: Pop3Reply): Promise<void> {
    if (this.closed) return;
    const status = statusLine(reply);
    this.record('S', status);
    let text = `${status}\r\n`;
    if (reply.lines) {
      for (const line of reply.lines) text += line.startsWith('.') ? `.${line}\r\n` : `${line}\r\n`;
      text += '.\r\n';
    }
    const data = Buffer.from(text, 'utf8');
    if (!reply.close) return this.queue(data);
    this.out.push(data);
    this.outOctets += data.length;
    this.end();
  }

  /**
   * Send what is waiting and close. Not waiting for the client to read it: a client that
   * stopped reading (the idle time-out's usual case) is cut off shortly after.
   */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.state !== 'update') this.releaseMaildrop();
    const data = this.out.length ? Buffer.concat(this.out, this.outOctets) : undefined;
    this.out = [];
    this.outOctets = 0;
    if (this.socket.destroyed) return;
    if (data && this.socket.writable) this.socket.end(data);
    else this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  private async queue(data: Buffer): Promise<void> {
    this.out.push(data);
    this.outOctets += data.length;
    if (this.outOctets >= FLUSH_OCTETS) await this.flush();
  }

  /** Send what is waiting; with back-pressure, so a client that does not read holds us here. */
  async flush(): Promise<void> {
    if (this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outOctets);
    this.out = [];
    this.outOctets = 0;
    if (this.socket.destroyed || !this.socket.writable) return;
    await writeAndDrain(this.socket, data);
  }

  private record(dir: 'C' | 'S', line: string, secret?: [number, number][]): void {
    // Only the login is shown with step 8; a session of thousands of RETRs is not kept.
    if (this.state !== 'authorization' || this.transcript.length >= TRANSCRIPT_LINES_KEPT) return;
    this.transcript.push(secret?.length ? { dir, line, secret } : { dir, line });
  }

  // ---- login (RFC 1939 section 7 USER/PASS, RFC 5034 AUTH PLAIN) ----

  /**
   * Check a login and open the maildrop. A failure waits a moment before -ERR [AUTH]
   * (RFC 3206), which slows password guessing; the maildrop is held by one session at a time
   * (RFC 2449 [IN-USE]).
   */
  async login(login: string | PlainFields, password?: string): Promise<Pop3Reply> {
    await this.flush();
    const outcome = await this.ctx.login.login(login, password);
    if (!outcome.ok) {
      if (outcome.reason === 'disabled') return { ok: false, code: 'AUTH', text: outcome.message };
      this.failedLogins++;
      const tooMany = this.failedLogins >= this.server.options.maxFailedLogins;
      const reply: Pop3Reply = {
        ok: false,
        code: 'AUTH',
        text: tooMany ? `${outcome.message}; ${this.failedLogins} failed logins, closing the connection` : outcome.message,
        close: tooMany,
      };
      await this.reportLogin('refused', typeof login === 'string' ? login : login.authcid, reply);
      return reply;
    }
    const account = outcome.account;
    const store = this.ctx.mailStore;
    if (!store.lockMaildrop(account.user, this)) {
      return { ok: false, code: 'IN-USE', text: `${account.user}'s mailbox is already open in another session` };
    }
    this.holdsMaildrop = true;
    this.account = account;
    try {
      const inbox = await store.folder(account.user, 'INBOX');
      if (!inbox) throw new Error('no INBOX');
      this.maildrop = await Maildrop.open(inbox);
    } catch (err) {
      this.releaseMaildrop();
      this.account = undefined;
      return { ok: false, code: 'SYS/TEMP', text: `cannot open ${account.user}'s mailbox: ${(err as Error).message}` };
    }
    if (this.closed) {
      // The client left while the maildrop was being read.
      this.releaseMaildrop();
      return { ok: false, text: 'connection closed' };
    }
    this.idle.setLimit(this.server.options.idleTimeoutMs);
    const { count, octets } = this.maildrop.stat();
    const reply: Pop3Reply = { ok: true, text: `${account.user}'s maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets)` };
    await this.reportLogin('ok', account.user, reply);
    this.state = 'transaction';
    return reply;
  }

  private async reportLogin(status: 'ok' | 'refused', login: string, reply: Pop3Reply): Promise<void> {
    const peer = await this.peer;
    const host = this.ctx.host;
    const transcript = [...this.transcript, { dir: 'S' as const, line: statusLine(reply) }];
    const user = this.account?.user ?? printable(login);
    const count = this.maildrop?.stat().count ?? 0;
    const summary: Bilingual = status === 'ok'
      ? { ko: `${user}의 메일 클라이언트가 POP3로 dovecot 서비스에 로그인해 자기 메일을 달라고 요청합니다 (메일 박스에 메일 ${count}통)`, en: `${user}'s mail program logs in by POP3 and opens the mailbox (${count} message${count === 1 ? '' : 's'})` }
      : { ko: `POP3 로그인을 거절했습니다: "${user}" (사용자 이름이나 비밀번호가 틀림)`, en: `POP3 login refused for "${user}" (wrong user name or password)` };
    this.ctx.trace.report({
      kind: 'pop3',
      protocol: 'POP3',
      from: peer.host,
      to: host.name,
      fromAddress: peer.address,
      toAddress: host.address,
      steps: STEPS.retrievalRequest,
      summary,
      status,
      transcript,
      detail: status === 'ok' ? { user, messages: count } : { login: user },
      config: loginRefs(this.ctx.topology, host, 'pop3', user.split('@')[0].toLowerCase(), status === 'ok'),
    });
  }

  /**
   * Let go of the maildrop when the session ends: the messages RETR sent are marked seen first
   * (after QUIT, or when the client just went, as dovecot does), so the next session finds them so.
   */
  private releaseMaildrop(): void {
    if (!this.holdsMaildrop || !this.account || this.releasing) return this.checkEnded();
    this.releasing = true;
    const user = this.account.user;
    const unlock = () => {
      this.holdsMaildrop = false;
      this.releasing = false;
      this.ctx.mailStore.unlockMaildrop(user, this);
      this.checkEnded();
    };
    if (!this.maildrop) return unlock();
    this.maildrop.markRetrievedSeen().catch(() => undefined).finally(unlock);
  }

  private checkEnded(): void {
    if (this.socketClosed && !this.holdsMaildrop) this.resolveEnded();
  }

  // ---- retrieval (RFC 1939 section 5 RETR, section 7 TOP) ----

  /**
   * Stream a message (RETR) or its header and first lines (TOP): read the file in chunks,
   * byte-stuff, send; never the whole file in memory. Steps 9-10 of the seed.
   */
  async sendMessage(message: DropMessage, command: 'RETR' | 'TOP', bodyLines?: number): Promise<void> {
    const maildrop = this.maildrop!;
    const prepared = this.prepared;
    this.prepared = undefined;
    // made from the file's bytes after the last RETR; a Maildir file's content never changes, so
    // it is this message's answer as long as the folder still has the message (a rename for
    // flags keeps the bytes; one expunged meanwhile is opened below and found gone)
    const ready = command === 'RETR' && prepared?.uid === message.uid && maildrop.has(message) ? prepared : undefined;
    const file = ready ? undefined : await maildrop.openFile(message);
    if (!ready && !file) {
      await this.send({ ok: false, text: `message ${message.number} no longer exists (removed by another session)` });
      return;
    }
    const stuffer = ready?.stuffer ?? new ByteStuffer(bodyLines);
    const commandLine = command === 'RETR' ? `RETR ${message.number}` : `TOP ${message.number} ${bodyLines}`;
    const status: Pop3Reply = command === 'RETR'
      ? retrStatus(message)
      : { ok: true, text: `top of message ${message.number} follows (header and ${bodyLines} line${bodyLines === 1 ? '' : 's'})` };
    const peer = await this.peer;
    const trace = this.ctx.trace;
    try {
      // the preview is built only when something may look at it (step mode, a test's gate)
      if (trace.holds) await this.hold(this.transferPreview(peer, message, command, bodyLines));
      else await this.flush();
      if (this.closed) return;
      if (ready) await this.queue(ready.reply);
      else {
        // status line, the stuffed file and "." in one buffer when the file comes in one read
        // (the usual letter of a few KB); a larger one follows chunk by chunk
        const first = file!.read();
        const reply = replyBuffer(status, first, stuffer, file!.ended);
        await this.queue(reply);
        if (!(file!.ended || stuffer.done)) {
          for (let chunk = file!.read(); chunk && !stuffer.done && !this.closed; chunk = file!.read()) {
            const stuffed = stuffer.push(chunk);
            if (stuffed.length) await this.queue(stuffed);
          }
          const tail = stuffer.end();
          await this.queue(tail.length ? Buffer.concat([tail, TERMINATOR]) : TERMINATOR);
        }
      }
    } finally {
      file?.close();
    }
    // A client gone in the middle did not get the message: not reported, not marked seen.
    if (this.closed) return;
    // RETR marks it seen, as dovecot does: the file moves (new/ -> cur/ with ":2,S") once, for
    // every message sent, when the session ends (markRetrievedSeen), not after each RETR.
    if (command === 'RETR') message.retrieved = true;
    // Once the answer is on its way (the run loop flushes it first): the trace hop. The next
    // command waits for this, so the hops stay in order. With pipelined commands waiting there
    // is no flush to let go first: done at once.
    const host = this.ctx.host.name;
    const after = async () => {
      // a RETR by a program outside the lab (a client fetching thousands) is sampled by the
      // trace bus: the hop is built only when it is kept; hops between lab hosts stay whole
      const build = () => this.transferHop(peer, message, command, commandLine, statusLine(status), stuffer, bodyLines);
      if (peer.host === OUTSIDE && !trace.holds) trace.outside('pop3', host, OUTSIDE, 'ok', build, 'POP3');
      else trace.report(build());
      // the client is still taking this one in: the answer to the next RETR is made now, not
      // when that command comes (a command already waiting needs none made ahead)
      if (command === 'RETR' && !this.closed && !this.reader.hasQueued()) this.prepareNext(message);
    };
    this.afterwork = this.reader.hasQueued() ? after() : new Promise<void>((resolve) => setImmediate(resolve)).then(after);
  }

  /**
   * The whole answer to a RETR of the message after this one, status line to ".", from its
   * file read now: mail programs fetch 1, 2, 3 ... in turn, each RETR when the last message has
   * arrived, so the file's open, read and close and the byte-stuffing happen while the client
   * is still taking in the last message, and the next RETR is one write. One message of up to
   * 64 KB a session.
   */
  private prepareNext(message: DropMessage): void {
    const next = this.maildrop?.readAhead(message);
    if (!next) return;
    const stuffer = new ByteStuffer();
    this.prepared = { uid: next.message.uid, reply: replyBuffer(retrStatus(next.message), next.data, stuffer, true), stuffer };
  }

  private transferPreview(peer: Peer, message: DropMessage, command: 'RETR' | 'TOP', bodyLines?: number): HopPreview {
    const user = this.account!.user;
    const file = this.maildrop?.file(message);
    const host = this.ctx.host;
    const what = command === 'RETR'
      ? { ko: `메일 ${message.number}번(${message.size}바이트)을`, en: `message ${message.number} (${message.size} octets)` }
      : { ko: `메일 ${message.number}번의 머리글과 본문 ${bodyLines}줄을`, en: `the header and ${bodyLines} body line${bodyLines === 1 ? '' : 's'} of message ${message.number}` };
    return {
      kind: 'pop3',
      protocol: 'POP3',
      from: host.name,
      to: peer.host,
      fromAddress: host.address,
      toAddress: peer.address,
      steps: STEPS.retrievalTransfer,
      summary: { ko: `dovecot 서비스가 메일 박스의 ${what.ko} POP3로 ${user}에게 보냅니다`, en: `dovecot sends ${what.en} to ${user} by POP3` },
      files: file ? [file] : [],
    };
  }

  private transferHop(peer: Peer, message: DropMessage, command: 'RETR' | 'TOP', commandLine: string, status: string, stuffer: ByteStuffer, bodyLines?: number): HopReport {
    const preview = this.transferPreview(peer, message, command, bodyLines);
    const headerLines = stuffer.headerLines;
    const transcript: TranscriptLine[] = [
      { dir: 'C', line: commandLine },
      { dir: 'S', line: status },
      ...headerLines.map((line) => ({ dir: 'S' as const, line })),
    ];
    const more = stuffer.headerLineCount - headerLines.length + stuffer.bodyLineCount;
    transcript.push({ dir: 'S', line: `... (${more} line${more === 1 ? '' : 's'})` });
    return {
      ...preview,
      status: 'ok',
      transcript,
      detail: { user: this.account!.user, message: message.number, size: message.size, command, ...(command === 'TOP' ? { lines: bodyLines } : {}) },
    };
  }

  /** The step gate may hold the mail here as long as the class needs: no idle time-out meanwhile. */
  private async hold(preview: HopPreview): Promise<void> {
    await this.flush();
    this.idle.suspend();
    try {
      await this.ctx.trace.hold(preview);
    } finally {
      this.idle.resume();
    }
  }

  // ---- QUIT (RFC 1939 section 6) ----

  /** QUIT in the TRANSACTION state: the UPDATE state removes what was marked, then goodbye. */
  async update(): Promise<Pop3Reply> {
    this.state = 'update';
    const maildrop = this.maildrop!;
    await this.afterwork;
    const { removed, failed } = await maildrop.expunge();
    // the messages sent are marked seen before the goodbye, so a session right after finds them so
    await maildrop.markRetrievedSeen().catch(() => undefined);
    const left = maildrop.stat().count;
    this.releaseMaildrop();
    if (failed.length) {
      return { ok: false, code: 'SYS/TEMP', text: `some deleted messages not removed (${failed.join(', ')}); ${removed} removed`, close: true };
    }
    return { ok: true, text: `mail-lab POP3 server signing off (${removed} message${removed === 1 ? '' : 's'} deleted, ${left} left)`, close: true };
  }

  /** The server is shutting down: say so and go. */
  async shutdown(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    if (this.closed) this.socket.destroy();
    else await this.send({ ok: false, code: 'SYS/TEMP', text: 'server shutting down; nothing deleted', close: true });
    await closed;
  }
}

const TERMINATOR = Buffer.from('.\r\n');

function retrStatus(message: DropMessage): Pop3Reply {
  return { ok: true, text: `${message.size} octets` };
}

/**
 * The status line and the stuffed first chunk of a message in one buffer, with the last line's
 * CRLF if it lacks one and "." when that is all (`ended`: the file came in that one read; or
 * TOP has all its lines).
 */
function replyBuffer(status: Pop3Reply, first: Buffer | undefined, stuffer: ByteStuffer, ended: boolean): Buffer {
  const head = `${statusLine(status)}\r\n`;
  const out = Buffer.allocUnsafe(Buffer.byteLength(head) + (first ? first.length * 2 : 0) + 5);
  let at = out.write(head, 0, 'utf8');
  if (first) at = stuffer.pushInto(first, out, at);
  if (ended || stuffer.done) {
    if (!stuffer.done) at += stuffer.end().copy(out, at);
    at += TERMINATOR.copy(out, at);
  }
  return out.subarray(0, at);
}

function statusLine(reply: Pop3Reply): string {
  if (reply.continuation) return `+ ${reply.text}`;
  const head = reply.ok ? '+OK' : '-ERR';
  const code = reply.code ? ` [${reply.code}]` : '';
  return reply.text ? `${head}${code} ${reply.text}` : `${head}${code}`;
}

/** Where a command line holds a secret: PASS's argument, AUTH's initial response (the trace bus masks them). */
function secretsOf(line: string): [number, number][] | undefined {
  const m = /^(PASS |AUTH +\S+ +)(.+)$/i.exec(line);
  return m ? [[m[1].length, line.length]] : undefined;
}

function notNow(verb: string, state: Pop3State): string {
  if (state === 'authorization') return `${verb} is not allowed before login (AUTHORIZATION state); log in first with USER and PASS or AUTH PLAIN`;
  if (state === 'transaction') return `${verb} is only allowed before login; you are logged in already (TRANSACTION state)`;
  return `${verb} is not allowed while the session ends (UPDATE state)`;
}
