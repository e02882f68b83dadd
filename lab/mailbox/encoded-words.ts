// Text inside a message as a person reads it: RFC 2047 encoded-words in headers, RFC 2045
// transfer encodings in bodies, charsets. The lab's one decoder: SEARCH (a Korean subject is
// sent as "=?UTF-8?B?...?=" or "=?EUC-KR?B?...?=" and must still be found), the search text of
// addresses, and the mailbox view the tests and the teacher read. Never for what FETCH
// returns, which is raw.

import { createRequire } from 'node:module';

type Charsets = typeof import('libmime/lib/charset');
let charsets: Charsets | undefined;
/**
 * libmime's charset module, loaded with the first text decoded, not with every lab: loading it
 * builds iconv-lite's GBK tables at once (about 4 MB of an idle lab's heap and 30 ms of its start).
 * Its CommonJS build, so that the first decode can stay synchronous.
 */
function libmimeCharsets(): Charsets {
  return (charsets ??= createRequire(import.meta.url)('libmime/lib/charset') as Charsets);
}

/**
 * Bytes in a named charset to text; unknown charsets are read as UTF-8. The charsets are
 * libmime's (mailparser's, through iconv-lite): EUC-KR and its aliases ks_c_5601-1987, cp949,
 * windows-949, and every other charset mail programs label with. ISO-2022-KR (RFC 1557), which
 * iconv-lite lacks and WHATWG decoders refuse, is shifted into EUC-KR first. RFC 2231's
 * "utf-8*ko" names the language after the star.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let label = (charset ?? 'utf-8').trim();
  const star = label.indexOf('*');
  if (star >= 0) label = label.slice(0, star);
  const { decode, normalizeCharset } = libmimeCharsets();
  if (/^iso-?2022-?kr$/i.test(label)) return decode(iso2022krToEucKr(buf), 'euc-kr');
  return decode(buf, normalizeCharset(label));
}

/**
 * ISO-2022-KR (RFC 1557): ASCII, with SO (0x0E) shifting to KS X 1001 in 7-bit pairs and SI
 * (0x0F) back; the "ESC $ ) C" designator is dropped. EUC-KR is the same code with the high bit
 * set.
 */
export function iso2022krToEucKr(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let o = 0;
  let shifted = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x1b && bytes[i + 1] === 0x24 && bytes[i + 2] === 0x29 && bytes[i + 3] === 0x43) {
      i += 3;
      continue;
    }
    if (b === 0x0e) shifted = true;
    else if (b === 0x0f) shifted = false;
    else if (b === 0x0a || b === 0x0d) {
      shifted = false; // RFC 1557: a line starts in ASCII
      out[o++] = b;
    } else out[o++] = shifted && b >= 0x21 && b <= 0x7e ? b | 0x80 : b;
  }
  return out.subarray(0, o);
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) bytes.push(0x20); // "_" is a space in the Q encoding (RFC 2047 section 4.2)
    else if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c & 0xff);
  }
  return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decode RFC 2047 encoded-words. Whitespace between two adjacent encoded-words is dropped
 * (section 6.2), and adjacent words in the same charset are joined as bytes first, so a
 * multi-byte character split across two words still decodes.
 */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | undefined;
  const flush = () => {
    if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
    pending = undefined;
  };
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    if (!(pending && /^\s*$/.test(between))) {
      flush();
      out += between;
    }
    const charset = m[1];
    const bytes = m[2].toUpperCase() === 'B' ? Buffer.from(m[3], 'base64') : decodeQ(m[3]);
    if (pending && pending.charset.toLowerCase() === charset.toLowerCase()) pending.bytes.push(bytes);
    else {
      flush();
      pending = { charset, bytes: [bytes] };
    }
    last = m.index + m[0].length;
  }
  flush();
  return out + value.slice(last);
}

/** Undo quoted-printable (RFC 2045 section 6.7): soft line breaks and =XX escapes. */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    const a = input[i + 1];
    if (a === 0x0d && input[i + 2] === 0x0a) {
      i += 2; // soft line break
      continue;
    }
    if (a === 0x0a) {
      i += 1;
      continue;
    }
    const hex = input.toString('latin1', i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[o++] = parseInt(hex, 16);
      i += 2;
    } else out[o++] = c;
  }
  return out.subarray(0, o);
}

/** A part's body as bytes, its Content-Transfer-Encoding undone. */
export function decodeTransfer(body: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === 'base64') return Buffer.from(body.toString('latin1'), 'base64');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}
