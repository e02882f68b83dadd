import { parseMessage, parseHeaderBlock, findField, fieldValue, parseStructured, countLines, toCrlf, type MimePart, type HeaderField } from './mime.ts';
import { parseAddressList, addressSearchText, type EnvelopeAddress } from './addresses.ts';
import { nstring, imapString } from './imap-syntax.ts';

// What the header index keeps for each message: ENVELOPE, BODYSTRUCTURE and BODY already in
// IMAP syntax (RFC 3501 section 7.4.2), the sizes, and the header fields SEARCH matches on,
// decoded. Built once from the file, then read from the index. BODYSTRUCTURE and BODY are made
// the first time a FETCH asks for them, as dovecot caches what clients fetch: a mail program
// lists a folder by its envelopes or headers and asks for one letter's structure when it is
// opened, and walking every MIME part of 5,000 letters was a fifth of a cold FETCH ENVELOPE.

export interface MessageSummary {
  /** octets as IMAP sends the message: every line ending CRLF (RFC822.SIZE) */
  vsize: number;
  /** 1 when the file has bare LF line endings, to be made CRLF when sent */
  lf: 0 | 1;
  /** octets of the header, blank line included, in the CRLF form */
  headerSize: number;
  envelope: string;
  /** null until a FETCH asks for it (withStructure) */
  bodystructure: string | null;
  body: string | null;
  /** the Date header as ms, and its calendar day in its own time zone (SENTON, RFC 3501 6.4.4) */
  sentMs: number | null;
  sentDay: number | null;
  /**
   * What SEARCH SUBJECT, FROM, TO, CC and BCC match: the subject as written (SEARCH decodes it,
   * so building the index costs no decoding), the addresses as parsed ("decoded name
   * <mailbox@host>", see addressSearchText)
   */
  search: [string, string, string, string, string];
  messageId: string | null;
}

export function summarize(file: Buffer, forms: AddressForms = new AddressForms()): MessageSummary {
  return summarizeCrlf(file, forms, undefined, true).summary;
}

/**
 * The summary and the message as IMAP sends it (CRLF; the file itself when it had no bare LF; in
 * `into` when given and large enough). Nothing in the summary refers to either buffer. Without
 * `structure`, only the header is parsed and BODYSTRUCTURE and BODY are left null.
 */
export function summarizeCrlf(file: Buffer, forms: AddressForms = new AddressForms(), into?: Buffer, structure = false): { summary: MessageSummary; crlf: Buffer } {
  const buf = toCrlf(file, into);
  const lf: 0 | 1 = buf === file ? 0 : 1;
  const root = structure ? parseMessage(buf) : parseHeaderBlock(buf, 0, buf.length);
  const fields = firstFields(buf, root.headers);
  const sent = parseSentDate(fields.get('date'));
  const [bodystructure, body] = structure ? structuresOf(buf, root as MimePart) : [null, null];
  const lists = new AddressLists(fields, forms);
  const messageId = fields.get('message-id');
  const summary: MessageSummary = {
    vsize: buf.length,
    lf,
    headerSize: root.bodyStart,
    envelope: flat(envelopeFrom(fields, lists)),
    bodystructure: bodystructure === null ? null : flat(bodystructure),
    body: body === null ? null : flat(body),
    sentMs: sent?.ms ?? null,
    sentDay: sent?.day ?? null,
    search: [flat(fields.get('subject') ?? ''), flat(lists.search('from')), flat(lists.search('to')), flat(lists.search('cc')), flat(lists.search('bcc'))],
    messageId: messageId === undefined ? null : flat(messageId),
  };
  return { summary, crlf: buf };
}

/** BODYSTRUCTURE and BODY of a message in its CRLF form (the summary's, made later). */
export function structureSummary(crlf: Buffer): { bodystructure: string; body: string } {
  const [bodystructure, body] = structuresOf(crlf, parseMessage(crlf));
  return { bodystructure: flat(bodystructure), body: flat(body) };
}

/**
 * The string in one piece. ENVELOPE and BODYSTRUCTURE are put together from dozens of pieces,
 * and V8 keeps a string made with + or a template as a tree of them (a "cons string", an object
 * for every join) until something reads its characters: a summary kept in the index was
 * 2.9 KB of heap for 640 characters, and a cold FETCH ENVELOPE of 5,000 letters kept 14 MB of
 * such trees alive, each copied by every minor collection on the way. Reading one character
 * makes V8 copy the string into one flat piece (and the tree's nodes garbage): 0.9 KB a summary,
 * and 5,000 kept summaries built in 107-131 ms instead of 133-177 (node --expose-gc
 * bench/summary-heap.ts on the side-by-side bench's corpus); the collector's time in a cold
 * IMAP session 50 -> 22 ms (--trace-gc).
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

const ENVELOPE_FIELDS = new Set(['date', 'subject', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'in-reply-to', 'message-id']);

/** The first occurrence of each header field ENVELOPE and SEARCH use, unfolded. */
function firstFields(buf: Buffer, headers: HeaderField[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const h of headers) {
    if (ENVELOPE_FIELDS.has(h.name) && !fields.has(h.name)) fields.set(h.name, fieldValue(buf, h));
  }
  return fields;
}

/** RFC 5322 date to ms and the day in the date's own zone. */
export function parseSentDate(value: string | undefined): { ms: number; day: number } | undefined {
  if (!value) return undefined;
  return commonDate(value) ?? anyDate(value);
}

// "Wed, 2 Dec 2026 19:20:11 +0000 (UTC)", as MTAs and mail programs write it: read by hand, about
// ten times quicker than Date.parse (a cold FETCH ENVELOPE of 5,000 letters spent 12 ms there).
// Anything else (no numeric zone, two-digit years, a leap second, odd spacing) goes to
// Date.parse as before; test/mailbox/message-summary.test.ts checks both give the same.
const COMMON_DATE = /^\s*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(\d{1,2}) +([A-Za-z]{3}) +(\d{4}) +(\d{2}):(\d{2})(?::(\d{2}))? +([+-])(\d{2})(\d{2})(?: *\([^()]*\))?\s*$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function commonDate(value: string): { ms: number; day: number } | undefined {
  const m = COMMON_DATE.exec(value);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2].toLowerCase());
  const [day, year, hour, minute, second, zh, zm] = [m[1], m[3], m[4], m[5], m[6] ?? '0', m[8], m[9]].map(Number);
  if (month < 0 || day < 1 || day > 31 || year < 1900 || hour > 23 || minute > 59 || second > 59 || zh > 23 || zm > 59) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (zh * 60 + zm);
  const ms = Date.UTC(year, month, day, hour, minute, second) - offset * 60_000;
  return { ms, day: Math.floor((ms + offset * 60_000) / 86_400_000) };
}

/** Any date Date.parse reads. */
export function anyDate(value: string): { ms: number; day: number } | undefined {
  const clean = (value.includes('(') ? value.replace(/\([^)]*\)/g, '') : value).trim();
  const ms = Date.parse(clean);
  if (Number.isNaN(ms)) return undefined;
  const zone = /([+-])(\d{2})(\d{2})\s*$/.exec(clean);
  const offset = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])) : 0;
  return { ms, day: Math.floor((ms + offset * 60_000) / 86_400_000) };
}

/** An address list in ENVELOPE's form: NIL when empty (RFC 3501 section 7.4.2). */
function envelopeList(list: EnvelopeAddress[]): string {
  if (list.length === 0) return 'NIL';
  let out = '(';
  for (const a of list) {
    if (a.kind === 'mailbox') out += `(${nstring(a.name)} ${nstring(a.route)} ${nstring(a.mailbox)} ${nstring(a.host)})`;
    else if (a.kind === 'group') out += `(NIL NIL ${nstring(a.name)} NIL)`;
    else out += '(NIL NIL NIL NIL)';
  }
  return `${out})`;
}

/**
 * Address header values already read, with their ENVELOPE and SEARCH forms: a folder's mail
 * comes from and goes to few people, so addressparser runs once per distinct value, not once per
 * message (a Maildir keeps one of these for its index builds).
 */
export class AddressForms {
  private readonly forms = new Map<string, { envelope: string; search: string }>();

  of(value: string): { envelope: string; search: string } {
    let form = this.forms.get(value);
    if (!form) {
      const list = parseAddressList(value);
      form = { envelope: envelopeList(list), search: addressSearchText(list) };
      if (this.forms.size >= 2000) this.forms.clear();
      this.forms.set(value, form);
    }
    return form;
  }
}

/** Each address field of a header, for ENVELOPE and for SEARCH. */
class AddressLists {
  private readonly fields: Map<string, string>;
  private readonly forms: AddressForms;

  constructor(fields: Map<string, string>, forms: AddressForms) {
    this.fields = fields;
    this.forms = forms;
  }

  search(name: string): string {
    const value = this.fields.get(name);
    return value === undefined ? '' : this.forms.of(value).search;
  }

  /** The ENVELOPE form of a field: NIL when absent or empty. */
  envelope(name: string): string {
    const value = this.fields.get(name);
    return value === undefined ? 'NIL' : this.forms.of(value).envelope;
  }
}

/** ENVELOPE (RFC 3501 section 7.4.2) of a message (the root, or an embedded message/rfc822). */
export function envelopeOf(buf: Buffer, message: MimePart): string {
  const fields = firstFields(buf, message.headers);
  return envelopeFrom(fields, new AddressLists(fields, new AddressForms()));
}

function envelopeFrom(fields: Map<string, string>, lists: AddressLists): string {
  const from = lists.envelope('from');
  // "If the Sender or Reply-To lines are absent ... the server sets the corresponding member
  // of the envelope to be the same value as the from member"
  const sender = lists.envelope('sender');
  const replyTo = lists.envelope('reply-to');
  return `(${nstring(fields.get('date'))} ${nstring(fields.get('subject'))} ${from} ${sender === 'NIL' ? from : sender} ${replyTo === 'NIL' ? from : replyTo} ${lists.envelope('to')} ${lists.envelope('cc')} ${lists.envelope('bcc')} ${nstring(fields.get('in-reply-to'))} ${nstring(fields.get('message-id'))})`;
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

/** BODYSTRUCTURE (extensible) and BODY (basic) of a part, RFC 3501 section 7.4.2, in one walk. */
export function structuresOf(buf: Buffer, part: MimePart): [string, string] {
  const ct = part.contentType;
  if (ct.type === 'multipart') {
    let ext = '(';
    let basic = '(';
    for (const child of part.children) {
      const [e, b] = structuresOf(buf, child);
      ext += e;
      basic += b;
    }
    const subtype = imapString(ct.subtype);
    return [`${ext} ${subtype} ${paramList(ct.params)} ${extensionTail(buf, part)})`, `${basic} ${subtype})`];
  }
  let contentId: string | undefined;
  let description: string | undefined;
  let encoding = '7bit';
  let md5: string | undefined;
  for (const h of part.headers) {
    if (h.name === 'content-id') contentId ??= fieldValue(buf, h);
    else if (h.name === 'content-description') description ??= fieldValue(buf, h);
    else if (h.name === 'content-transfer-encoding') encoding = fieldValue(buf, h).toLowerCase() || '7bit';
    else if (h.name === 'content-md5') md5 ??= fieldValue(buf, h);
  }
  let params = ct.params;
  if (ct.type === 'text' && !params.some(([k]) => k === 'charset')) params = [['charset', 'us-ascii'], ...params];
  const size = part.end - part.bodyStart;
  let out = `(${imapString(ct.type)} ${imapString(ct.subtype)} ${paramList(params)} ${nstring(contentId)} ${nstring(description)} ${imapString(encoding)} ${size}`;
  let basic = out;
  if (ct.type === 'text') {
    const lines = ` ${countLines(buf, part.bodyStart, part.end)}`;
    out += lines;
    basic += lines;
  } else if (ct.type === 'message' && ct.subtype === 'rfc822') {
    const inner = part.message;
    const lines = countLines(buf, part.bodyStart, part.end);
    if (inner) {
      const envelope = envelopeOf(buf, inner);
      const [e, b] = structuresOf(buf, inner);
      out += ` ${envelope} ${e} ${lines}`;
      basic += ` ${envelope} ${b} ${lines}`;
    } else {
      // an encoded message/rfc822 cannot be looked into: an empty envelope and a text body
      const empty = ' (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)';
      out += `${empty} ${lines}`;
      basic += `${empty} ${lines}`;
    }
  }
  return [`${out} ${nstring(md5)} ${extensionTail(buf, part)})`, `${basic})`];
}
