import { parseMessage, findField, fieldValue, parseStructured, countLines, hasBareLf, toCrlf, type MimePart } from './mime.ts';
import { parseAddressList } from './addresses.ts';
import { nstring, imapString } from './imap-syntax.ts';
import { decodeWords } from './encoded-words.ts';

// What the header index keeps for each message: ENVELOPE, BODYSTRUCTURE and BODY already in
// IMAP syntax (RFC 3501 section 7.4.2), the sizes, and the header fields SEARCH matches on,
// decoded. Built once from the file, then read from the index.

export interface MessageSummary {
  /** octets as IMAP sends the message: every line ending CRLF (RFC822.SIZE) */
  vsize: number;
  /** 1 when the file has bare LF line endings, to be made CRLF when sent */
  lf: 0 | 1;
  /** octets of the header, blank line included, in the CRLF form */
  headerSize: number;
  envelope: string;
  bodystructure: string;
  body: string;
  /** the Date header as ms, and its calendar day in its own time zone (SENTON, RFC 3501 6.4.4) */
  sentMs: number | null;
  sentDay: number | null;
  /** decoded, for SEARCH: subject, from, to, cc, bcc */
  search: [string, string, string, string, string];
  messageId: string | null;
}

export function summarize(file: Buffer): MessageSummary {
  const lf: 0 | 1 = hasBareLf(file) ? 1 : 0;
  const buf = lf ? toCrlf(file) : file;
  const root = parseMessage(buf);
  const get = (name: string) => {
    const f = findField(root.headers, name);
    return f ? fieldValue(buf, f) : undefined;
  };
  const date = get('date');
  const sent = parseSentDate(date);
  return {
    vsize: buf.length,
    lf,
    headerSize: root.bodyStart,
    envelope: envelopeOf(buf, root),
    bodystructure: structureOf(buf, root, true),
    body: structureOf(buf, root, false),
    sentMs: sent?.ms ?? null,
    sentDay: sent?.day ?? null,
    search: [get('subject'), get('from'), get('to'), get('cc'), get('bcc')].map((v) => (v ? decodeWords(v) : '')) as MessageSummary['search'],
    messageId: get('message-id') ?? null,
  };
}

/** RFC 5322 date to ms and the day in the date's own zone. */
export function parseSentDate(value: string | undefined): { ms: number; day: number } | undefined {
  if (!value) return undefined;
  const clean = value.replace(/\([^)]*\)/g, '').trim();
  const ms = Date.parse(clean);
  if (Number.isNaN(ms)) return undefined;
  const zone = /([+-])(\d{2})(\d{2})\s*$/.exec(clean);
  const offset = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
  return { ms, day: Math.floor((ms + offset * 60_000) / 86_400_000) };
}

function addressList(value: string | undefined): string {
  if (value === undefined) return 'NIL';
  const list = parseAddressList(value);
  if (list.length === 0) return 'NIL';
  let out = '(';
  for (const a of list) {
    if (a.kind === 'mailbox') out += `(${nstring(a.name)} NIL ${nstring(a.mailbox)} ${nstring(a.host)})`;
    else if (a.kind === 'group') out += `(NIL NIL ${nstring(a.name)} NIL)`;
    else out += '(NIL NIL NIL NIL)';
  }
  return `${out})`;
}

/** ENVELOPE (RFC 3501 section 7.4.2) of a message (the root, or an embedded message/rfc822). */
export function envelopeOf(buf: Buffer, message: MimePart): string {
  const get = (name: string) => {
    const f = findField(message.headers, name);
    return f ? fieldValue(buf, f) : undefined;
  };
  const from = addressList(get('from'));
  const sender = get('sender');
  const replyTo = get('reply-to');
  // "If the Sender or Reply-To lines are absent ... the server sets the corresponding member
  // of the envelope to be the same value as the from member"
  const senderList = sender ? addressList(sender) : 'NIL';
  const replyList = replyTo ? addressList(replyTo) : 'NIL';
  return `(${[
    nstring(get('date')),
    nstring(get('subject')),
    from,
    senderList === 'NIL' ? from : senderList,
    replyList === 'NIL' ? from : replyList,
    addressList(get('to')),
    addressList(get('cc')),
    addressList(get('bcc')),
    nstring(get('in-reply-to')),
    nstring(get('message-id')),
  ].join(' ')})`;
}

function paramList(params: Array<[string, string]>): string {
  if (params.length === 0) return 'NIL';
  return `(${params.map(([k, v]) => `${imapString(k)} ${imapString(v)}`).join(' ')})`;
}

/** body-ext-1part / body-ext-mpart's common tail: disposition, language, location. */
function extensionTail(buf: Buffer, part: MimePart): string {
  const dispField = findField(part.headers, 'content-disposition');
  let disposition = 'NIL';
  if (dispField) {
    const { value, params } = parseStructured(fieldValue(buf, dispField));
    if (value) disposition = `(${imapString(value.toLowerCase())} ${paramList(params)})`;
  }
  const langField = findField(part.headers, 'content-language');
  let language = 'NIL';
  if (langField) {
    const langs = fieldValue(buf, langField).split(/[\s,]+/).filter(Boolean);
    if (langs.length === 1) language = imapString(langs[0]);
    else if (langs.length > 1) language = `(${langs.map(imapString).join(' ')})`;
  }
  const loc = findField(part.headers, 'content-location');
  return `${disposition} ${language} ${loc ? nstring(fieldValue(buf, loc)) : 'NIL'}`;
}

/** BODYSTRUCTURE (extensible) or BODY (basic) of a part, RFC 3501 section 7.4.2. */
export function structureOf(buf: Buffer, part: MimePart, extensible: boolean): string {
  const ct = part.contentType;
  if (ct.type === 'multipart') {
    const children = part.children.map((c) => structureOf(buf, c, extensible)).join('');
    if (!extensible) return `(${children} ${imapString(ct.subtype)})`;
    return `(${children} ${imapString(ct.subtype)} ${paramList(ct.params)} ${extensionTail(buf, part)})`;
  }
  const get = (name: string) => {
    const f = findField(part.headers, name);
    return f ? fieldValue(buf, f) : undefined;
  };
  let params = ct.params;
  if (ct.type === 'text' && !params.some(([k]) => k === 'charset')) params = [['charset', 'us-ascii'], ...params];
  const encoding = (get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const size = part.end - part.bodyStart;
  let out = `(${imapString(ct.type)} ${imapString(ct.subtype)} ${paramList(params)} ${nstring(get('content-id'))} ${nstring(get('content-description'))} ${imapString(encoding)} ${size}`;
  if (ct.type === 'text') {
    out += ` ${countLines(buf, part.bodyStart, part.end)}`;
  } else if (ct.type === 'message' && ct.subtype === 'rfc822') {
    const inner = part.message;
    if (inner) {
      out += ` ${envelopeOf(buf, inner)} ${structureOf(buf, inner, extensible)} ${countLines(buf, part.bodyStart, part.end)}`;
    } else {
      // an encoded message/rfc822 cannot be looked into: an empty envelope and a text body
      out += ` (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) ${countLines(buf, part.bodyStart, part.end)}`;
    }
  }
  if (extensible) out += ` ${nstring(get('content-md5'))} ${extensionTail(buf, part)}`;
  return `${out})`;
}
