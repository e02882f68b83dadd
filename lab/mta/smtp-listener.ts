// The receiving half of the sendmail role (steps 1, 2 and 6-7 of the seed's sendmail figure):
// smtp-server takes the mail, the access rules decide at RCPT who may send what, and a complete
// message goes to the MDA (our users) or into the queue (everyone else) before the 250.
//
// smtp-server does the protocol, through its public options and hooks; what it cannot do that
// way (the caller's virtual address, the greeting at once, a look at every command line, reply
// texts with their own enhanced status codes) is in one adapter file, smtp-server-adapter.ts.
// Here, per command line (`command`): the transcript with its secrets marked, and a line over
// the limit answered with 500 while the session goes on (smtp-server would close it).
import net from 'node:net';
import path from 'node:path';
import type { LabSmtpServer, LabSmtpConnection } from './smtp-server-adapter.ts';
import { checkSmtpServerVersion } from './mail-packages.ts';
import type {
  SMTPServerAddress,
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerDataStream,
  SMTPServerOptions,
  SMTPServerSession,
} from 'smtp-server';
import type { HostContext } from '../host/host-context.ts';
import type { LabTimer } from '../trace/lab-clock.ts';
import type { Host } from '../topology/types.ts';
import { hostByAddress, hostByName } from '../topology/types.ts';
import { OUTSIDE, type Peer } from '../net/lab-net.ts';
import { STEPS } from '../trace/steps.ts';
import type { HopReport, HopStatus, TranscriptLine, Bilingual } from '../trace/hop-event.ts';
import type { Envelope } from './queue.ts';
import { AccessRules, type RecipientDecision, type Reply } from './access-rules.ts';
import { hasSourceRoute, pathOf } from './address.ts';
import { wantsNotice } from './bounce.ts';
import { queueNotice } from './notice.ts';
import { DataSpool } from './data-spool.ts';
import type { RecipientDsn } from './queue.ts';
import { newMessageId, prependFields, receivedHeader, rfc5322Date, scanHeaders } from './headers.ts';
import { SmtpTranscripts, commandSecrets, type SmtpTranscript } from './smtp-transcript.ts';
import { newQueueId } from './queue-id.ts';
import { recipientRefs } from '../host/config-refs.ts';
import type { ConfigRef } from '../trace/hop-event.ts';

/** What the listener needs of the queue (lab/mta/queue.ts implements it). */
export interface QueueWriter {
  /** the spool folder, for the files a hop names */
  readonly dir?: string;
  newId(): string;
  enqueue(envelope: Envelope, message: Buffer, queueId?: string): Promise<{ id: string; files: string[] }>;
}

/** What the listener needs of the MDA (lab/mta/mda.ts implements it). */
export interface LocalDelivery {
  deliver(recipient: string, message: Buffer, envelope: Envelope, options?: { queueId?: string; messageId?: string; reply?: string }): Promise<{ file: string }>;
}

export interface SmtpListenerOptions {
  queue: QueueWriter;
  mda: LocalDelivery;
  /** called after a message was queued and acknowledged: the runner delivers it now */
  kick?: () => void;
}

/** Who the session is talking to, as the lesson sees it. */
type PeerRole = 'client' | 'mta' | 'outside';

interface SessionState {
  peer: Peer;
  peerHost?: Host;
  role: PeerRole;
  /** the access table's verdict for this peer (Connect:192.168.111 RELAY) */
  relay: boolean;
  transcript: SmtpTranscript;
  /** the verb of the command being answered, for deciding which refusals to report */
  verb: string;
  /** the command line being answered (MAIL and RCPT are looked at for source routes) */
  command: string;
  /** refusal events reported so far; a client that does nothing but err gets a bounded number */
  refusals: number;
  /** the configuration lines behind the refusal being answered (HopEvent.config) */
  config?: ConfigRef[];
  /** the SASL mechanism of an AUTH exchange going on, for checking its responses */
  sasl?: string;
  /** 'data' from the 354 to the reply after the message */
  phase: 'command' | 'data';
  /** when the command line under way started (its first bytes), for the slow-client deadline */
  lineSince?: number;
  /** the slow-line deadline's timer, while one runs */
  slowTimer?: LabTimer;
  closed: boolean;
}

/** A refusal with our own reply text; smtp-server's send() prints `code text`. */
class ReplyError extends Error {
  readonly responseCode: number;
  constructor(reply: Reply) {
    super(`${reply.enhanced} ${reply.text}`);
    this.responseCode = reply.code;
  }
}

const REPORTED_VERBS = new Set(['MAIL', 'RCPT', 'DATA', 'AUTH']);
const MAX_REFUSAL_EVENTS = 20;
/** smtp-server drops the connection past this; between lineLength and this a line gets 500 */
const HARD_LINE_CAP = 64 * 1024;
/** sendmail's MaxHeadersLength: a header section longer than this is refused (a header bomb) */
const MAX_HEADERS_LENGTH = 32 * 1024;

export class SmtpListener {
  readonly ctx: HostContext;
  readonly rules: AccessRules;
  /**
   * smtp-server's server, made at the first connection (with smtp-server itself: an idle lab
   * holds neither); its own socket server never listens, ours hands it each connection.
   */
  server?: LabSmtpServer;
  /** what smtp-server is given (the topology's limits, the login policy, the lab's hooks) */
  readonly serverOptions: SMTPServerOptions;
  readonly hostname: string;
  private readonly socketServer: net.Server;
  private serverMade?: Promise<LabSmtpServer>;
  private readonly options: SmtpListenerOptions;
  private readonly transcripts = new SmtpTranscripts();
  private readonly sessions = new Map<string, SessionState>();
  private readonly decisions = new WeakMap<SMTPServerAddress, RecipientDecision>();
  private readonly sockets = new Set<net.Socket>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly limits: NonNullable<Host['mail']>['limits'];
  private state: 'new' | 'listening' | 'closing' | 'closed' = 'new';
  private loadFailed = false;
  port = 0;

  constructor(ctx: HostContext, options: SmtpListenerOptions) {
    const mail = ctx.host.mail;
    if (!mail) throw new Error(`${ctx.host.name} has no "mail:" section in ${ctx.topology.file}: it runs no MTA`);
    checkSmtpServerVersion();
    this.ctx = ctx;
    this.options = options;
    this.rules = new AccessRules(ctx.host, ctx.topology.network);
    this.hostname = ctx.host.hostname ?? mail.domains[0];
    this.limits = mail.limits;
    this.transcripts.onReply = (id, code) => this.onReply(id, code);

    this.serverOptions = {
      name: this.hostname,
      banner: 'Sendmail-lab',
      heloResponse: '%s Hello %s, pleased to meet you',
      logger: this.transcripts.logger as unknown as SMTPServerOptions['logger'],
      // No TLS in the lab: the host's login policy allows plaintext AUTH or not (mail.plaintextAuth); off means no AUTH.
      hideSTARTTLS: true,
      disabledCommands: ctx.login.plaintextAllowed ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authMethods: ctx.login.mechanisms,
      allowInsecureAuth: ctx.login.plaintextAllowed,
      authOptional: true,
      hideENHANCEDSTATUSCODES: false,
      // RFC 3461, as sendmail offers it: NOTIFY, RET, ENVID, ORCPT (see the queue runner and notice.ts)
      hideDSN: false,
      // RFC 1870: advertised in EHLO, refused at MAIL when declared, counted during DATA.
      size: this.limits.messageSize,
      maxRecipients: this.limits.recipients,
      maxClients: this.limits.clients,
      socketTimeout: this.limits.idleTimeout,
      maxCommandLength: Math.max(HARD_LINE_CAP, this.limits.lineLength * 4),
      closeTimeout: 1000,
      // The access rules check addresses themselves (trailing dots, case, tricks).
      lenientAddressParsing: true,
      // The lab's own address plan is its reverse DNS: 192.168.111.200 is mail.daum.net.
      resolver: {
        reverse: (ip: string, callback: (err: Error | null, names?: string[]) => void) => {
          const host = hostByAddress(ctx.topology, ip);
          callback(null, host?.hostname ? [host.hostname] : []);
        },
      },
      onConnect: (_session, callback) => callback(),
      onAuth: (auth, session, callback) => this.onAuth(auth, session, callback),
      onMailFrom: (address, session, callback) => this.onMailFrom(address, session, callback),
      onRcptTo: (address, session, callback) => this.onRcptTo(address, session, callback),
      onData: (stream, session, callback) => this.onData(stream, session, callback),
      onClose: (session) => this.onClose(session),
    };
    this.socketServer = net.createServer((socket) => this.connected(socket));
  }

  /** A new connection: smtp-server takes it as if its own socket server had accepted it. */
  private connected(socket: net.Socket): void {
    // smtp-server's socketTimeout stands still while a hop is held (--step)
    this.ctx.clock.track(socket);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (this.server) {
      this.server.server.emit('connection', socket);
      return;
    }
    const early = () => {};
    socket.on('error', early);
    this.serverMade ??= import('./smtp-server-adapter.ts').then(({ LabSmtpServer }) => {
      const server = new LabSmtpServer(this.serverOptions);
      // smtp-server wraps the logger in nodemailer's, which copies each entry into a new object
      // first, three times per command; the transcripts' logger reads two fields of the entry,
      // so it takes the calls directly (a later smtp-server without the field keeps the wrapper)
      if ('logger' in server) (server as unknown as { logger: unknown }).logger = this.transcripts.logger;
      server.hooks = this;
      // Errors of single connections arrive here; none of them may take the server down.
      server.on('error', () => {});
      return (this.server = server);
    });
    this.serverMade.then(
      (server) => {
        socket.off('error', early);
        if (!socket.destroyed) server.server.emit('connection', socket);
      },
      (err: Error) => {
        // smtp-server lacks what the adapter patches (its version was checked at start)
        if (!this.loadFailed) {
          const { name } = this.ctx.host;
          this.ctx.trace.report({
            kind: 'smtp',
            from: name,
            to: name,
            status: 'failed',
            summary: { ko: `${name}의 센드메일 서비스가 smtp-server를 쓸 수 없어 메일을 받지 못합니다: ${err.message}`, en: `${name}'s sendmail service cannot use smtp-server and takes no mail: ${err.message}` },
            detail: { error: err.message },
          });
        }
        this.loadFailed = true;
        socket.end(`421 4.3.0 ${this.hostname} ${err.message.split('. ')[0]}\r\n`);
      },
    );
  }

  /** Listen on a real port of the host's listen address (0: the OS chooses). Resolves with the port. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = this.socketServer;
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(port, this.ctx.listen, () => {
        server.off('error', onError);
        this.state = 'listening';
        this.port = (server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  identify(socket: net.Socket): Promise<Peer> {
    return this.ctx.net.identify(socket.remoteAddress, socket.remotePort);
  }

  /** Hooks on one connection, before its session starts (see the header comment). */
  attach(connection: LabSmtpConnection, peer: Peer): void {
    const peerHost = peer.host === OUTSIDE ? undefined : hostByName(this.ctx.topology, peer.host);
    const role: PeerRole = peer.host === OUTSIDE ? 'outside' : peerHost?.mail && !peerHost.client ? 'mta' : 'client';
    const state: SessionState = {
      peer,
      peerHost,
      role,
      relay: this.rules.relayAllowed(peer),
      transcript: this.transcripts.open(connection.id),
      verb: '',
      command: '',
      refusals: 0,
      phase: 'command',
      closed: false,
    };
    this.sessions.set(connection.id, state);
    const lineLength = this.limits.lineLength;
    connection.lab = {
      input: () => {
        if (state.phase === 'data' || state.lineSince !== undefined || state.closed) return;
        state.lineSince = this.ctx.clock.now();
        if (!state.slowTimer) this.watchSlowLine(connection, state);
      },
      command: (command, { continuation }) => {
        state.lineSince = undefined;
        const head = command.toString('utf8', 0, Math.min(command.length, 1024));
        state.command = head;
        state.verb = continuation ? 'AUTH' : head.slice(0, 4).toUpperCase();
        // Secrets are marked here, where the line is parsed; the trace bus masks them.
        const secret = commandSecrets(head, continuation);
        // The command line limit (RFC 5321 section 4.5.3.1.4): 500 and carry on.
        if (command.length > lineLength) {
          state.verb = 'LINE';
          state.transcript.add('C', `${head.slice(0, 60)}... (${command.length} bytes)`, secret);
          return { code: 500, text: `5.5.2 Command line too long (${command.length} bytes; at most ${lineLength})` };
        }
        state.transcript.add('C', head, secret);
        return this.checkSasl(state, head, continuation);
      },
    };
  }

  /**
   * A slow client (slowloris: a command line one byte at a time, each byte in time for the idle
   * time-out) is dropped too: a command line must be complete within the idle time of its first
   * byte. One wait per session, on the host's clock.
   */
  private watchSlowLine(connection: LabSmtpConnection, state: SessionState): void {
    const limit = this.limits.idleTimeout;
    const check = () => {
      state.slowTimer = undefined;
      const since = state.lineSince;
      if (since === undefined || state.closed || state.phase === 'data') return;
      const left = since + limit - this.ctx.clock.now();
      if (left <= 0) {
        connection.send(421, `4.4.2 ${this.hostname} Command line not completed within ${limit} ms; closing connection`);
        return;
      }
      // cleared when the session closes: a pending wait must not keep a closed connection
      // (its socket, its parser) alive for the idle time
      state.slowTimer = this.ctx.clock.setTimeout(check, left).unref();
    };
    check();
  }

  /**
   * SASL responses are judged by the host's login policy, as POP3 and IMAP judge theirs (the
   * same base64 and RFC 4616 rules); smtp-server sees only those that pass.
   */
  private checkSasl(state: SessionState, line: string, continuation: boolean): { code: number; text: string } | undefined {
    let response: string | undefined;
    if (!continuation) {
      const m = /^AUTH[ \t]+(\S+)(?:[ \t]+(\S+))?\s*$/i.exec(line);
      state.sasl = m?.[1].toUpperCase();
      response = m?.[2];
    } else if (line.trim() !== '*') response = line.trim();
    // "=" is the empty initial response (RFC 4954 section 4); the LOGIN exchange has two lines
    if (response === undefined || response === '=' || (state.sasl !== 'PLAIN' && state.sasl !== 'LOGIN')) return undefined;
    const decoded = state.sasl === 'PLAIN' ? this.ctx.login.decodePlain(response) : this.ctx.login.decodeLoginLine(response);
    if (decoded.ok) return undefined;
    state.sasl = undefined;
    state.verb = 'AUTH';
    return { code: 501, text: `5.5.2 ${decoded.reason}` };
  }

  private stateOf(session: SMTPServerSession): SessionState {
    const state = this.sessions.get(session.id);
    if (!state) throw new Error(`no lab state for SMTP session ${session.id}`);
    return state;
  }

  // ---- hop events --------------------------------------------------------------------------

  private base(state: SessionState): Pick<HopReport, 'kind' | 'from' | 'to' | 'fromAddress' | 'toAddress' | 'protocol'> {
    return {
      kind: 'smtp',
      from: state.peer.host,
      to: this.ctx.host.name,
      fromAddress: state.peer.address,
      toAddress: this.ctx.host.address,
      protocol: 'SMTP',
    };
  }

  /** Client PCs and outside mail programs submit (step 1); a lab MTA's session is the far end of 4-5. */
  private steps(state: SessionState) {
    return state.role === 'mta' ? undefined : STEPS.submission;
  }

  /** After every reply: refusals of MAIL, RCPT, DATA and AUTH, and every 421, are reported with the transcript. */
  private onReply(id: string, code: number): void {
    const session = this.sessions.get(id);
    // 354 opens the message; the reply after it closes it (the slow-line deadline waits meanwhile)
    if (session) session.phase = code === 354 ? 'data' : 'command';
    // our own "421 shutting down" is no refusal worth a hop event
    if (code < 400 || this.state === 'closing') return;
    const state = this.sessions.get(id);
    if (!state) return;
    if (code !== 421 && !REPORTED_VERBS.has(state.verb)) return;
    if (state.refusals >= MAX_REFUSAL_EVENTS && code !== 421) return;
    state.refusals++;
    const transcript = state.transcript.take();
    const last = transcript[transcript.length - 1]?.line ?? String(code);
    const status: HopStatus = code === 451 ? 'failed' : 'refused';
    this.ctx.trace.report({
      ...this.base(state),
      steps: this.steps(state),
      status,
      transcript,
      summary: { ko: `거절했습니다: "${last}"`, en: `Refused: ${last}` },
      detail: { reply: last, peer: state.peer.host },
      config: state.config,
    });
    state.config = undefined;
  }

  private onClose(session: SMTPServerSession): void {
    const state = this.sessions.get(session.id);
    if (state) {
      state.closed = true;
      state.slowTimer?.clear();
      state.slowTimer = undefined;
    }
    this.sessions.delete(session.id);
    this.transcripts.close(session.id);
    // A session that ended with errors nobody reported yet (garbage, then gone) still shows.
    if (state && state.transcript.errors > 0 && this.state !== 'closing' && this.state !== 'closed') {
      const transcript = state.transcript.take();
      this.ctx.trace.report({
        ...this.base(state),
        steps: this.steps(state),
        status: 'refused',
        transcript,
        summary: { ko: 'SMTP 세션이 오류로 끝났습니다', en: 'SMTP session ended with errors' },
        detail: { peer: state.peer.host },
      });
    }
  }

  // ---- the SMTP handlers -------------------------------------------------------------------

  private onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void): void {
    // smtp-server splits the SASL response; the host's login policy decides, as for POP3 and
    // IMAP: the same rule for authzid, the same failed-login delay.
    const fields = auth.method === 'PLAIN'
      ? { authzid: auth.authzid ?? '', authcid: auth.authcid ?? '', password: auth.password ?? '' }
      : { authzid: '', authcid: auth.username ?? '', password: auth.password ?? '' };
    const known = auth.method === 'PLAIN' || auth.method === 'LOGIN';
    (known ? this.ctx.login.login(fields) : Promise.resolve(undefined)).then((outcome) => {
      if (!outcome?.ok) {
        callback(null, { message: `5.7.8 Authentication credentials invalid${outcome?.reason === 'authzid' ? ` (${outcome.message})` : ''}`, responseCode: 535 } as SMTPServerAuthenticationResponse);
        return;
      }
      callback(null, { user: outcome.account.address });
    }, (err: Error) => callback(err));
  }

  private onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    const utf8 = this.utf8Refusal(session, 'sender');
    if (utf8) return callback(new ReplyError(utf8));
    const decision = this.rules.checkSender(address.address);
    if (!decision.accept) return callback(new ReplyError(decision.reply));
    callback();
  }

  private onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    const state = this.stateOf(session);
    const utf8 = this.utf8Refusal(session, 'recipient');
    if (utf8) return callback(new ReplyError(utf8));
    const decision = this.rules.checkRecipient(address.address, {
      relay: state.relay,
      authenticated: session.user ? String(session.user) : undefined,
      sourceRoute: hasSourceRoute(state.command),
    });
    state.config = decision.accept ? undefined : recipientRefs(this.ctx.topology, this.ctx.host, { peer: state.peer, authenticated: session.user ? String(session.user) : undefined }, [{ address: address.address, decision }]);
    if (!decision.accept) return callback(new ReplyError(decision.reply));
    this.decisions.set(address, decision);
    callback();
  }

  /**
   * RFC 6531 section 3.5: a non-ASCII address needs the SMTPUTF8 parameter on MAIL FROM. Looked
   * at in the command line as sent (smtp-server turns a punycode domain into Unicode itself).
   */
  private utf8Refusal(session: SMTPServerSession, what: 'sender' | 'recipient'): Reply | undefined {
    const path = pathOf(this.stateOf(session).command) ?? '';
    if (session.envelope.smtpUtf8 || /^[\x00-\x7f]*$/.test(path)) return undefined;
    return { code: 553, enhanced: '5.6.7', text: `<${path}>... Non-ASCII addresses not permitted for that ${what} without SMTPUTF8 (RFC 6531): say MAIL FROM:<...> SMTPUTF8` };
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void): void {
    // Streamed, not buffered: a large message goes to a file as it comes, and past the limit
    // nothing is kept at all (data-spool.ts).
    const spool = new DataSpool(this.options.queue.dir ?? path.join(this.ctx.dataDir, 'queue'), this.limits.messageSize);
    stream.on('data', (chunk: Buffer) => {
      const behind = spool.push(chunk);
      if (!behind) return;
      stream.pause();
      void behind.then(() => stream.resume());
    });
    stream.once('error', () => spool.drop());
    stream.once('end', () => {
      const work = spool.finish().then((spooled) => this.accept(spooled, session)).then(
        (reply) => callback(null, reply),
        (err: Error) => callback(err),
      );
      const tracked = work.finally(() => this.inflight.delete(tracked));
      this.inflight.add(tracked);
    });
  }

  /** A complete message: check it, write it where it goes, and say what to reply. */
  private async accept(spooled: Awaited<ReturnType<DataSpool['finish']>>, session: SMTPServerSession): Promise<string> {
    const state = this.stateOf(session);
    const { ctx } = this;
    const limits = this.limits;
    if (spooled.exceeded) {
      // RFC 1870 section 6.3 (and RFC 5321 section 4.5.3.1.10): 552, the session goes on
      throw new ReplyError({ code: 552, enhanced: '5.3.4', text: `Message size exceeds fixed maximum message size (${limits.messageSize})` });
    }
    const raw = spooled.message;
    const scan = scanHeaders(raw);
    if (!scan.headless && scan.end > MAX_HEADERS_LENGTH) {
      throw new ReplyError({ code: 552, enhanced: '5.6.0', text: `Headers too large (${MAX_HEADERS_LENGTH} max)` });
    }
    // RFC 5321 section 6.3: a message that has passed this many hops is looping.
    if (scan.received >= limits.maxHops) {
      throw new ReplyError({ code: 554, enhanced: '5.4.6', text: `Too many hops ${scan.received + 1} (${limits.maxHops} max): mail loop?` });
    }

    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const local: { address: string; user: string }[] = [];
    const remote: string[] = [];
    for (const rcpt of session.envelope.rcptTo) {
      const decision = this.decisions.get(rcpt);
      if (!decision?.accept) continue;
      if (decision.route === 'local') local.push({ address: decision.mailbox.address, user: decision.user });
      else remote.push(decision.mailbox.address);
    }
    const recipients = [...local.map((r) => r.address), ...remote];
    const now = new Date(ctx.clock.now());
    // The queue hands out IDs that no file in the spool has; a message only for our own users
    // never reaches the spool (unless its mailbox cannot be written), so the plain generator does.
    const queueId = remote.length > 0 ? this.options.queue.newId() : newQueueId();
    const authenticated = session.user ? String(session.user) : undefined;
    const submission = state.role === 'client' || authenticated !== undefined;
    // RFC 6531 section 3.7.3 (and RFC 3848): UTF8SMTP, UTF8SMTPA for a session with SMTPUTF8
    const transmission = session.transmissionType || 'ESMTP';
    const protocol = session.envelope.smtpUtf8 ? `UTF8${transmission.replace(/^E/, '')}` : transmission;

    let fields = receivedHeader({
      helo: session.hostNameAppearsAs || state.peer.address,
      peerName: state.peerHost?.hostname,
      peerAddress: state.peer.address,
      hostname: this.hostname,
      address: ctx.host.address,
      protocol,
      queueId,
      recipient: recipients.length === 1 ? recipients[0] : undefined,
      date: now,
      authenticated,
    });
    let messageId = scan.messageId;
    // RFC 6409 section 8: the submission server adds what the mail program left out.
    if (submission && !messageId) {
      messageId = newMessageId(queueId, this.hostname, now);
      fields += `Message-ID: ${messageId}\r\n`;
    }
    if (submission && !scan.hasDate) fields += `Date: ${rfc5322Date(now)}\r\n`;
    const message = prependFields(raw, fields, scan);

    // The message is in: the session's hop (step 1, or the far end of 4-5) is reported now,
    // before the writes, so the trace reads in the lesson's order.
    const transcript = state.transcript.take();
    // written as the relay's side writes it (nodemailer's log), so both views read the same
    transcript.push({ dir: 'C', line: `<${raw.length} bytes of message>` }, { dir: 'C', line: '.' });
    const to = recipients.join(', ');
    const sender = envelopeFrom || '<>';
    const summary: Bilingual =
      state.role === 'mta'
        ? { ko: `${ctx.host.name}(${this.hostname})의 센드메일이 ${state.peerHost?.hostname ?? state.peer.host}에서 SMTP로 메일을 받았습니다 (받는 사람 ${to})`, en: `Mail for ${to} received by SMTP from ${state.peerHost?.hostname ?? state.peer.host}` }
        : { ko: `${ctx.host.name}(${this.hostname})의 센드메일이 SMTP로 메일을 받았습니다: ${sender} → ${to}`, en: `${sender} -> ${to}: ${this.hostname} took the mail by SMTP` };
    ctx.trace.report({
      ...this.base(state),
      steps: this.steps(state),
      status: 'ok',
      transcript,
      queueId,
      messageId,
      summary,
      detail: { sender, recipients, size: raw.length },
      config: recipientRefs(ctx.topology, ctx.host, { peer: state.peer, authenticated }, session.envelope.rcptTo.map((r) => ({ address: r.address, decision: this.decisions.get(r) }))),
    });

    // RFC 3461: RET and ENVID from MAIL FROM, NOTIFY and ORCPT from each RCPT, kept with the mail
    const dsnOf = (address: string): RecipientDsn | undefined => {
      const rcpt = session.envelope.rcptTo.find((r) => this.decisions.get(r)?.accept && (this.decisions.get(r) as { mailbox: { address: string } }).mailbox.address === address);
      return rcpt?.dsn ? { notify: rcpt.dsn.notify, orcpt: rcpt.dsn.orcpt } : undefined;
    };
    const given = session.envelope.dsn;
    const recipientDsn = Object.fromEntries(recipients.map((r) => [r, dsnOf(r)]).filter(([, d]) => d !== undefined));
    const envelope: Envelope = {
      from: envelopeFrom,
      recipients: remote,
      receivedFrom: { host: state.peer.host, address: state.peer.address, helo: session.hostNameAppearsAs || undefined },
      ...(given?.ret || given?.envid || Object.keys(recipientDsn).length
        ? { dsn: { ...(given?.ret ? { ret: given.ret as 'FULL' | 'HDRS' } : {}), ...(given?.envid ? { envid: given.envid } : {}), recipients: recipientDsn } }
        : {}),
      ...(session.envelope.smtpUtf8 ? { smtpUtf8: true } : {}),
    };
    const reply = `2.0.0 ${queueId} Message accepted for delivery`;
    const replyLine = `250 ${reply}`;

    // Our own users: the MDA writes the Maildir now (steps 6-7). One that cannot be written
    // goes into the queue with the others, so the runner tries it again: nothing is lost.
    const toQueue = [...remote];
    const delivered: string[] = [];
    for (let i = 0; i < local.length; i++) {
      const last = i === local.length - 1 && toQueue.length === 0;
      try {
        await this.options.mda.deliver(local[i].address, message, { ...envelope, recipients: [local[i].address] }, { queueId, messageId, reply: last ? replyLine : undefined });
        delivered.push(local[i].address);
      } catch {
        toQueue.push(local[i].address);
      }
    }
    // NOTIFY=SUCCESS (RFC 3461 section 6.2): the mailbox is written, tell the sender
    await this.notifyDelivered(envelope, message, queueId, delivered, now);
    if (toQueue.length > 0) {
      envelope.recipients = toQueue;
      const others = toQueue.join(', ');
      const queueEvent = {
        kind: 'queue' as const,
        from: ctx.host.name,
        to: ctx.host.name,
        fromAddress: ctx.host.address,
        toAddress: ctx.host.address,
        steps: STEPS.queue,
      };
      await ctx.trace.hold({
        ...queueEvent,
        files: this.options.queue.dir ? [`${this.options.queue.dir}${path.sep}df${queueId}`, `${this.options.queue.dir}${path.sep}qf${queueId}`] : undefined,
        summary: { ko: `센드메일 서비스가 ${others} 앞 메일을 메일 큐에 넣어 둡니다 (큐 ID ${queueId})`, en: `${this.hostname} writes the mail for ${others} into its mail queue (queue ID ${queueId})` },
      });
      let files: string[];
      try {
        ({ files } = await this.options.queue.enqueue(envelope, message, queueId));
      } catch (err) {
        const reason = (err as Error).message;
        ctx.trace.report({
          ...queueEvent,
          status: 'failed',
          queueId,
          messageId,
          summary: { ko: `메일 큐에 쓰지 못했습니다: ${reason}`, en: `Could not write the mail queue: ${reason}` },
          detail: { recipients: toQueue, error: reason },
        });
        throw new ReplyError({ code: 451, enhanced: '4.3.0', text: 'Requested action aborted: local error in processing (queue write failed)' });
      }
      ctx.trace.report({
        ...queueEvent,
        status: 'ok',
        queueId,
        messageId,
        files,
        protocol: 'SMTP',
        transcript: [{ dir: 'S', line: replyLine }],
        summary: { ko: `센드메일 서비스가 메일을 메일 큐에 넣어 두었습니다 (큐 ID ${queueId})`, en: `Queued (queue ID ${queueId})` },
        detail: { recipients: toQueue, reply: replyLine },
      });
    }
    // The reply line is in the last write's hop event; the session's next transcript starts after it.
    state.transcript.skipReply = true;
    if (toQueue.length > 0) setImmediate(() => this.options.kick?.());
    return reply;
  }

  /** A success notice for the local recipients that asked for one; the mail is delivered whatever becomes of it. */
  private async notifyDelivered(envelope: Envelope, message: Buffer, queueId: string, delivered: string[], now: Date): Promise<void> {
    const wanted = delivered.filter((address) => wantsNotice(envelope.dsn?.recipients?.[address]?.notify, 'SUCCESS'));
    if (wanted.length === 0) return;
    try {
      const queued = await queueNotice(this.ctx, this.options.queue, {
        queueId,
        envelope,
        original: message,
        arrival: now,
        dsn: envelope.dsn,
        recipients: wanted.map((address) => ({
          recipient: address,
          action: 'delivered' as const,
          status: '2.0.0',
          diagnostic: `250 2.0.0 ${queueId} delivered to mailbox`,
          orcpt: envelope.dsn?.recipients?.[address]?.orcpt,
        })),
      });
      if (queued) {
        this.ctx.trace.report({ kind: 'queue', from: this.ctx.host.name, to: this.ctx.host.name, fromAddress: this.ctx.host.address, toAddress: this.ctx.host.address, status: 'ok', queueId, files: queued.files, summary: { ko: `배달 완료 알림(DSN)을 <${envelope.from}>에게 보냅니다 (큐 ID ${queued.id})`, en: `Success notice (DSN) for <${envelope.from}> queued (queue ID ${queued.id})` }, detail: { dsnQueueId: queued.id, notify: 'SUCCESS', recipients: wanted } });
        setImmediate(() => this.options.kick?.());
      }
    } catch (err) {
      this.ctx.trace.report({ kind: 'queue', from: this.ctx.host.name, to: this.ctx.host.name, status: 'failed', queueId, summary: { ko: `배달 완료 알림을 큐에 쓰지 못했습니다: ${(err as Error).message}`, en: `Could not queue the success notice: ${(err as Error).message}` }, detail: { error: (err as Error).message } });
    }
  }

  // ---- shutting down -----------------------------------------------------------------------

  /**
   * Stop listening, let messages being written finish (their clients get their 250), tell every
   * other session 421 (RFC 5321 section 3.8) and end it.
   */
  async close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    const wasListening = this.state === 'listening';
    this.state = 'closing';
    const closed = new Promise<void>((resolve) => {
      if (!wasListening) return resolve();
      this.socketServer.close(() => resolve());
    });
    // Writes in flight finish (bounded: a client stalled in DATA does not hold the lab up).
    if (this.inflight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
    }
    for (const connection of this.server?.connections ?? []) connection.send(421, `4.3.2 ${this.hostname} Service shutting down`);
    // Clients that do not close their side after the 421 are cut off.
    const linger = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, 500);
    linger.unref();
    await closed;
    clearTimeout(linger);
    this.state = 'closed';
  }
}
