import { crypto } from '../node-builtins.ts';
import type { Envelope } from './queue.ts';

// A bounce is a delivery status notification (RFC 3464): a multipart/report message
// (RFC 6522) with report-type=delivery-status and three parts:
//   1. a note for people (here in Korean and English),
//   2. message/delivery-status: per-message fields (Reporting-MTA, Original-Envelope-Id,
//      Arrival-Date) and, per recipient, Original-Recipient, Final-Recipient, Action, Status
//      (RFC 3463) and Diagnostic-Code,
//   3. the original: its header only (text/rfc822-headers) unless the sender asked for the whole
//      message with RET=FULL (message/rfc822), RFC 3461 section 4.3.
// It comes from MAILER-DAEMON and goes to the original envelope sender with the null sender
// <> as its own envelope sender (RFC 5321 section 4.5.5), so that it can never bounce in turn.
// The same builder writes the success notices a NOTIFY=SUCCESS asks for (Action: delivered, or
// relayed where the next hop does not speak DSN, RFC 3461 section 6.2.2).

/** RFC 3464 section 2.3.3. */
export type DsnAction = 'failed' | 'delivered' | 'relayed' | 'delayed';

export interface BounceFailure {
  recipient: string;
  /** default 'failed' */
  action?: DsnAction;
  /** enhanced status code, e.g. '5.1.1' (or '4.4.7' when the retry schedule ran out) */
  status: string;
  /** the reply that decided it, e.g. '550 5.1.1 <nobody@naver.com>... User unknown' */
  diagnostic: string;
  /** the mail exchanger that gave the reply, when one did */
  remoteMta?: string;
  lastAttempt?: Date;
  /** ORCPT as the sender gave it (RFC 3461 section 4.2): 'rfc822;lee@naver.com' */
  orcpt?: string;
}

/** The DSN parameters of a message (RFC 3461 section 4): RET and ENVID from MAIL FROM. */
export interface MessageDsn {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
}

export interface BounceInput {
  /** this MTA's hostname: mail.daum.net */
  reportingMta: string;
  /** the domain MAILER-DAEMON writes from: daum.net */
  mailerDomain: string;
  queueId: string;
  envelope: Envelope;
  /** the original message as queued */
  original: Buffer;
  arrivalDate: Date;
  failures: BounceFailure[];
  /** RET and ENVID, when the sender gave them */
  dsn?: MessageDsn;
  /** for a delay notice: how long the message has waited, as sendmail says it ("5 seconds") */
  delayedFor?: string;
  now?: Date;
}

/** Whether an envelope sender is the null sender (<>), which never gets a bounce. */
export function isNullSender(from: string): boolean {
  return from.trim() === '' || from.trim() === '<>';
}

/**
 * Whether a recipient's NOTIFY (RFC 3461 section 4.1) asks for a notice of this kind. Without
 * NOTIFY a failure is reported and a success is not; NEVER asks for none.
 */
export function wantsNotice(notify: string[] | undefined, kind: 'FAILURE' | 'SUCCESS' | 'DELAY'): boolean {
  if (!notify || notify.length === 0) return kind === 'FAILURE';
  return notify.includes(kind);
}

/** Build the DSN message. Returns the bytes and its Message-ID. */
export function buildDsn(input: BounceInput): { message: Buffer; messageId: string } {
  const now = input.now ?? new Date();
  const boundary = `${input.queueId}.${crypto.randomBytes(6).toString('hex')}/${input.reportingMta}`;
  const messageId = `<${input.queueId}.${crypto.randomBytes(4).toString('hex')}.dsn@${input.reportingMta}>`;
  const sender = input.envelope.from;
  const actions = new Set(input.failures.map((f) => f.action ?? 'failed'));
  // one notice says one thing: a failure (a bounce), a delay, or a success
  const kind: 'failed' | 'delayed' | 'success' = actions.has('failed') ? 'failed' : actions.has('delayed') ? 'delayed' : 'success';
  const list = input.failures.map((f) => `    <${f.recipient}>\r\n        ${f.diagnostic}`).join('\r\n');

  // the same note in both languages: what happened, the list, what to do
  const NOTES = {
    success: [[`보내신 메일(큐 ID ${input.queueId})을 다음 받는 사람에게 전달했습니다.`], [`Your message (queue ID ${input.queueId}) was delivered to the following recipients.`]],
    delayed: [
      [`보내신 메일(큐 ID ${input.queueId})을 다음 받는 사람에게 아직 전달하지 못했습니다.`, '메일 큐에 두고 계속 다시 보냅니다. 다시 보내실 필요는 없습니다.'],
      [`Your message (queue ID ${input.queueId}) has not yet been delivered to the following`, 'recipients. It stays in the mail queue and will be retried; you need not send it again.'],
    ],
    failed: [
      [`보내신 메일(큐 ID ${input.queueId})을 다음 받는 사람에게 전달하지 못했습니다.`, '메일 주소가 맞는지 확인한 뒤 다시 보내 주세요.'],
      [`Your message (queue ID ${input.queueId}) could not be delivered to the following`, 'recipients. Check the addresses and send it again.'],
    ],
  };
  const [ko, en] = NOTES[kind];
  const human = [
    `${input.reportingMta} 메일 서버가 자동으로 보내는 알림입니다.`,
    '',
    ...ko,
    '',
    list,
    '',
    '------------------------------------------------------------',
    '',
    `This is the mail system at host ${input.reportingMta}.`,
    '',
    ...en,
    '',
    list,
    '',
  ];

  const perMessage = [
    `Reporting-MTA: dns; ${input.reportingMta}`,
    ...(input.dsn?.envid ? [`Original-Envelope-Id: ${oneLine(input.dsn.envid)}`] : []),
    `X-Queue-ID: ${input.queueId}`,
    ...(input.envelope.receivedFrom?.helo ? [`Received-From-MTA: dns; ${input.envelope.receivedFrom.helo}`] : []),
    `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
  ];
  const perRecipient = input.failures.map((f) => [
    ...(f.orcpt ? [`Original-Recipient: ${oneLine(f.orcpt)}`] : []),
    `Final-Recipient: rfc822; ${f.recipient}`,
    `Action: ${f.action ?? 'failed'}`,
    `Status: ${f.status}`,
    ...(f.remoteMta ? [`Remote-MTA: dns; ${f.remoteMta}`] : []),
    `Diagnostic-Code: smtp; ${oneLine(f.diagnostic)}`,
    `Last-Attempt-Date: ${rfc5322Date(f.lastAttempt ?? now)}`,
  ].join('\r\n'));
  const status = [perMessage.join('\r\n'), ...perRecipient].join('\r\n\r\n');

  // RFC 3461 section 4.3: RET=FULL returns the whole message, RET=HDRS (and our default) its header
  const full = input.dsn?.ret === 'FULL';
  const returned = full ? input.original : originalHeaders(input.original);
  const eightBit = (b: Buffer | string) => /[^\x00-\x7f]/.test(typeof b === 'string' ? b : b.toString('latin1'));

  const parts = [
    `From: Mail Delivery Subsystem <MAILER-DAEMON@${input.mailerDomain}>`,
    `To: <${sender}>`,
    {
      success: `Subject: ${encodeWord('메일 배달 완료')} / Successful Mail Delivery Report`,
      delayed: `Subject: ${encodeWord('메일 배달 지연')} / Warning: could not send message for past ${oneLine(input.delayedFor ?? 'the first try')}`,
      failed: `Subject: ${encodeWord('메일 반송')} / Returned mail: see transcript for details`,
    }[kind],
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: ${messageId}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    'Content-Description: Notification',
    '',
    human.join('\r\n'),
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    'Content-Description: Delivery report',
    '',
    status,
    '',
    `--${boundary}`,
    full ? 'Content-Type: message/rfc822' : 'Content-Type: text/rfc822-headers',
    `Content-Transfer-Encoding: ${eightBit(returned) ? '8bit' : '7bit'}`,
    full ? 'Content-Description: Undelivered message' : 'Content-Description: Undelivered message headers',
    '',
  ].join('\r\n');
  const tail = full ? `--${boundary}--\r\n` : `\r\n--${boundary}--\r\n`;
  const body = full && !returned.subarray(-2).equals(Buffer.from('\r\n')) ? Buffer.concat([returned, Buffer.from('\r\n')]) : returned;
  return { message: Buffer.concat([Buffer.from(parts + '\r\n'), body, Buffer.from(tail)]), messageId };
}

/** The header block of a message (up to, not including, the empty line), CRLF line ends. */
export function originalHeaders(message: Buffer): Buffer {
  const text = message.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  return Buffer.from(head.replace(/\r?\n/g, '\r\n').replace(/\r\n$/, ''), 'latin1');
}

/** How many Received headers a message carries (RFC 5321 section 6.3: a loop shows as many). */
export function countReceived(message: Buffer): number {
  const head = originalHeaders(message).toString('latin1');
  return (head.match(/^Received:/gim) ?? []).length;
}

/** RFC 5322 section 3.3 date: 'Tue, 28 Nov 2023 03:40:00 +0000'. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function encodeWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ');
}
