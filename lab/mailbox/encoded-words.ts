// Text inside a message as a person reads it: RFC 2047 encoded-words in headers, RFC 2045
// transfer encodings in bodies, charsets. Used for SEARCH (a Korean subject is sent as
// "=?UTF-8?B?...?=" and must still be found) and never for what FETCH returns, which is raw.

const CHARSET_ALIASES: Record<string, string> = {
  'ks_c_5601-1987': 'euc-kr',
  ks_c_5601: 'euc-kr',
  'ks_c_5601-1989': 'euc-kr',
  cp949: 'euc-kr',
  'x-windows-949': 'euc-kr',
  'unicode-1-1-utf-7': 'utf-7',
  ascii: 'us-ascii',
};

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(charset: string): TextDecoder | null {
  let label = charset.trim().toLowerCase();
  // RFC 2231 section 5: "utf-8*ko" names the language after the star
  const star = label.indexOf('*');
  if (star >= 0) label = label.slice(0, star);
  label = CHARSET_ALIASES[label] ?? label;
  if (label === 'us-ascii') label = 'utf-8'; // 8-bit bytes labelled ASCII are most often UTF-8
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null;
    }
    decoders.set(label, decoder);
  }
  return decoder;
}

/** Bytes in a named charset to text; unknown charsets are read as UTF-8. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const decoder = (charset && decoderFor(charset)) || decoderFor('utf-8')!;
  return decoder.decode(bytes);
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
