import { fs } from '../node-builtins.ts';
import type { FSWatcher } from 'node:fs';
import { rm } from '../fs-async.ts';
import path from 'node:path';
import type { HostContext } from '../host/host-context.ts';
import type { LabTimer } from '../trace/lab-clock.ts';
import type { Bilingual } from '../trace/hop-event.ts';
import { servesDomain } from '../topology/accounts.ts';
import { ACTIVE, FLUSH_REQUEST, type Envelope, type Queue, type QueueControl, type RecipientState } from './queue.ts';
import { parseSchedule, retryDelay, formatDuration } from './retry-schedule.ts';
import { lookupMx, DeliveryFailure, MxCache } from './mx-lookup.ts';
import { Relay, type RecipientResult, type RelayOptions } from './relay.ts';
import { buildDsn, countReceived, isNullSender, wantsNotice, type BounceFailure, type DsnAction } from './bounce.ts';
import { domainOf } from './address.ts';
import { messageDsnOf, queueNotice } from './notice.ts';
import { STEPS } from '../trace/steps.ts';
import { durationKo, josa } from '../trace/korean.ts';

// Step 3 of the seed's sendmail figure ("when the time comes, sendmail asks the MDA to send the
// mail"): the queue runner. Haraka's outbound path, per message:
//   send_email -> get_mx -> delivered | deferred | bounce
// A message is delivered at once when it is queued (the 'enqueued' event), then retried on the
// schedule; each recipient keeps its own state in the control file. Recipients of the same
// domain share one SMTP transaction; recipients of this host's own domains go to the MDA
// (deliverLocal). A few messages are delivered at once (concurrency), never more.
//
// `mailq --flush` asks a running runner to retry everything now by dropping the file
// FLUSH_REQUEST into the spool folder; the runner watches the folder (fs.watch), removes the
// file and flushes. A file works across processes without knowing any port, and a request made
// while the lab is down is taken when it starts again. (sendmail answers ETRN, RFC 1985, for the
// same; that needs the SMTP port and a session, a file needs neither.)

/** The MDA of this host (steps 6-7); the fourth argument tells which queued message it is. */
export type DeliverLocal = (recipient: string, message: Buffer, envelope: Envelope, info?: { queueId: string }) => Promise<{ file: string }>;

export interface QueueRunnerOptions {
  ctx: HostContext;
  queue: Queue;
  deliverLocal: DeliverLocal;
  /** retry schedule, Haraka style ('5s, 30s*2, 2m*3'); default the host's `mail.retry` */
  schedule?: string;
  /** most messages in delivery at once */
  concurrency?: number;
  relay?: RelayOptions;
  /** watch the spool folder for mailq's flush requests (default true) */
  watchFlush?: boolean;
}

interface Entry {
  control: QueueControl;
  /** ms since the epoch when the earliest active recipient is due */
  due: number;
  running: boolean;
  /** flush: try every active recipient now, whatever its next try */
  force: boolean;
  /** the message as enqueued, kept until the first delivery run (saves reading df back at once) */
  message?: Buffer;
  where: 'ready' | 'waiting' | 'none';
}

const DEFAULT_SCHEDULE = '5s, 30s*2, 2m*3';

export class QueueRunner {
  readonly ctx: HostContext;
  readonly queue: Queue;
  readonly schedule: number[];
  readonly scheduleText: string;
  private readonly deliverLocal: DeliverLocal;
  private readonly concurrency: number;
  private readonly relay: Relay;
  /** MX answers shared by letters queued together (mx-lookup.ts) */
  private readonly mxCache = new MxCache();
  private readonly watchFlush: boolean;
  private readonly entries = new Map<string, Entry>();
  private ready: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private timer: LabTimer | undefined;
  private timerAt = Infinity;
  private watcher: FSWatcher | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  /** letters queued whose add() is still to come (onEnqueued): the runner is not idle meanwhile */
  private arriving = 0;
  // On the next turn of the event loop, so that the listener reports step 2 (and answers 250)
  // before this runner's first hop (step 3) is held or reported.
  private readonly onEnqueued = (control: QueueControl, message: Buffer) => {
    this.arriving++;
    setImmediate(() => {
      this.arriving--;
      this.add(control, message);
      if (this.state !== 'running') this.wakeIdle(false);
    });
  };

  constructor(options: QueueRunnerOptions) {
    this.ctx = options.ctx;
    this.queue = options.queue;
    this.deliverLocal = options.deliverLocal;
    this.scheduleText = options.schedule ?? options.ctx.host.mail?.retry ?? DEFAULT_SCHEDULE;
    this.schedule = parseSchedule(this.scheduleText);
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    // as many kept connections as deliveries at once: letters queued together each find one
    this.relay = new Relay(options.ctx, { maxIdlePerDestination: this.concurrency, ...options.relay });
    this.watchFlush = options.watchFlush ?? true;
  }

  /** Load the spool (a restart carries on where the last run stopped) and start delivering. */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'starting';
    this.queue.on('enqueued', this.onEnqueued);
    const { entries, problems } = await this.queue.load();
    for (const problem of problems) {
      this.report({ ko: `메일 큐 정리: ${problem}`, en: `Queue repaired: ${problem}` }, 'failed', { problem });
    }
    for (const control of entries) this.add(control);
    if (entries.length) {
      this.report(
        { ko: `메일 큐에 남아 있던 메일 ${entries.length}통을 이어서 배달합니다`, en: `Queue reloaded: ${entries.length} letter${entries.length === 1 ? '' : 's'} carry on` },
        'ok',
        { reloaded: entries.map((c) => c.id) },
      );
    }
    if (this.watchFlush) {
      this.watcher = fs.watch(this.queue.dir, (_event, filename) => {
        if (filename === FLUSH_REQUEST) void this.takeFlushRequest();
      });
      this.watcher.on('error', () => undefined);
      // a request dropped while nothing was watching
      await this.takeFlushRequest();
    }
    this.state = 'running';
    this.tick();
  }

  /** Deliver what is due now. */
  kick(): void {
    this.tick();
  }

  /** Retry every message now, whatever its next try (sendmail -q, mailq --flush). */
  flush(): void {
    for (const entry of this.entries.values()) {
      entry.force = true;
      entry.due = 0;
    }
    this.tick();
  }

  /** Resolves when nothing is in delivery and nothing is due before the next scheduled retry. */
  onIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop cleanly: no new deliveries, wait for those in flight, close kept connections. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.queue.off('enqueued', this.onEnqueued);
    this.timer?.clear();
    this.timer = undefined;
    this.watcher?.close();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await this.relay.close();
    this.state = 'stopped';
    this.wakeIdle(true);
  }

  /** How many messages the runner knows of (for tests and the lab's status line). */
  get size(): number {
    return this.entries.size;
  }

  private add(control: QueueControl, message?: Buffer): void {
    if (this.entries.has(control.id) || this.state === 'stopping' || this.state === 'stopped') return;
    const entry: Entry = { control, due: dueOf(control), running: false, force: false, where: 'none', message };
    this.entries.set(control.id, entry);
    this.place(entry);
    if (this.state === 'running') this.tick();
  }

  private place(entry: Entry): void {
    if (entry.running) return;
    const now = this.ctx.clock.now();
    if (entry.due <= now) {
      if (entry.where === 'waiting') this.waiting.delete(entry.control.id);
      if (entry.where !== 'ready') this.ready.push(entry.control.id);
      entry.where = 'ready';
    } else {
      if (entry.where === 'ready') this.ready = this.ready.filter((id) => id !== entry.control.id);
      this.waiting.add(entry.control.id);
      entry.where = 'waiting';
    }
  }

  /** Move what came due into the ready list, start deliveries, arm the timer for the next. */
  private tick(): void {
    if (this.state !== 'running') return;
    const now = this.ctx.clock.now();
    for (const id of this.waiting) {
      const entry = this.entries.get(id);
      if (!entry) this.waiting.delete(id);
      else if (entry.due <= now) this.place(entry);
    }
    while (this.inflight.size < this.concurrency && this.ready.length) {
      const id = this.ready.shift()!;
      const entry = this.entries.get(id);
      if (!entry || entry.running) continue;
      entry.where = 'none';
      this.run(entry);
    }
    this.arm();
    this.wakeIdle(false);
  }

  private arm(): void {
    let next = Infinity;
    for (const id of this.waiting) {
      const entry = this.entries.get(id);
      if (entry && entry.due < next) next = entry.due;
    }
    if (next === this.timerAt && this.timer) return;
    this.timer?.clear();
    this.timer = undefined;
    this.timerAt = next;
    if (next === Infinity) return;
    // lab time: a retry does not come due while a hop is held (--step)
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.tick();
    }, Math.max(0, next - this.ctx.clock.now()));
    // a pending retry must not keep a finished test or a stopped lab alive
    this.timer.unref();
  }

  private run(entry: Entry): void {
    entry.running = true;
    const force = entry.force;
    entry.force = false;
    const job = this.deliver(entry, force)
      .catch((err: Error) => {
        // A fault of our own (a disk error, a bug): keep the message and try it again later.
        entry.due = this.ctx.clock.now() + (this.schedule[0] ?? 1000);
        this.report(
          { ko: `큐 ID ${entry.control.id}의 메일을 처리하다 오류가 났습니다: ${err.message}`, en: `Queue ID ${entry.control.id}: delivery run failed: ${err.message}` },
          'failed',
          { error: err.stack ?? err.message },
          entry.control.id,
        );
      })
      .finally(() => {
        entry.running = false;
        // a flush that came while this run was going applies to the next one, now
        if (entry.force) entry.due = 0;
        this.inflight.delete(job);
        if (this.entries.get(entry.control.id) === entry) this.place(entry);
        this.tick();
        if (this.state === 'stopping') this.wakeIdle(false);
      });
    this.inflight.add(job);
  }

  private isIdle(): boolean {
    if (this.state === 'stopped') return true;
    if (this.inflight.size || this.ready.length || this.arriving) return false;
    const now = this.ctx.clock.now();
    for (const id of this.waiting) {
      const entry = this.entries.get(id);
      if (entry && entry.due <= now) return false;
    }
    return true;
  }

  private wakeIdle(force: boolean): void {
    if (!this.idleWaiters.length || (!force && !this.isIdle())) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** One delivery run of one message: every active recipient that is due. */
  private async deliver(entry: Entry, force: boolean): Promise<void> {
    const { ctx, queue } = this;
    const control = entry.control;
    const id = control.id;
    const now = ctx.clock.now();

    let message: Buffer;
    try {
      message = entry.message ?? (await queue.readMessage(id));
      entry.message = undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // the data file went away under us (removed by hand): nothing left to deliver
      await queue.remove(id);
      this.entries.delete(id);
      this.report({ ko: `큐 ID ${id}: 데이터 파일(df)이 없어 메일 큐에서 지웠습니다`, en: `Queue ID ${id}: data file missing, entry removed` }, 'failed', {}, id);
      return;
    }

    const due = control.recipients.filter((r) => ACTIVE.has(r.status) && (force || (r.nextTry ?? 0) <= now));
    const results = new Map<RecipientState, RecipientResult>();
    const maxHops = ctx.host.mail?.limits?.maxHops ?? 30;
    const hops = countReceived(message);
    if (hops > maxHops) {
      // RFC 5321 section 6.3: a message with too many Received headers is looping
      const reply = `554 5.4.6 Too many hops ${hops} (${maxHops} max): from <${control.envelope.from}>`;
      for (const r of due) results.set(r, { recipient: r.address, action: 'bounce', reply, status: '5.4.6' });
    } else {
      const local: RecipientState[] = [];
      const remote = new Map<string, RecipientState[]>();
      for (const r of due) {
        const domain = domainOf(r.address);
        if (servesDomain(ctx.host, domain)) local.push(r);
        else remote.set(domain, [...(remote.get(domain) ?? []), r]);
      }
      await Promise.all([
        ...local.map(async (r) => results.set(r, await this.deliverHere(r.address, message, control))),
        ...[...remote].map(async ([domain, rs]) => {
          for (const result of await this.deliverThere(domain, rs, message, control)) {
            const r = rs.find((x) => x.address === result.recipient);
            if (r) results.set(r, result);
          }
        }),
      ]);
    }

    // Each recipient's new state; a deferral past the end of the schedule bounces.
    const bounced: RecipientState[] = [];
    const deferred: RecipientState[] = [];
    const delivered: { r: RecipientState; result: RecipientResult }[] = [];
    const finished = ctx.clock.now();
    for (const [r, result] of results) {
      r.attempts++;
      r.lastTry = finished;
      r.remoteMta = result.remoteMta;
      if (result.action === 'delivered') {
        delivered.push({ r, result });
        r.status = 'delivered';
        r.lastError = undefined;
        r.lastStatus = undefined;
        r.nextTry = undefined;
        continue;
      }
      r.lastError = result.reply;
      r.lastStatus = result.status;
      if (result.action === 'defer') {
        const delay = retryDelay(this.schedule, r.attempts);
        if (delay !== undefined) {
          r.status = 'deferred';
          r.nextTry = finished + delay;
          deferred.push(r);
          continue;
        }
        // RFC 3463: X.4.7, delivery time expired; the last reply stays as the diagnostic
        r.lastError = `${result.reply} (gave up after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}, schedule ${this.scheduleText})`;
        r.lastStatus = '4.4.7';
      }
      r.status = 'bounced';
      r.nextTry = undefined;
      bounced.push(r);
    }

    // The DSN is queued before the control file says "bounced": a crash in between can at
    // worst send the bounce twice, never lose it.
    if (bounced.length) await this.bounce(control, message, bounced);
    if (delivered.length) await this.notifySuccess(control, message, delivered);
    // NOTIFY=DELAY (RFC 3461 section 4.1): told once, at the first deferral
    const delayed = deferred.filter((r) => r.attempts === 1 && wantsNotice(r.notify, 'DELAY'));
    if (delayed.length) await this.notifyDelay(control, message, delayed, finished);

    if (control.recipients.every((r) => !ACTIVE.has(r.status))) {
      await queue.remove(id);
      this.entries.delete(id);
      // the message leaves mqueue: the class sees the queue empty again
      this.report(
        { ko: `큐 ID ${id}: 모든 받는 사람에게 처리를 마쳐 메일 큐에서 지웠습니다`, en: `Queue ID ${id}: done for every recipient, removed from the queue` },
        'ok',
        { removed: true, recipients: control.recipients.map((r) => ({ recipient: r.address, status: r.status })) },
        id,
      );
    } else {
      await queue.update(control);
      entry.due = dueOf(control);
    }

    // reported once the control file says so, so that whoever waits for this hop finds it on disk
    if (deferred.length) {
      const next = Math.min(...deferred.map((r) => r.nextTry!));
      const wait = formatDuration(Math.max(0, next - finished));
      this.report(
        {
          ko: `큐 ID ${id}의 메일을 보내지 못해 메일 큐에 남겨 둡니다: "${deferred[0].lastError}" (${durationKo(Math.max(0, next - finished))} 뒤에 다시 시도)`,
          en: `Queue ID ${id} deferred: ${deferred[0].lastError} (next try in ${wait})`,
        },
        'deferred',
        { recipients: deferred.map((r) => ({ recipient: r.address, attempts: r.attempts, lastError: r.lastError, nextTry: r.nextTry })) },
        id,
      );
    }
  }

  /** A recipient of one of this host's domains: the MDA writes the mailbox (steps 6-7). */
  private async deliverHere(recipient: string, message: Buffer, control: QueueControl): Promise<RecipientResult> {
    try {
      const { file } = await this.deliverLocal(recipient, message, control.envelope, { queueId: control.id });
      return { recipient, action: 'delivered', reply: `250 2.0.0 delivered to ${file}`, status: '2.0.0' };
    } catch (err) {
      const e = err as Error & { responseCode?: number; permanent?: boolean; response?: string };
      const permanent = e.permanent === true || (e.responseCode !== undefined && e.responseCode >= 500);
      const reply = e.response ?? (permanent ? `550 5.1.1 <${recipient}>... ${e.message}` : `451 4.3.0 <${recipient}>... local delivery failed: ${e.message}`);
      return { recipient, action: permanent ? 'bounce' : 'defer', reply, status: reply.match(/^\d{3} (\d\.\d{1,3}\.\d{1,3})/)?.[1] ?? (permanent ? '5.0.0' : '4.0.0') };
    }
  }

  /** Recipients of another domain: the MDA is asked (step 3, with the MX lookup), then SMTP to the exchanger (steps 4-5). */
  private async deliverThere(domain: string, states: RecipientState[], message: Buffer, control: QueueControl): Promise<RecipientResult[]> {
    const recipients = states.map((r) => r.address);
    if (!domain) {
      return recipients.map((recipient) => ({ recipient, action: 'bounce', reply: `553 5.1.3 <${recipient}>... Domain name required`, status: '5.1.3' }));
    }
    try {
      // RFC 5321 section 5.1: an address literal (lee@[192.168.111.100]) names the host itself, no DNS
      const literal = /^\[(\d{1,3}(?:\.\d{1,3}){3})\]$/.exec(domain);
      if (literal && literal[1] === this.ctx.host.address) {
        throw new DeliveryFailure('bounce', '5.3.5', `553 5.3.5 ${domain}: config error: mail loops back to me`);
      }
      await this.askMda(control, domain, recipients);
      const hosts = literal
        ? [{ exchange: domain, preference: 0, addresses: [literal[1]] }]
        : await lookupMx(this.ctx, domain, control.id, this.mxCache);
      // RFC 3461 section 6.2.1: NOTIFY and ORCPT go on with each recipient (one transaction for
      // each set of them: an SMTP client gives one per RCPT, nodemailer one per message)
      const groups = new Map<string, RecipientState[]>();
      for (const r of states) {
        const key = JSON.stringify([r.notify ?? null, r.orcpt ?? null]);
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      const results: RecipientResult[] = [];
      for (const group of groups.values()) {
        const dsn = { ...control.envelope.dsn, notify: group[0].notify, orcpt: group[0].orcpt };
        results.push(...(await this.relay.send({ queueId: control.id, from: control.envelope.from, recipients: group.map((r) => r.address), message, domain, hosts, dsn, smtpUtf8: control.envelope.smtpUtf8 })));
      }
      return results;
    } catch (err) {
      if (!(err instanceof DeliveryFailure)) throw err;
      const action = err.action === 'defer' ? 'defer' : 'bounce';
      return recipients.map((recipient) => ({ recipient, action, reply: err.reply, status: err.status, remoteMta: err.remoteMta }));
    }
  }

  /**
   * Step 3 of the seed's sendmail figure: "센드메일 서비스는 시간이 되면 MDA에 메일을 보내달라고
   * 요청". Held here in --step mode, before the MX lookup that is part of the same step.
   */
  private async askMda(control: QueueControl, domain: string, recipients: string[]): Promise<void> {
    const { ctx } = this;
    const id = control.id;
    const hop = {
      kind: 'queue' as const,
      from: ctx.host.name,
      to: ctx.host.name,
      fromAddress: ctx.host.address,
      toAddress: ctx.host.address,
      steps: STEPS.queueRun,
      files: [this.queue.controlFile(id), this.queue.dataFile(id)],
    };
    const list = recipients.join(', ');
    await ctx.trace.hold({
      ...hop,
      summary: {
        ko: `때가 되어 센드메일 서비스가 MDA에게 메일 큐의 메일(큐 ID ${id})을 ${domain}${josa(domain, '으로')} 보내 달라고 요청합니다`,
        en: `The time has come: sendmail asks the MDA to send the mail in its queue (queue ID ${id}) on to ${domain}`,
      },
    });
    ctx.trace.report({
      ...hop,
      status: 'ok',
      queueId: id,
      summary: {
        ko: `센드메일 서비스가 MDA에게 ${list} 앞 메일(큐 ID ${id})을 보내 달라고 요청했습니다. MDA는 먼저 네임 서버에 ${domain}의 메일 서버를 묻습니다`,
        en: `sendmail asked the MDA to send the mail for ${list} (queue ID ${id}); the MDA first asks the name server where mail for ${domain} goes`,
      },
      detail: { domain, recipients },
    });
  }

  /**
   * Tell the sender: a DSN from MAILER-DAEMON, queued like any mail. Never to the null sender,
   * and not for a recipient whose NOTIFY leaves failures out (NOTIFY=NEVER, RFC 3461 section 4.1).
   */
  private async bounce(control: QueueControl, message: Buffer, failed: RecipientState[]): Promise<void> {
    const { ctx } = this;
    const from = control.envelope.from;
    const base = { kind: 'bounce' as const, from: ctx.host.name, to: ctx.host.name, fromAddress: ctx.host.address, toAddress: ctx.host.address, queueId: control.id };
    const told = isNullSender(from) ? [] : failed.filter((r) => wantsNotice(r.notify, 'FAILURE'));
    for (const r of failed) {
      if (told.includes(r)) continue;
      const why = isNullSender(from)
        ? { ko: `반송 메일(보낸 사람 <>)은 다시 반송하지 않고 버립니다: <${r.address}> ${r.lastError}`, en: `Not bounced: the sender is <> (a bounce is never bounced); dropped <${r.address}>: ${r.lastError}` }
        : { ko: `NOTIFY=${r.notify?.join(',')}: 보낸 사람이 반송을 원하지 않아 알리지 않습니다: <${r.address}> ${r.lastError}`, en: `Not bounced: the sender asked for no failure notice (NOTIFY=${r.notify?.join(',')}); dropped <${r.address}>: ${r.lastError}` };
      ctx.trace.report({ ...base, status: 'failed', summary: why, detail: { recipient: r.address, reason: r.lastError, dropped: true, notify: r.notify } });
    }
    if (told.length === 0) return;
    const queued = await this.notice(control, message, told.map((r) => noticeOf(r, 'failed', '5.0.0', 'delivery failed')));
    if (!queued) return;
    for (const r of told) {
      ctx.trace.report({
        ...base,
        status: 'bounced',
        messageId: queued.messageId,
        files: queued.files,
        summary: {
          ko: `${r.address}에게 배달하지 못해 ${from}에게 반송 메일(DSN, 큐 ID ${queued.id})을 보냅니다: "${r.lastError}"`,
          en: `Bounced <${r.address}> back to <${from}> (DSN queue ID ${queued.id}): ${r.lastError}`,
        },
        detail: { recipient: r.address, reason: r.lastError, status: r.lastStatus, sender: from, dsnQueueId: queued.id },
      });
    }
  }

  /**
   * NOTIFY=SUCCESS (RFC 3461 section 6.2): a delivered notice once the MDA wrote the mailbox, a
   * relayed one when the next hop took the message without speaking DSN (one that speaks it was
   * handed NOTIFY and tells the sender itself).
   */
  private async notifySuccess(control: QueueControl, message: Buffer, done: { r: RecipientState; result: RecipientResult }[]): Promise<void> {
    const wanted = done.filter(({ r, result }) => wantsNotice(r.notify, 'SUCCESS') && (result.dsnAction ?? 'delivered') !== 'none');
    if (wanted.length === 0) return;
    const queued = await this.notice(control, message, wanted.map(({ r, result }) => ({
      recipient: r.address,
      action: result.dsnAction === 'relayed' ? 'relayed' : 'delivered',
      status: result.status,
      diagnostic: result.reply,
      remoteMta: result.remoteMta,
      orcpt: r.orcpt,
    })));
    if (queued) this.report({ ko: `배달 완료 알림(DSN)을 <${control.envelope.from}>에게 보냅니다 (큐 ID ${queued.id})`, en: `Success notice (DSN) for <${control.envelope.from}> queued (queue ID ${queued.id})` }, 'ok', { dsnQueueId: queued.id, notify: 'SUCCESS', recipients: wanted.map(({ r }) => r.address) }, control.id);
  }

  private async notifyDelay(control: QueueControl, message: Buffer, delayed: RecipientState[], now: number): Promise<void> {
    const waited = formatDuration(Math.max(0, now - control.created));
    const queued = await this.notice(control, message, delayed.map((r) => noticeOf(r, 'delayed', '4.0.0', 'delivery deferred')), waited);
    if (queued) this.report({ ko: `배달 지연 알림(DSN)을 <${control.envelope.from}>에게 보냅니다 (큐 ID ${queued.id})`, en: `Delay notice (DSN) for <${control.envelope.from}> queued (queue ID ${queued.id})` }, 'ok', { dsnQueueId: queued.id, notify: 'DELAY', recipients: delayed.map((r) => r.address) }, control.id);
  }

  /** A DSN about this queued message to its sender (notice.ts), with its RET and ENVID. */
  private notice(control: QueueControl, message: Buffer, recipients: BounceFailure[], delayedFor?: string) {
    return queueNotice(this.ctx, this.queue, { queueId: control.id, envelope: control.envelope, original: message, arrival: new Date(control.created), dsn: messageDsnOf(control), recipients, delayedFor });
  }

  private async takeFlushRequest(): Promise<void> {
    const file = path.join(this.queue.dir, FLUSH_REQUEST);
    try {
      await rm(file);
    } catch {
      return; // none, or another watcher event for the same request
    }
    this.report({ ko: '메일 큐를 지금 다시 보내 달라는 요청 (mailq --flush): 모두 다시 시도합니다', en: 'Flush requested (mailq --flush): retrying everything now' }, 'ok', { flush: true });
    if (this.state === 'running' || this.state === 'starting') this.flush();
  }

  private report(summary: Bilingual, status: 'ok' | 'deferred' | 'failed', detail: Record<string, unknown>, queueId?: string): void {
    const { ctx } = this;
    ctx.trace.report({ kind: 'queue', from: ctx.host.name, to: ctx.host.name, fromAddress: ctx.host.address, toAddress: ctx.host.address, status, summary, detail, queueId });
  }
}

function dueOf(control: QueueControl): number {
  let due = Infinity;
  for (const r of control.recipients) if (ACTIVE.has(r.status)) due = Math.min(due, r.nextTry ?? 0);
  // nothing active: finished but not removed (a crash in between); due now so the run removes it
  return due === Infinity ? 0 : due;
}



/** A recipient's line of a DSN, from its state in the control file. */
function noticeOf(r: RecipientState, action: DsnAction, status: string, diagnostic: string): BounceFailure {
  return { recipient: r.address, action, status: r.lastStatus ?? status, diagnostic: r.lastError ?? diagnostic, remoteMta: r.remoteMta, lastAttempt: r.lastTry ? new Date(r.lastTry) : undefined, orcpt: r.orcpt };
}
