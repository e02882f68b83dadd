import path from 'node:path';
import { util } from '../node-builtins.ts';
import { isAscii } from 'node:buffer';
import type net from 'node:net';
import { smtpPackages, type SMTPClient as SMTPConnection } from './mail-packages.ts';
import type { HostContext } from '../host/host-context.ts';
import type { LabTimer } from '../trace/lab-clock.ts';
import type { HopStatus, TranscriptLine } from '../trace/hop-event.ts';
import { STEPS } from '../trace/steps.ts';
import { DeliveryFailure, type MxHost } from './mx-lookup.ts';
import { josa } from '../trace/korean.ts';

// Steps 4-5 of the seed's sendmail figure: the MTA hands the message to the next mail server
// over SMTP. The client is nodemailer's SMTPConnection (the engine of its SMTP transport),
// given a socket that the lab network opened from this host, so the receiving MTA sees us as
// our lab host and address. We use the connection class rather than the transport because the
// relay needs, per transaction, each recipient's own reply and the transcript of that one
// session, which the transport's pool hides.
//
// MX hosts are tried by preference, the next one on a refused connection, a time-out, a lost
// connection or a 4xx reply before the message was taken (RFC 5321 section 5.1). A 5xx reply is
// final for the recipients it names. Connections are kept for a short while per destination
// and reused (after RSET when a transaction failed), as sendmail's connection cache does.

export interface RelayOptions {
  /** ms to wait for the 220 greeting (nodemailer's greetingTimeout) */
  greetingTimeout?: number;
  /** ms of silence mid-session before giving up (nodemailer's socketTimeout) */
  socketTimeout?: number;
  /** ms an unused connection stays open for the next message */
  idleMs?: number;
  /** most idle connections kept per destination address */
  maxIdlePerDestination?: number;
}

export interface RelayRequest {
  queueId: string;
  /** envelope sender, '' for the null sender */
  from: string;
  recipients: string[];
  message: Buffer;
  domain: string;
  hosts: MxHost[];
  /** RFC 3461 parameters passed on: RET, ENVID, and these recipients' NOTIFY and ORCPT */
  dsn?: { ret?: 'FULL' | 'HDRS'; envid?: string; notify?: string[]; orcpt?: string };
  /** the message came with SMTPUTF8 (RFC 6531) */
  smtpUtf8?: boolean;
}

export type RecipientAction = 'delivered' | 'defer' | 'bounce';

export interface RecipientResult {
  recipient: string;
  action: RecipientAction;
  /** the reply as the server gave it, or what went wrong written as a reply */
  reply: string;
  /** enhanced status code (RFC 3463) */
  status: string;
  /** the mail exchanger that gave the reply */
  remoteMta?: string;
  /**
   * What a NOTIFY=SUCCESS gets for this delivery: 'delivered' (a mailbox here), 'relayed' (the
   * next hop does not speak DSN, RFC 3461 section 6.2.2), 'none' (it does, and will tell).
   */
  dsnAction?: 'delivered' | 'relayed' | 'none';
}

/** One SMTP session to a destination, with everything nodemailer logged on it. */
interface Session {
  conn: SMTPConnection;
  lines: TranscriptLine[];
  address: string;
  exchange: string;
  transactions: number;
  /** called when the message's final dot is on its way, before the server's reply */
  hooks: MessageHooks;
  idleTimer?: LabTimer;
  closed: boolean;
  /** the server listed DSN in its EHLO reply (kept: a reused connection's log starts afresh) */
  speaksDsn?: boolean;
}

type Attempt = { kind: 'done'; results: RecipientResult[] } | { kind: 'next'; failure: DeliveryFailure };

export class Relay {
  private readonly ctx: HostContext;
  private readonly options: Required<RelayOptions>;
  private readonly idle = new Map<string, Session[]>();
  private readonly open = new Set<Session>();
  private closed = false;

  constructor(ctx: HostContext, options: RelayOptions = {}) {
    this.ctx = ctx;
    this.options = {
      greetingTimeout: options.greetingTimeout ?? 30_000,
      socketTimeout: options.socketTimeout ?? 60_000,
      idleMs: options.idleMs ?? 2_000,
      maxIdlePerDestination: options.maxIdlePerDestination ?? 8,
    };
  }

  /** Send one message to the recipients of one domain; returns each recipient's result. */
  async send(req: RelayRequest): Promise<RecipientResult[]> {
    let last: DeliveryFailure | undefined;
    let temporary = false;
    for (const host of req.hosts) {
      for (const address of host.addresses) {
        const attempt = await this.tryAddress(req, host, address);
        if (attempt.kind === 'done') return attempt.results;
        last = attempt.failure;
        if (attempt.failure.action === 'defer') temporary = true;
      }
    }
    const failure = last ?? new DeliveryFailure('defer', '4.4.3', `451 4.4.3 ${req.domain}: no mail exchanger to try`);
    // Every exchanger failed before taking the message: defer unless all of them refused for good.
    const action: RecipientAction = temporary ? 'defer' : 'bounce';
    return req.recipients.map((recipient) => ({ recipient, action, reply: failure.reply, status: failure.status, remoteMta: failure.remoteMta }));
  }

  private async tryAddress(req: RelayRequest, host: MxHost, address: string): Promise<Attempt> {
    const ctx = this.ctx;
    const to = ctx.net.hostAt(address) ?? 'outside';
    const preview = {
      kind: 'relay' as const,
      from: ctx.host.name,
      to,
      fromAddress: ctx.host.address,
      toAddress: address,
      steps: STEPS.relay,
      protocol: 'SMTP',
      // the data file the MDA sends from the queue
      files: [path.join(ctx.dataDir, 'queue', `df${req.queueId}`)],
      summary: {
        ko: `${ctx.host.name}의 MDA가 SMTP로 ${to}(${host.exchange}, ${address})의 센드메일 서비스에 메일을 보냅니다 (큐 ID ${req.queueId})`,
        en: `${ctx.host.name}'s MDA sends the mail to ${host.exchange} (${address}) by SMTP (queue ID ${req.queueId})`,
      },
    };
    await ctx.trace.hold(preview);

    // Step 4-5 is reported when the message has crossed (its final dot sent), so that it comes
    // before the receiving server's step 6-7, which happens before that server's 250 reply.
    // The reply then follows as a hop of its own, without a step number.
    let sentAt = -1;
    const onMessageSent = (lines: TranscriptLine[]) => {
      if (sentAt >= 0) return;
      sentAt = lines.length;
      ctx.trace.report({
        ...preview,
        summary: {
          ko: `${ctx.host.name}의 MDA가 SMTP로 ${to}(${host.exchange}, ${address})의 센드메일 서비스에 메일을 보냈고, 답을 기다립니다 (큐 ID ${req.queueId})`,
          en: `${ctx.host.name}'s MDA sent the mail to ${host.exchange} (${address}) by SMTP and waits for the reply (queue ID ${req.queueId})`,
        },
        transcript: lines,
        queueId: req.queueId,
        detail: { domain: req.domain, exchange: host.exchange, preference: host.preference, address, recipients: req.recipients },
      });
    };
    let outcome = await this.transaction(req, host, address, true, onMessageSent);
    if (outcome.retryFresh && sentAt < 0) outcome = await this.transaction(req, host, address, false, onMessageSent);
    const { attempt, reused } = outcome;
    const transcript = sentAt >= 0 ? outcome.transcript.slice(sentAt) : outcome.transcript;

    let status: HopStatus;
    let summary: { ko: string; en: string };
    if (attempt.kind === 'next') {
      status = 'deferred';
      summary = {
        ko: `${host.exchange}(${address})${josa(host.exchange, '으로')} 보내지 못해 나중에 (또는 다음 MX로) 다시 보냅니다: "${attempt.failure.reply}"`,
        en: `Relay to ${host.exchange} (${address}) failed, will retry: ${attempt.failure.reply}`,
      };
    } else {
      const results = attempt.results;
      const delivered = results.filter((r) => r.action === 'delivered');
      status = delivered.length === results.length ? 'ok' : results.some((r) => r.action === 'bounce') ? 'bounced' : 'deferred';
      const reply = (delivered[0] ?? results[0]).reply;
      summary = status === 'ok'
        ? { ko: `${host.exchange}${josa(host.exchange, '이')} 메일을 받았습니다: "${reply}"`, en: `${host.exchange} took the mail: ${reply}` }
        : { ko: `${host.exchange}(${address})${josa(host.exchange, '이')} 거절했습니다: "${reply}"`, en: `${host.exchange} (${address}) refused: ${reply}` };
    }
    ctx.trace.report({
      ...preview,
      ...(sentAt >= 0 ? { steps: undefined } : {}),
      status,
      summary,
      transcript,
      queueId: req.queueId,
      detail: {
        domain: req.domain,
        exchange: host.exchange,
        preference: host.preference,
        address,
        reused,
        recipients: attempt.kind === 'done'
          ? attempt.results.map((r) => ({ recipient: r.recipient, action: r.action, reply: r.reply }))
          : req.recipients.map((recipient) => ({ recipient, action: 'next-mx', reply: attempt.failure.reply })),
      },
    });
    return attempt;
  }

  /** One SMTP transaction on a pooled or a new connection. */
  private async transaction(req: RelayRequest, host: MxHost, address: string, mayReuse: boolean, onMessageSent: (lines: TranscriptLine[]) => void): Promise<{ attempt: Attempt; transcript: TranscriptLine[]; reused: boolean; retryFresh?: boolean }> {
    const remoteMta = host.exchange;
    let session = mayReuse ? this.takeIdle(address) : undefined;
    const reused = session !== undefined;
    if (!session) {
      try {
        session = await this.connect(address, host.exchange);
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { lines?: TranscriptLine[]; responseCode?: number; response?: string };
        return { attempt: { kind: 'next', failure: connectFailure(e, host.exchange, address) }, transcript: e.lines ?? [], reused };
      }
    }
    // a kept connection's log starts afresh with each transaction (the greeting was in the first)
    if (reused) session.lines.length = 0;
    const transcript = () => session.lines.slice();
    session.hooks.onMessageSent = () => onMessageSent(transcript());
    session.hooks.messageBytes = req.message.length;
    session.hooks.sent = false;
    session.transactions++;
    try {
      const dsn = req.dsn && (req.dsn.ret || req.dsn.envid || req.dsn.notify || req.dsn.orcpt)
        ? { ret: req.dsn.ret, envid: req.dsn.envid, notify: req.dsn.notify, orcpt: req.dsn.orcpt }
        : undefined;
      const info = await sendOn(session.conn, {
        from: req.from,
        to: req.recipients,
        size: req.message.length,
        use8BitMime: hasEightBit(req.message),
        dsn,
      }, req.message);
      const speaksDsn = session.speaksDsn === true;
      this.release(session);
      const rejected = new Map((info.rejectedErrors ?? []).map((e) => [(e as { recipient?: string }).recipient ?? '', e]));
      const results = req.recipients.map((recipient): RecipientResult => {
        const err = rejected.get(recipient);
        if (!err) return { recipient, action: 'delivered', reply: info.response, status: enhancedStatus(info.response, '2.0.0'), remoteMta, dsnAction: speaksDsn ? 'none' : 'relayed' };
        return replyResult(recipient, err.response ?? err.message, remoteMta);
      });
      return { attempt: { kind: 'done', results }, transcript: transcript(), reused };
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { responseCode?: number; response?: string; command?: string; rejectedErrors?: { recipient?: string; response?: string; responseCode?: number }[] };
      const lines = transcript();
      const transient = e.responseCode === 421 || e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'ETIMEDOUT';
      // A kept connection the server dropped meanwhile: nothing was taken, try a fresh one.
      if (reused && transient) {
        this.discard(session);
        return { attempt: { kind: 'next', failure: new DeliveryFailure('defer', '4.4.2', '421 4.4.2 lost connection') }, transcript: lines, reused, retryFresh: true };
      }
      if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !session.closed) {
        void this.resetAndRelease(session);
      } else {
        this.discard(session);
      }
      return { attempt: failureAttempt(req, e, remoteMta, address), transcript: lines, reused };
    }
  }

  private async connect(address: string, exchange: string): Promise<Session> {
    const ctx = this.ctx;
    const lines: TranscriptLine[] = [];
    const hooks: Session['hooks'] = {};
    let socket: net.Socket;
    try {
      socket = await ctx.net.connect(ctx.host.name, address, 25);
    } catch (err) {
      Object.assign(err as object, { lines });
      throw err;
    }
    const logger = transcriptLogger(lines, hooks);
    const conn = new (smtpPackages().client)({
      connection: socket,
      host: address,
      port: 25,
      name: ctx.host.hostname ?? ctx.host.name,
      // the lab has no certificates; the class reads the session in clear text
      ignoreTLS: true,
      greetingTimeout: this.options.greetingTimeout,
      socketTimeout: this.options.socketTimeout,
      connectionTimeout: this.options.greetingTimeout,
      socketCloseTimeout: 0,
      transactionLog: true,
      logger,
    });
    // nodemailer wraps the logger in one that copies each entry into a new object first
    // (shared/index.js _logFunc), twice per command; this one reads two fields of the entry, so it
    // takes nodemailer's calls directly (a later nodemailer without the field keeps the wrapper)
    if ('logger' in conn) (conn as unknown as { logger: unknown }).logger = logger;
    const session: Session = { conn, lines, hooks, address, exchange, transactions: 0, closed: false };
    conn.on('error', () => this.discard(session));
    conn.on('end', () => this.discard(session));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        Object.assign(err, { lines });
        reject(err);
      };
      conn.once('error', onError);
      conn.connect((err?: Error) => {
        conn.off('error', onError);
        if (err) onError(err);
        else resolve();
      });
    });
    // the next hop says DSN in its EHLO reply (RFC 3461 section 3): it takes NOTIFY on and tells the sender itself
    session.speaksDsn = lines.some((l) => l.dir === 'S' && /^250[ -]DSN\b/i.test(l.line));
    this.open.add(session);
    return session;
  }

  private takeIdle(address: string): Session | undefined {
    const list = this.idle.get(address);
    while (list && list.length) {
      const session = list.pop()!;
      session.idleTimer?.clear();
      if (!session.closed) return session;
    }
    return undefined;
  }

  private release(session: Session): void {
    if (session.closed) return;
    const list = this.idle.get(session.address) ?? [];
    if (this.closed || list.length >= this.options.maxIdlePerDestination) {
      this.quit(session);
      return;
    }
    list.push(session);
    this.idle.set(session.address, list);
    session.idleTimer = this.ctx.clock.setTimeout(() => this.quit(session), this.options.idleMs).unref();
  }

  private async resetAndRelease(session: Session): Promise<void> {
    const ok = await new Promise<boolean>((resolve) => session.conn.reset((err) => resolve(!err)));
    if (ok) this.release(session);
    else this.discard(session);
  }

  private quit(session: Session): void {
    if (session.closed) return;
    this.forget(session);
    session.conn.quit();
  }

  private discard(session: Session): void {
    if (session.closed) return;
    this.forget(session);
    session.conn.close();
  }

  private forget(session: Session): void {
    session.closed = true;
    session.idleTimer?.clear();
    this.open.delete(session);
    const list = this.idle.get(session.address);
    if (list) {
      const i = list.indexOf(session);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /** Say QUIT on every kept connection. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = [...this.open].map((session) => new Promise<void>((resolve) => {
      session.conn.once('end', () => resolve());
      const timer = setTimeout(resolve, 1000);
      timer.unref();
      this.quit(session);
    }));
    this.idle.clear();
    await Promise.all(closing);
  }
}

function sendOn(conn: SMTPConnection, envelope: { from: string; to: string[]; size: number; use8BitMime: boolean; dsn?: { ret?: string; envid?: string; notify?: string[]; orcpt?: string } }, message: Buffer) {
  return new Promise<NonNullable<Parameters<Parameters<SMTPConnection['send']>[2]>[1]>>((resolve, reject) => {
    conn.send(envelope, message, (err, info) => (err ? reject(err) : resolve(info!)));
  });
}

/** What a session's logger says of the message in the transaction under way. */
interface MessageHooks {
  onMessageSent?: () => void;
  /** the message's size, for its transcript line */
  messageBytes?: number;
  /** its lines are in the transcript and step 4-5 is reported */
  sent?: boolean;
}

/**
 * A bunyan-style logger that keeps nodemailer's transaction log as C:/S: transcript lines.
 * Step 4-5 is reported at the 354 reply, which nodemailer logs just before it writes the message
 * in the same turn: the report is then made before a byte of the message leaves. Its own log
 * line comes turns later, when its data stream ends, and in the containers runtime the receiving
 * container could write the letter and report step 6-7 before that (the runner orders the
 * hosts' hops by the time each was reported: hop-merge.ts).
 */
function transcriptLogger(lines: TranscriptLine[], hooks: MessageHooks) {
  const sent = (bytes: number) => {
    if (hooks.sent) return;
    hooks.sent = true;
    lines.push({ dir: 'C', line: `<${bytes} bytes of message>` });
    lines.push({ dir: 'C', line: '.' });
    hooks.onMessageSent?.();
  };
  const log = (entry: { tnx?: string; inByteCount?: number } | undefined, message?: string, ...args: unknown[]) => {
    if (!entry) return;
    if (entry.tnx === 'client' || entry.tnx === 'server') {
      const dir = entry.tnx === 'client' ? 'C' : 'S';
      const text = args.length === 0 && typeof message === 'string' ? message : util.format(message ?? '', ...args);
      if (!text.includes('\n')) lines.push({ dir, line: text });
      else for (const line of text.split(/\r?\n/)) lines.push({ dir, line });
      if (dir === 'S' && hooks.messageBytes !== undefined && /^354 /.test(text)) sent(hooks.messageBytes);
    } else if (entry.tnx === 'message' && entry.inByteCount !== undefined) {
      sent(entry.inByteCount);
    }
  };
  return { trace: log, debug: log, info: log, warn: log, error: log, fatal: log };
}

function hasEightBit(message: Buffer): boolean {
  return !isAscii(message);
}

/** '550 5.1.1 <x>... User unknown' -> '5.1.1'; a reply without one gets the class default. */
export function enhancedStatus(reply: string, fallback: string): string {
  const m = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(reply);
  return m ? m[1] : fallback;
}

function replyResult(recipient: string, reply: string, remoteMta: string): RecipientResult {
  const code = Number(reply.slice(0, 3));
  const permanent = code >= 500;
  return { recipient, action: permanent ? 'bounce' : 'defer', reply, status: enhancedStatus(reply, permanent ? '5.0.0' : '4.0.0'), remoteMta };
}

function connectFailure(err: NodeJS.ErrnoException & { responseCode?: number; response?: string }, exchange: string, address: string): DeliveryFailure {
  if (err.response && err.responseCode) {
    // a greeting or EHLO refusal: 554 at the greeting means "no service here", try the next MX
    const action = err.responseCode >= 500 ? 'bounce' : 'defer';
    return new DeliveryFailure(action, enhancedStatus(err.response, action === 'bounce' ? '5.0.0' : '4.0.0'), err.response, exchange);
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return new DeliveryFailure('defer', '4.4.1', `421 4.4.1 Connection refused by ${exchange}. [${address}]`, exchange);
    case 'EHOSTUNREACH':
      return new DeliveryFailure('defer', '4.4.1', `421 4.4.1 No route to host ${exchange}. [${address}]`, exchange);
    case 'ETIMEDOUT':
      return new DeliveryFailure('defer', '4.4.1', `421 4.4.1 Connection timed out with ${exchange}. [${address}] (${err.message})`, exchange);
    default:
      return new DeliveryFailure('defer', '4.4.2', `421 4.4.2 ${exchange}. [${address}]: ${err.message}`, exchange);
  }
}

/** What a failed transaction means for the recipients of this request. */
function failureAttempt(
  req: RelayRequest,
  e: NodeJS.ErrnoException & { responseCode?: number; response?: string; command?: string; rejectedErrors?: { recipient?: string; response?: string; responseCode?: number }[] },
  remoteMta: string,
  address: string,
): Attempt {
  const code = e.responseCode ?? 0;
  if (e.code === 'EENVELOPE' && e.command === 'RCPT TO' && e.rejectedErrors?.length) {
    // every recipient refused: the ones refused for good bounce; if all were only "try later", the next MX may take them
    const byRecipient = new Map(e.rejectedErrors.map((r) => [r.recipient ?? '', r]));
    const results = req.recipients.map((recipient) => replyResult(recipient, byRecipient.get(recipient)?.response ?? e.response ?? e.message, remoteMta));
    if (results.every((r) => r.action === 'defer')) return { kind: 'next', failure: new DeliveryFailure('defer', results[0].status, results[0].reply, remoteMta) };
    return { kind: 'done', results };
  }
  if (e.response && code >= 500 && code !== 503) {
    // MAIL FROM, DATA or the message itself refused for good: every recipient of this transaction bounces
    return { kind: 'done', results: req.recipients.map((recipient) => replyResult(recipient, e.response!, remoteMta)) };
  }
  if (e.response && code >= 400) {
    return { kind: 'next', failure: new DeliveryFailure('defer', enhancedStatus(e.response, '4.0.0'), e.response, remoteMta) };
  }
  if (e.code === 'ETIMEDOUT') {
    return { kind: 'next', failure: new DeliveryFailure('defer', '4.4.2', `421 4.4.2 ${remoteMta}. [${address}]: timeout (${e.message})`, remoteMta) };
  }
  return { kind: 'next', failure: new DeliveryFailure('defer', '4.4.2', `421 4.4.2 ${remoteMta}. [${address}]: lost connection (${e.message})`, remoteMta) };
}
