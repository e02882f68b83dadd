// The MDA (steps 6-7 of the seed's sendmail figure): the recipient is a user of this host, so
// the message goes into the user's Maildir. Final delivery is where Return-Path (RFC 5321
// section 4.4) and Delivered-To are written.
import path from 'node:path';
import type { HostContext } from '../host/host-context.ts';
import type { MailStore } from '../mailbox/mail-store.ts';
import { mailboxAccount } from './postmaster.ts';
import { STEPS } from '../trace/steps.ts';
import { mailboxRefs } from '../host/config-refs.ts';
import type { Envelope } from './queue.ts';
import { parseMailbox } from './address.ts';
import { deliveredToHeader, prependFields, returnPathHeader, scanHeaders } from './headers.ts';

/** A delivery that cannot be made; `permanent` tells the queue runner to bounce rather than retry. */
export class MdaError extends Error {
  readonly permanent: boolean;
  readonly responseCode: number;
  readonly response: string;
  constructor(message: string, options: { permanent: boolean; responseCode: number; response: string }) {
    super(message);
    this.permanent = options.permanent;
    this.responseCode = options.responseCode;
    this.response = options.response;
  }
}

export interface DeliverOptions {
  queueId?: string;
  /** the message's Message-ID, when the caller knows it already (saves a scan) */
  messageId?: string;
  /**
   * The reply the SMTP listener gives once this delivery is on disk, when this is the message's
   * last write: the hop event shows it as the line the client gets.
   */
  reply?: string;
}

export class Mda {
  readonly ctx: HostContext;
  readonly store: MailStore;

  constructor(ctx: HostContext) {
    this.ctx = ctx;
    // the host's one store, shared with POP3 and IMAP (their sessions hear of each delivery)
    this.store = ctx.mailStore;
  }

  /** The local user an address delivers to here, or undefined. */
  userFor(recipient: string): string | undefined {
    const parsed = parseMailbox(recipient);
    if (!parsed.ok || parsed.tricks.length > 0) return undefined;
    const { mailbox } = parsed;
    const local = mailbox.literal !== undefined ? mailbox.literal === this.ctx.host.address : this.ctx.host.mail?.domains.includes(mailbox.domain);
    if (!local) return undefined;
    return mailboxAccount(this.ctx.host, mailbox.local)?.user;
  }

  /**
   * Write one copy of the message into the recipient's Maildir (tmp, fsync, new, fsync folder).
   * Resolves with the file once it is on disk; rejects with an MdaError.
   */
  async deliver(recipient: string, message: Buffer, envelope: Envelope, options: DeliverOptions = {}): Promise<{ file: string }> {
    const { ctx } = this;
    const user = this.userFor(recipient);
    const messageId = options.messageId ?? scanHeaders(message).messageId;
    const base = {
      kind: 'mda' as const,
      from: ctx.host.name,
      to: ctx.host.name,
      fromAddress: ctx.host.address,
      toAddress: ctx.host.address,
      steps: STEPS.delivery,
    };
    if (!user) {
      const response = `550 5.1.1 <${recipient}>... User unknown`;
      ctx.trace.report({
        ...base,
        status: 'failed',
        queueId: options.queueId,
        messageId,
        summary: { ko: `${recipient}: 이 서버에 없는 사용자입니다`, en: `${recipient}: no such user on this host` },
        detail: { recipient, reply: response },
        config: mailboxRefs(ctx.topology, ctx.host, recipient, undefined),
      });
      throw new MdaError(`User unknown: ${recipient}`, { permanent: true, responseCode: 550, response });
    }
    const mailbox = path.join('mail', user, 'new');
    await ctx.trace.hold({
      ...base,
      files: [`${path.join(this.store.userDir(user), 'new')}${path.sep}`],
      summary: {
        ko: `${user} 사용자가 있는지 확인하고, 센드메일 서비스가 MDA를 통해 ${user}의 메일 박스(${mailbox})에 메일을 넣습니다`,
        en: `${user} exists here; the MDA writes the mail into ${user}'s mailbox (${mailbox})`,
      },
    });
    const final = prependFields(message, returnPathHeader(envelope.from) + deliveredToHeader(recipient));
    let file: string;
    try {
      ({ file } = await this.store.deliver(user, final));
    } catch (err) {
      const reason = (err as Error).message;
      ctx.trace.report({
        ...base,
        status: 'failed',
        queueId: options.queueId,
        messageId,
        summary: { ko: `${user}의 메일 박스에 넣지 못했습니다: ${reason}`, en: `Could not write ${user}'s mailbox: ${reason}` },
        detail: { user, recipient, error: reason },
      });
      throw new MdaError(`local delivery failed: ${reason}`, { permanent: false, responseCode: 451, response: `451 4.3.0 <${recipient}>... Local delivery failed` });
    }
    ctx.trace.report({
      ...base,
      status: 'ok',
      queueId: options.queueId,
      messageId,
      files: [file],
      ...(options.reply ? { protocol: 'SMTP', transcript: [{ dir: 'S' as const, line: options.reply }] } : {}),
      summary: {
        ko: `${user}의 메일 박스에 넣었습니다`,
        en: `Delivered to ${user}'s mailbox (${path.basename(file)})`,
      },
      detail: { user, recipient, ...(options.reply ? { reply: options.reply } : {}) },
      config: mailboxRefs(ctx.topology, ctx.host, recipient, user),
    });
    return { file };
  }
}
