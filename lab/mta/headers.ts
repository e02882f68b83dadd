// The header fields an MTA writes: Received for every hop (RFC 5321 section 4.4), Message-ID
// and Date at submission when the mail program left them out (RFC 6409 section 8.2-8.3), and
// Return-Path and Delivered-To at final delivery. Found and added by scanning the raw bytes up
// to the first empty line: no MIME parser on the hot path.

const CRLF = '\r\n';

/** What the listener needs to know about a message's header section. */
export interface HeaderScan {
  /** byte offset where the header section ends (the empty line, or the first line that is no field) */
  end: number;
  /** the message starts with a body line that is not a header field (and no empty line before it) */
  headless: boolean;
  received: number;
  hasDate: boolean;
  /** the Message-ID's value, unfolded and trimmed, if there is one */
  messageId?: string;
}

function isFieldChar(byte: number): boolean {
  // ftext: printable US-ASCII except colon (RFC 5322 section 2.2)
  return byte >= 33 && byte <= 126 && byte !== 58;
}

/** One pass over the header section. */
export function scanHeaders(message: Buffer): HeaderScan {
  const scan: HeaderScan = { end: 0, headless: false, received: 0, hasDate: false };
  let pos = 0;
  let first = true;
  let current = '';
  let idStart = -1;
  while (pos < message.length) {
    const nl = message.indexOf(10, pos);
    const lineEnd = nl < 0 ? message.length : nl;
    const contentEnd = lineEnd > pos && message[lineEnd - 1] === 13 ? lineEnd - 1 : lineEnd;
    if (contentEnd === pos) {
      // the empty line: the body follows
      scan.end = pos;
      break;
    }
    const c = message[pos];
    if (c === 32 || c === 9) {
      // a folded continuation of the previous field
      if (first) {
        scan.headless = true;
        scan.end = pos;
        break;
      }
    } else {
      let colon = pos;
      while (colon < contentEnd && isFieldChar(message[colon])) colon++;
      // allow "Name :" (obsolete syntax, RFC 5322 section 4.5.1)
      let afterName = colon;
      while (afterName < contentEnd && (message[afterName] === 32 || message[afterName] === 9)) afterName++;
      if (colon === pos || message[afterName] !== 58) {
        scan.headless = first;
        scan.end = pos;
        break;
      }
      if (idStart >= 0) {
        scan.messageId = message.toString('latin1', idStart, pos).replace(/\r?\n[ \t]+/g, ' ').trim();
        idStart = -1;
      }
      current = message.toString('latin1', pos, colon).toLowerCase();
      if (current === 'received') scan.received++;
      else if (current === 'date') scan.hasDate = true;
      else if (current === 'message-id') idStart = afterName + 1;
    }
    first = false;
    pos = nl < 0 ? message.length : nl + 1;
    scan.end = pos;
  }
  if (idStart >= 0) scan.messageId = message.toString('latin1', idStart, scan.end).replace(/\r?\n[ \t]+/g, ' ').trim();
  return scan;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 5322 section 3.3 date-time in the machine's local time: `Tue, 01 Jul 2025 09:30:00 +0900`. */
export function rfc5322Date(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${DAYS[date.getDay()]}, ${two(date.getDate())} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

export interface ReceivedFields {
  /** what the client said in HELO/EHLO */
  helo: string;
  /** the peer's host name in the lab (mail.daum.net), if it has one */
  peerName?: string;
  /** the peer's virtual address (or the real one for outside peers) */
  peerAddress: string;
  /** this host's name and virtual address */
  hostname: string;
  address: string;
  /** ESMTP, ESMTPA (authenticated, RFC 3848), SMTP */
  protocol: string;
  queueId: string;
  /** the one recipient, as sendmail writes it; left out for several (they need not see each other) */
  recipient?: string;
  date: Date;
  /** the AUTH login, if any */
  authenticated?: string;
}

/**
 * One hop's Received field, in sendmail's layout:
 * `from winclient.lab ([192.168.111.132]) by mail.daum.net (192.168.111.200) with ESMTP id q... for <lee@naver.com>; date`
 */
export function receivedHeader(f: ReceivedFields): string {
  const peer = f.peerName ? `${f.peerName} [${f.peerAddress}]` : `[${f.peerAddress}]`;
  const auth = f.authenticated ? `${CRLF}\t(authenticated bits=0)` : '';
  const forPart = f.recipient ? `${CRLF}\tfor <${f.recipient}>` : '';
  return `Received: from ${f.helo} (${peer})${auth}${CRLF}\tby ${f.hostname} (${f.address}) with ${f.protocol} id ${f.queueId}${forPart};${CRLF}\t${rfc5322Date(f.date)}${CRLF}`;
}

/** A Message-ID in sendmail's style: `<202507010930.q6AS3x0004Pf2@mail.daum.net>`. */
export function newMessageId(queueId: string, hostname: string, date: Date): string {
  const stamp = `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}`;
  return `<${stamp}.${queueId}@${hostname}>`;
}

/** RFC 5321 section 4.4: the final delivery records the reverse-path; `<>` for the null sender. */
export function returnPathHeader(from: string): string {
  return `Return-Path: <${from}>${CRLF}`;
}

/** Postfix and qmail's Delivered-To: the address this copy was delivered to (a loop check for forwards). */
export function deliveredToHeader(recipient: string): string {
  return `Delivered-To: ${recipient}${CRLF}`;
}

/**
 * The message with `fields` (complete lines, CRLF-ended) put on top. A message that starts
 * straight with a body line gets an empty line after the new fields, so the body stays a body.
 */
export function prependFields(message: Buffer, fields: string, scan?: Pick<HeaderScan, 'headless'>): Buffer {
  const headless = scan ? scan.headless : scanHeaders(message).headless;
  const top = Buffer.from(headless ? fields + CRLF : fields, 'utf8');
  return Buffer.concat([top, message], top.length + message.length);
}

/**
 * The queue ID this host wrote into the message's top Received field (`by mail.naver.com ... id
 * q...`), if the top one is ours: a message taken from the queue still says which it was.
 */
export function queueIdOfTopReceived(message: Buffer, hostname: string): string | undefined {
  if (message.length < 9 || message.toString('latin1', 0, 9).toLowerCase() !== 'received:') return undefined;
  // the field and its folded lines
  let end = message.indexOf(10);
  while (end >= 0 && end + 1 < message.length && (message[end + 1] === 32 || message[end + 1] === 9)) end = message.indexOf(10, end + 1);
  const field = message.toString('latin1', 0, end < 0 ? Math.min(message.length, 2048) : end);
  const m = /\bby\s+(\S+)[^;]*?\bid\s+([A-Za-z0-9]+)/.exec(field);
  return m && m[1].toLowerCase() === hostname.toLowerCase() ? m[2] : undefined;
}
