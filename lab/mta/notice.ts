// Queue a delivery status notification (RFC 3464) to a message's sender: a bounce for the
// recipients that failed, or the success notice a NOTIFY=SUCCESS asked for (RFC 3461 section
// 6.2). Both are mail like any other: into the queue, with the null sender, from MAILER-DAEMON.
import type { HostContext } from '../host/host-context.ts';
import type { Envelope, QueueControl } from './queue.ts';
import { buildDsn, isNullSender, type BounceFailure, type MessageDsn } from './bounce.ts';

/** What a notice needs of the queue (lab/mta/queue.ts). */
export interface NoticeQueue {
  readonly hostname?: string;
  enqueue(envelope: Envelope, message: Buffer): Promise<{ id: string; files: string[] }>;
}

export interface NoticeInput {
  queueId: string;
  envelope: Envelope;
  original: Buffer;
  arrival: Date;
  recipients: BounceFailure[];
  dsn?: MessageDsn;
  /** a delay notice: how long the message has waited */
  delayedFor?: string;
}

/** Build the DSN and queue it to the sender; undefined for the null sender, who never gets one. */
export async function queueNotice(ctx: HostContext, queue: NoticeQueue, input: NoticeInput): Promise<{ id: string; files: string[]; messageId: string } | undefined> {
  if (isNullSender(input.envelope.from)) return undefined;
  const hostname = ctx.host.hostname ?? queue.hostname ?? ctx.host.name;
  const { message, messageId } = buildDsn({
    reportingMta: hostname,
    mailerDomain: ctx.host.mail?.domains[0] ?? hostname,
    queueId: input.queueId,
    envelope: input.envelope,
    original: input.original,
    arrivalDate: input.arrival,
    failures: input.recipients,
    dsn: input.dsn,
    delayedFor: input.delayedFor,
  });
  const queued = await queue.enqueue({ from: '', recipients: [input.envelope.from], receivedFrom: { host: ctx.host.name, address: ctx.host.address, helo: hostname } }, message);
  return { ...queued, messageId };
}

/** The message's RET and ENVID as the control file keeps them. */
export function messageDsnOf(control: Pick<QueueControl, 'envelope'>): MessageDsn | undefined {
  return control.envelope.dsn;
}
