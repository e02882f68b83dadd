// The structure of a message (RFC 5322 header fields, RFC 2045/2046 MIME parts) with byte
// offsets, which is what IMAP needs: BODYSTRUCTURE, ENVELOPE, and BODY[1.2.MIME]<0.100> cut
// straight out of the file. Nothing is decoded here; mailparser decodes and loses offsets.

export interface HeaderField {
  /** lower-case field name */
  name: string;
  /** first byte of the field */
  start: number;
  /** first byte after the colon */
  valueStart: number;
  /** first byte after the field's last line break (folded lines included) */
  end: number;
}

export interface ContentType {
  /** lower-case: text, multipart, message ... */
  type: string;
  subtype: string;
  /** parameters as written, attribute names lower-cased */
  params: Array<[string, string]>;
}

export interface MimePart {
  /** first byte of the part's header (the MIME header of a body part) */
  start: number;
  /** first byte of the body, after the blank line */
  bodyStart: number;
  /** first byte after the body (a multipart's part ends before the CRLF of its delimiter) */
  end: number;
  headers: HeaderField[];
  contentType: ContentType;
  children: MimePart[];
  /** the embedded message of a message/rfc822 part */
  message?: MimePart;
}

const MAX_DEPTH = 20;
const MAX_PARTS = 1000;

const LF = 0x0a;
const CR = 0x0d;

/** Parse a whole message (or the slice start..end of a buffer holding one). */
export function parseMessage(buf: Buffer, start = 0, end = buf.length): MimePart {
  const budget = { parts: 0 };
  return parsePart(buf, start, end, TEXT_PLAIN, 0, budget);
}

const TEXT_PLAIN: ContentType = { type: 'text', subtype: 'plain', params: [] };
const MESSAGE_RFC822: ContentType = { type: 'message', subtype: 'rfc822', params: [] };

function parsePart(buf: Buffer, start: number, end: number, defaultType: ContentType, depth: number, budget: { parts: number }): MimePart {
  budget.parts++;
  const { headers, bodyStart } = parseHeaderBlock(buf, start, end);
  const ctField = findField(headers, 'content-type');
  let contentType = defaultType;
  if (ctField) {
    const parsed = parseContentType(fieldValue(buf, ctField));
    if (parsed) contentType = parsed;
  }
  const part: MimePart = { start, bodyStart, end, headers, contentType, children: [] };
  const deeper = depth < MAX_DEPTH && budget.parts < MAX_PARTS;
  if (contentType.type === 'multipart') {
    const boundary = param(contentType.params, 'boundary');
    const ranges = boundary && deeper ? splitMultipart(buf, bodyStart, end, boundary) : [];
    const childDefault = contentType.subtype === 'digest' ? MESSAGE_RFC822 : TEXT_PLAIN;
    for (const [s, e] of ranges) {
      if (budget.parts >= MAX_PARTS) break;
      part.children.push(parsePart(buf, s, e, childDefault, depth + 1, budget));
    }
    if (part.children.length === 0) {
      // A multipart without a usable boundary: one text part holding the whole body, so that
      // BODYSTRUCTURE stays well-formed (a multipart has at least one part).
      part.children.push({ start: bodyStart, bodyStart, end, headers: [], contentType: TEXT_PLAIN, children: [] });
    }
  } else if (contentType.type === 'message' && contentType.subtype === 'rfc822' && deeper) {
    const enc = findField(headers, 'content-transfer-encoding');
    const encoding = enc ? fieldValue(buf, enc).toLowerCase() : '7bit';
    // only an unencoded message can be parsed in place (RFC 2046 section 5.2.1)
    if (encoding === '7bit' || encoding === '8bit' || encoding === 'binary') {
      part.message = parsePart(buf, bodyStart, end, TEXT_PLAIN, depth + 1, budget);
    }
  }
  return part;
}

/** Header fields up to the first empty line; a header without one runs to the end. */
export function parseHeaderBlock(buf: Buffer, start: number, end: number): { headers: HeaderField[]; bodyStart: number } {
  const headers: HeaderField[] = [];
  let pos = start;
  let current: HeaderField | undefined;
  while (pos < end) {
    let lineEnd = buf.indexOf(LF, pos);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    const next = lineEnd < end ? lineEnd + 1 : end;
    const first = buf[pos];
    if (first === LF || (first === CR && lineEnd === pos + 1)) {
      return { headers, bodyStart: next };
    }
    if ((first === 0x20 || first === 0x09) && current) {
      current.end = next; // a folded line (RFC 5322 section 2.2.3)
    } else {
      const colon = buf.indexOf(0x3a, pos);
      if (colon > pos && colon < lineEnd) {
        current = { name: buf.toString('latin1', pos, colon).trim().toLowerCase(), start: pos, valueStart: colon + 1, end: next };
        headers.push(current);
      } else if (current) {
        current.end = next; // a broken line inside a field: keep it with the field
      }
    }
    pos = next;
  }
  return { headers, bodyStart: end };
}

export function findField(headers: HeaderField[], name: string): HeaderField | undefined {
  for (const h of headers) if (h.name === name) return h;
  return undefined;
}

/** A field's value, unfolded (RFC 5322 section 2.2.3) and trimmed; encoded-words are kept. */
export function fieldValue(buf: Buffer, field: HeaderField): string {
  let end = field.end;
  if (end > field.valueStart && buf[end - 1] === LF) end--;
  if (end > field.valueStart && buf[end - 1] === CR) end--;
  const folded = buf.indexOf(LF, field.valueStart);
  const raw = buf.toString('utf8', field.valueStart, end);
  return (folded >= 0 && folded < end ? raw.replace(/\r?\n/g, '') : raw).trim();
}

export function headerValue(buf: Buffer, headers: HeaderField[], name: string): string | undefined {
  const field = findField(headers, name);
  return field ? fieldValue(buf, field) : undefined;
}

export function param(params: Array<[string, string]>, name: string): string | undefined {
  for (const [k, v] of params) if (k === name) return v;
  return undefined;
}

/**
 * A structured field: "value; attr=val; attr="quoted val"" (RFC 2045 section 5.1), comments
 * dropped. Attribute names are lower-cased; values are kept as written.
 */
export function parseStructured(value: string): { value: string; params: Array<[string, string]> } {
  let cur = '';
  let i = 0;
  const params: Array<[string, string]> = [];
  let main: string | undefined;
  const pushToken = () => {
    if (main === undefined) main = cur.trim();
    else {
      const eq = cur.indexOf('=');
      if (eq > 0) params.push([cur.slice(0, eq).trim().toLowerCase(), cur.slice(eq + 1).trim()]);
    }
    cur = '';
  };
  while (i < value.length) {
    const c = value[i];
    if (c === '"') {
      // a quoted-string: keep its content, undo quoted-pairs
      i++;
      let q = '';
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < value.length) i++;
        q += value[i++];
      }
      i++;
      cur += q;
      continue;
    }
    if (c === '(') {
      let depth = 0;
      while (i < value.length) {
        if (value[i] === '\\') i++;
        else if (value[i] === '(') depth++;
        else if (value[i] === ')' && --depth === 0) break;
        i++;
      }
      i++;
      continue;
    }
    if (c === ';') {
      pushToken();
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  pushToken();
  return { value: main ?? '', params };
}

export function parseContentType(value: string): ContentType | undefined {
  const { value: main, params } = parseStructured(value);
  const slash = main.indexOf('/');
  if (slash <= 0) return undefined;
  const type = main.slice(0, slash).trim().toLowerCase();
  const subtype = main.slice(slash + 1).trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+$/.test(type) || !/^[a-z0-9!#$&^_.+-]+$/.test(subtype)) return undefined;
  return { type, subtype, params };
}

/**
 * The parts of a multipart body (RFC 2046 section 5.1.1): a delimiter is "--boundary" at the
 * start of a line, followed only by white space; "--boundary--" closes. A part ends before the
 * line break that precedes the next delimiter. Preamble and epilogue belong to no part.
 */
export function splitMultipart(buf: Buffer, bodyStart: number, end: number, boundary: string): Array<[number, number]> {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let pos = bodyStart;
  while (pos < end) {
    const idx = buf.indexOf(delimiter, pos);
    if (idx < 0 || idx + delimiter.length > end) break;
    if (idx !== bodyStart && buf[idx - 1] !== LF) {
      pos = idx + 1;
      continue;
    }
    const after = idx + delimiter.length;
    const closing = buf[after] === 0x2d && buf[after + 1] === 0x2d;
    let lineEnd = buf.indexOf(LF, after);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    if (!closing) {
      let padding = true;
      for (let i = after; i < lineEnd; i++) {
        const c = buf[i];
        if (c !== 0x20 && c !== 0x09 && c !== CR) {
          padding = false;
          break;
        }
      }
      if (!padding) {
        pos = after;
        continue;
      }
    }
    if (partStart >= 0) {
      let e = idx;
      if (e > partStart && buf[e - 1] === LF) {
        e--;
        if (e > partStart && buf[e - 1] === CR) e--;
      }
      parts.push([partStart, e]);
    }
    if (closing) {
      partStart = -1;
      break;
    }
    partStart = lineEnd < end ? lineEnd + 1 : end;
    pos = partStart;
  }
  if (partStart >= 0) parts.push([partStart, end]);
  return parts;
}

/** Lines in a body, as BODYSTRUCTURE counts them for text and message/rfc822 parts. */
export function countLines(buf: Buffer, start: number, end: number): number {
  // searched in a one-byte string copy of the body: a string's indexOf is V8's own (no call
  // into C++ per line, as a Buffer's indexOf is) and scans many bytes at a time, where a loop
  // over the bytes looks at each (5,000 letters of 2.5 KB: 7 ms against 12; a cold FETCH
  // ENVELOPE of 5,000 letters counts half a million lines)
  if (end <= start) return 0;
  const text = buf.toString('latin1', start, end);
  let lines = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
  if (buf[end - 1] !== LF) lines++;
  return lines;
}

/** Whether a message has a line ending in a bare LF; IMAP sends CRLF (RFC 3501 section 2.2). */
export function hasBareLf(buf: Buffer): boolean {
  let pos = buf.indexOf(LF);
  while (pos >= 0) {
    if (pos === 0 || buf[pos - 1] !== CR) return true;
    pos = buf.indexOf(LF, pos + 1);
  }
  return false;
}

/**
 * The message with every bare LF made CRLF, as IMAP must send it: the same buffer when there is
 * none, else `into` when it has room for twice the message, or one new buffer (counted first,
 * then copied). Loops over the bytes: with indexOf and copy per line (a call into C++ each), a
 * 2 KB letter of short lines took 3-4 times as long, and a cold FETCH of 5,000 such letters
 * makes them twice each.
 */
export function toCrlf(buf: Buffer, into?: Buffer): Buffer {
  const n = buf.length;
  // room for the worst case (every byte a bare LF): made CRLF in one pass, no count first
  // (5,000 letters of 2.5 KB: 15-21 ms against 23-35)
  if (into && into.length >= 2 * n) return crlfInto(buf, into);
  let bare = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === LF && prev !== CR) bare++;
    prev = c;
  }
  if (bare === 0) return buf;
  const out = into && into.length >= n + bare ? into.subarray(0, n + bare) : Buffer.allocUnsafe(n + bare);
  let at = 0;
  prev = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === LF && prev !== CR) out[at++] = CR;
    out[at++] = c;
    prev = c;
  }
  return out;
}

function crlfInto(buf: Buffer, into: Buffer): Buffer {
  const n = buf.length;
  let at = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === LF && prev !== CR) into[at++] = CR;
    into[at++] = c;
    prev = c;
  }
  return at === n ? buf : into.subarray(0, at);
}

/**
 * The part a section number names (RFC 3501 section 6.4.5): "1.2" is the second part of the
 * first part. In a non-multipart message, part 1 is the body itself; the parts of a
 * message/rfc822 part are those of the message it holds.
 */
export function partAt(root: MimePart, path: number[]): MimePart | undefined {
  let node = root;
  let isMessage = true; // node is a message whose body's parts the next number counts
  for (const n of path) {
    if (!isMessage) {
      if (node.message) {
        node = node.message;
        isMessage = true;
      } else if (node.contentType.type === 'multipart') {
        const child = node.children[n - 1];
        if (!child) return undefined;
        node = child;
        continue;
      } else return undefined;
    }
    if (node.contentType.type === 'multipart') {
      const child = node.children[n - 1];
      if (!child) return undefined;
      node = child;
    } else if (n !== 1) return undefined;
    // else: part 1 of a non-multipart message is that message's own body
    isMessage = false;
  }
  return node;
}
