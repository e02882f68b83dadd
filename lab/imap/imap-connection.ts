import type { Socket } from 'node:net';
import type { ImapServer } from './imap-server.ts';
import type { Peer } from '../net/lab-net.ts';
import { writeAndDrain } from '../net/socket-write.ts';
import type { Account } from '../topology/accounts.ts';
import { ImapStream, type LiteralDecision, type LiteralOffer } from './imap-stream.ts';
import { parseCommand, ImapSyntaxError, type ParsedCommand } from './imap-parser.ts';
import { COMMANDS, checkArguments, type CommandSpec, type ImapState } from './imap-commands.ts';
import type { CommandResult } from './command-result.ts';
import { SelectedMailbox } from './selected-mailbox.ts';
import { SessionTranscript, secretAfterVerb, transcriptOfCommand } from './imap-trace.ts';
import { SequenceError } from './sequence-set.ts';
import { MailboxNameError } from '../mailbox/names.ts';
import { FolderError } from '../mailbox/mail-store.ts';
import { FlagError } from '../mailbox/maildir-flags.ts';
import { MaildirMissingError } from '../mailbox/maildir.ts';
import { STEPS } from '../trace/steps.ts';
import { loginRefs } from '../host/config-refs.ts';
import { IdleTimer, spanText } from '../host/idle-timer.ts';
import { astring } from '../mailbox/imap-syntax.ts';
import { decodeMutf7 } from '../mailbox/mutf7.ts';

// One IMAP session (RFC 3501 section 3): its state, the account and the selected folder, the
// one place that writes tagged replies (after telling the client what changed), the idle timer
// and the transcript for the trace.

/** Literals before login stay small: nobody unauthenticated gets to send megabytes. */
const PRE_AUTH_LITERAL = 8 * 1024;
/** Literals of commands other than APPEND (a search string, a folder name). */
const COMMAND_LITERAL = 64 * 1024;
/** Answers written and not yet read by the client before its next command waits. */
const ANSWERS_BUFFERED = 256 * 1024;

let nextId = 1;

export class ImapConnection {
  readonly id = nextId++;
  readonly server: ImapServer;
  readonly socket: Socket;
  state: ImapState = 'not-authenticated';
  peer: Peer = { host: 'outside', address: 'unknown' };
  account: Account | undefined;
  selected: SelectedMailbox | undefined;
  readonly transcript = new SessionTranscript();
  /** the next line is not a command but an answer: IDLE's DONE, an AUTHENTICATE response */
  continuation: ((line: string) => Promise<void>) | undefined;
  /** the tag of a running IDLE */
  idleTag: string | undefined;
  failedLogins = 0;
  /** step 8 is reported once per session, at the first SELECT */
  requestReported = false;
  clientId: Record<string, string> | undefined;
  /** ENABLE UTF8=ACCEPT (RFC 6855): folder names in UTF-8 on the wire */
  utf8 = false;
  private stream: ImapStream | undefined;
  /** the autologout timer (RFC 3501 section 5.4), on the host's clock */
  private idle: IdleTimer | undefined;
  private closed = false;

  constructor(server: ImapServer, socket: Socket) {
    this.server = server;
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // a reset by the peer ends the session; 'close' cleans up
    socket.on('close', () => this.cleanup());
  }

  get user(): string {
    return this.account?.user ?? '';
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async start(): Promise<void> {
    this.peer = await this.server.ctx.net.identify(this.socket.remoteAddress, this.socket.remotePort);
    if (this.closed) return;
    const hostname = this.server.ctx.host.hostname ?? this.server.ctx.host.name;
    this.send(`* OK [CAPABILITY ${this.capabilities().join(' ')}] ${hostname} IMAP4rev1 ready (mail-lab, dovecot role)`);
    this.stream = new ImapStream(this.socket, {
      command: (parts) => this.onCommand(parts),
      literal: (offer) => this.onLiteral(offer),
      lineTooLong: (first) => this.onLineTooLong(first),
      refuse: (r) => void this.reply(r.tag, { response: r.response, code: r.code, message: r.message }),
      write: (text) => {
        this.transcript.add('S', text.trimEnd());
        this.writeText(text);
      },
      close: () => this.end(),
      // a whole line or literal is activity; bytes of a line that never ends are not
      activity: () => this.idle?.touch(),
    }, { maxLine: this.server.limits.maxLineLength, maxDiscard: this.server.limits.maxLiteralSize * 4 });
    this.idle = new IdleTimer(this.server.ctx.clock, this.server.limits.loginIdleTimeoutMs, () => this.autologout());
  }

  capabilities(): string[] {
    // APPENDLIMIT (RFC 7889): the largest message APPEND takes, so a client need not send more
    // ENABLE and UTF8=ACCEPT (RFC 5161, RFC 6855): a Korean user name logs in, and a client may
    // ask for folder names in UTF-8
    const caps = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'IDLE', 'NAMESPACE', 'UIDPLUS', 'MOVE', 'UNSELECT', 'CHILDREN', `APPENDLIMIT=${this.server.limits.maxLiteralSize}`, 'ENABLE', 'UTF8=ACCEPT'];
    if (this.state === 'not-authenticated') {
      // without TLS, plaintext logins are a lab setting (RFC 3501 section 6.2.3: LOGINDISABLED)
      caps.push(this.server.ctx.login.plaintextAllowed ? 'AUTH=PLAIN' : 'LOGINDISABLED');
    }
    return caps;
  }

  // ---- input

  private onLiteral(offer: LiteralOffer): LiteralDecision {
    const m = /^(\S+)\s+(?:UID\s+)?(\S+)/i.exec(offer.firstLine);
    const tag = m?.[1] ?? '*';
    const verb = (m?.[2] ?? '').toUpperCase();
    if (this.continuation) return { accept: true }; // an AUTHENTICATE answer is one line; let the line end
    const decision = this.literalDecision(tag, verb, offer);
    if (!decision.accept) this.transcript.add('C', offer.firstLine.slice(0, 200), secretAfterVerb(offer.firstLine.slice(0, 200)));
    return decision;
  }

  private literalDecision(tag: string, verb: string, offer: LiteralOffer): LiteralDecision {
    const limits = this.server.limits;
    // each literal has a limit, and so has all a command sends (a flood of literals that are each
    // small enough would otherwise pile up in memory): before login, for APPEND, for the rest
    const total = offer.received + offer.size;
    if (this.state === 'not-authenticated') {
      if (offer.size > PRE_AUTH_LITERAL) return { accept: false, tag, response: 'BAD', message: `Literal too large before login (at most ${PRE_AUTH_LITERAL} octets)` };
      if (total > PRE_AUTH_LITERAL * 4) return { accept: false, tag, response: 'BAD', message: `Too much literal data before login (at most ${PRE_AUTH_LITERAL * 4} octets in one command)` };
      return { accept: true };
    }
    if (verb === 'APPEND') {
      // RFC 7888 section 4: refuse a literal too big before "+", with TOOBIG (RFC 4469 section 5)
      if (offer.size > limits.maxLiteralSize || total > limits.maxLiteralSize + COMMAND_LITERAL) {
        return { accept: false, tag, response: 'NO', code: 'TOOBIG', message: `Message too large (at most ${limits.maxLiteralSize} octets)` };
      }
      return { accept: true };
    }
    if (offer.size > COMMAND_LITERAL || total > COMMAND_LITERAL * 4) {
      return { accept: false, tag, response: 'BAD', message: `Literal too large for ${verb || 'this command'} (at most ${COMMAND_LITERAL} octets, ${COMMAND_LITERAL * 4} in one command)` };
    }
    return { accept: true };
  }

  private onLineTooLong(first: string): void {
    const m = /^([^\s(){%*"\\+]+)\s+(\S+)/.exec(first);
    const shown = `${first.slice(0, 60)}... (too long)`;
    this.transcript.add('C', shown, secretAfterVerb(first.slice(0, 60)));
    const message = `Command line too long (at most ${this.server.limits.maxLineLength} octets)`;
    if (m) void this.reply(m[1], { response: 'BAD', message });
    else this.send(`* BAD ${message}`);
  }

  private async onCommand(parts: Buffer[]): Promise<void> {
    if (this.closed) return;
    if (this.continuation) {
      const answer = this.continuation;
      this.continuation = undefined;
      const line = parts[0].toString('utf8');
      // IDLE's DONE is shown; an AUTHENTICATE response is secret, marked here, masked by the trace bus
      this.transcript.add('C', line, this.idleTag || !line ? undefined : [[0, line.length]]);
      await answer(line);
      return;
    }
    let cmd: ParsedCommand;
    try {
      cmd = parseCommand(parts);
    } catch (err) {
      const e = err as ImapSyntaxError;
      const first = parts[0].toString('utf8');
      // a broken LOGIN still carries a password: all after the verb is marked secret
      this.transcript.add('C', first.slice(0, 200), secretAfterVerb(first.slice(0, 200)));
      if (e.tag) await this.reply(e.tag, { response: 'BAD', message: e.message });
      else this.send(`* BAD ${e.message}`);
      return;
    }
    for (const { line, secret } of transcriptOfCommand(cmd.tag, cmd.verb, parts)) this.transcript.add('C', line, secret);
    const spec = COMMANDS[cmd.verb];
    if (!spec) {
      await this.reply(cmd.tag, { response: 'BAD', message: `Unknown command ${cmd.verb.slice(0, 40)}` });
      return;
    }
    if (!spec.states.includes(this.state)) {
      const why = this.state === 'not-authenticated' ? 'log in first' : spec.states.includes('not-authenticated') ? 'already logged in' : 'select a mailbox first';
      await this.reply(cmd.tag, { response: 'BAD', message: `${cmd.verb} not allowed now: ${why}` }, spec);
      return;
    }
    const problem = checkArguments(cmd.verb, spec, cmd.args);
    if (problem) {
      await this.reply(cmd.tag, { response: 'BAD', message: problem }, spec);
      return;
    }
    // keywords another session brought into use are named before any FETCH shows them
    if (this.selected) for (const line of this.selected.keywordNews()) this.send(line);
    let result: CommandResult | 'pending';
    try {
      result = await spec.handler(this, cmd);
    } catch (err) {
      result = this.failure(err, cmd);
    }
    if (result === 'pending') return;
    await this.reply(cmd.tag, result, spec);
    if (this.state === 'logout') this.end();
    // a client that sends commands and does not read the answers: the next command waits until
    // it has read them (the stream reads nothing meanwhile), so answers do not pile up in memory
    else if (this.socket.writableLength > ANSWERS_BUFFERED) await writeAndDrain(this.socket, '');
  }

  private failure(err: unknown, cmd: ParsedCommand): CommandResult {
    if (err instanceof ImapSyntaxError || err instanceof SequenceError || err instanceof FlagError) return { response: 'BAD', message: err.message };
    if (err instanceof MailboxNameError) return { response: 'NO', code: 'CANNOT', message: err.message };
    if (err instanceof FolderError) return { response: 'NO', code: err.code, message: err.message };
    if (err instanceof MaildirMissingError) return { response: 'NO', code: 'NONEXISTENT', message: 'The mailbox no longer exists' };
    console.error(`imap ${this.server.ctx.host.name}: ${cmd.verb} failed:`, err);
    return { response: 'NO', code: 'SERVERBUG', message: `${cmd.verb} failed: internal error` };
  }

  // ---- output

  /** A folder name as this session is sent it: modified UTF-7, or UTF-8 after ENABLE UTF8=ACCEPT. */
  wireName(name: string): string {
    return astring(this.utf8 ? decodeMutf7(name) : name);
  }

  private writeText(text: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(text);
  }

  /** An untagged or continuation line. */
  send(line: string): void {
    this.transcript.add('S', line);
    this.writeText(`${line}\r\n`);
  }

  /**
   * Bulk data (FETCH responses), waiting while the client is slow to read. Pieces (a FETCH
   * batch's lines and message bytes) go out corked, as they are: copying them into one buffer
   * first made a large new buffer per batch, which kept the garbage collector busy.
   */
  async writeData(data: Buffer | string | Buffer[]): Promise<void> {
    if (this.closed || this.socket.destroyed) return;
    if (!Array.isArray(data)) return writeAndDrain(this.socket, data);
    // pieces written together, without copying them into one buffer first
    this.socket.cork();
    for (let i = 0; i < data.length - 1; i++) this.socket.write(data[i]);
    const last = data[data.length - 1];
    process.nextTick(() => this.socket.uncork());
    await writeAndDrain(this.socket, last);
  }

  /**
   * The one place a tagged reply is written: first what changed in the selected folder
   * (EXISTS, RECENT, flags, and EXPUNGE unless the command forbids it), then the tag's line.
   */
  async reply(tag: string, result: CommandResult, spec?: CommandSpec): Promise<string> {
    this.tellNews(!spec?.holdExpunges);
    const line = `${tag} ${result.response} ${result.code ? `[${result.code}] ` : ''}${result.message}`;
    this.send(line);
    result.after?.(line);
    return line;
  }

  /** Write pending changes of the selected folder now (before a reply, on NOOP, during IDLE). */
  tellNews(allowExpunge: boolean): void {
    const selected = this.selected;
    if (!selected) return;
    if (selected.gone) {
      // RFC 3501 section 7.1.5: the folder went away under us; nothing sensible remains
      this.send('* BYE Selected mailbox was deleted or replaced, have to disconnect');
      this.end();
      return;
    }
    for (const line of selected.flush(allowExpunge)) this.send(line);
  }

  /** Select a folder (SELECT, EXAMINE); the previous one is closed first. */
  async select(selected: SelectedMailbox): Promise<void> {
    this.deselect();
    await selected.open();
    this.selected = selected;
    this.state = 'selected';
  }

  deselect(): void {
    if (this.selected) this.selected.close();
    this.selected = undefined;
    if (this.state === 'selected') this.state = 'authenticated';
  }

  /** Step 8 as the trace records it: the login and the request, or a refused login. */
  private reportLogin(status: 'ok' | 'refused', summary: { ko: string; en: string }, detail: Record<string, unknown>): void {
    const ctx = this.server.ctx;
    ctx.trace.report({
      kind: 'imap',
      from: this.peer.host,
      to: ctx.host.name,
      fromAddress: this.peer.address,
      toAddress: ctx.host.address,
      steps: STEPS.retrievalRequest,
      protocol: 'IMAP',
      status,
      summary,
      transcript: this.transcript.lines(),
      detail,
      config: loginRefs(ctx.topology, ctx.host, 'imap', String(detail.user ?? '').split('@')[0].toLowerCase(), status === 'ok'),
    });
  }

  /** Step 8: the client logged in and asks for a mailbox. */
  reportRequest(mailbox: string): void {
    if (this.requestReported) return;
    this.requestReported = true;
    this.reportLogin('ok', { ko: `${this.user}의 메일 클라이언트가 IMAP으로 dovecot 서비스에 로그인해 ${mailbox} 메일 박스를 엽니다`, en: `IMAP login and SELECT ${mailbox} (${this.user})` }, { user: this.user, mailbox });
  }

  /** A failed login is step 8 refused. */
  reportRefused(login: string, how: string): void {
    this.reportLogin('refused', { ko: `IMAP 로그인을 거절했습니다: "${login}" (사용자 이름이나 비밀번호가 틀림)`, en: `IMAP login refused (${login})` }, { user: login, mechanism: how });
  }

  // ---- life

  /** Logged in: the longer autologout time of an authenticated session. */
  loggedIn(account: Account): void {
    this.account = account;
    this.state = 'authenticated';
    this.idle?.setLimit(this.server.limits.idleTimeoutMs);
  }

  private autologout(): void {
    // RFC 3501 section 5.4: an inactivity autologout timer, announced with BYE
    const blocked = this.socket.writableLength > 0;
    this.send(`* BYE Idle for more than ${spanText(this.idle?.ms ?? 0)} (no command), logging out`);
    this.end();
    // a client that does not read what it asked for (its buffer is still full) is cut off now
    if (blocked) this.socket.destroy();
  }

  /**
   * Say goodbye and close after the written data has gone. What the client still sends is read
   * and dropped meanwhile (closing with unread data would reset the connection, and the client
   * might never read why); one that does not close its side is cut off shortly after.
   */
  end(): void {
    if (this.closed) return;
    this.stream?.stop();
    this.socket.end();
    this.socket.resume();
    const timer = setTimeout(() => this.socket.destroy(), 5000);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
    this.cleanup();
  }

  /** The server is closing: tell the client and close. */
  shutdown(): void {
    if (this.closed) return;
    this.send('* BYE Server shutting down');
    this.end();
    this.socket.destroySoon?.();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.idle?.stop();
    this.stream?.stop();
    this.deselect();
    this.server.connections.delete(this);
  }
}
