// IMAP's string syntax (RFC 3501 section 4.3), here because the store caches ENVELOPE and
// BODYSTRUCTURE already written in it (as dovecot's cache keeps imap.envelope).

/** A string as IMAP sends it: quoted when it can be (7-bit, no CR/LF), else a literal. */
export function imapString(value: string): string {
  let escapes = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0x7f) return `{${Buffer.byteLength(value)}}\r\n${value}`;
    if (c === 0x22 || c === 0x5c) escapes = true;
  }
  return escapes ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
}

export function nstring(value: string | null | undefined): string {
  return value === null || value === undefined ? 'NIL' : imapString(value);
}

/** An astring: a bare atom when the value is one, else a string (used for folder names). */
export function astring(value: string): string {
  if (value !== '' && /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|}~]+$/.test(value) && value.toUpperCase() !== 'NIL') return value;
  return imapString(value);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** INTERNALDATE's date-time: "17-Jul-1996 02:44:25 -0700", in the server's time zone. */
export function imapDateTime(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getDate())}-${MONTHS[d.getMonth()]}-${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

/** Parse IMAP's date-time (APPEND): " 7-Jul-1996 02:44:25 -0700". */
export function parseImapDateTime(value: string): number | undefined {
  const m = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2].toLowerCase());
  if (month < 0) return undefined;
  const [day, year, hh, mm, ss, oh, om] = [m[1], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number);
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (oh * 60 + om);
  return Date.UTC(year, month, day, hh, mm, ss) - offset * 60_000;
}

/** Parse IMAP's date (SEARCH SINCE 1-Feb-1994) as a day number (days since 1970-01-01). */
export function parseImapDate(value: string): number | undefined {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(value.trim());
  if (!m) return undefined;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2].toLowerCase());
  const day = Number(m[1]);
  if (month < 0 || day < 1 || day > 31) return undefined;
  return Math.floor(Date.UTC(Number(m[3]), month, day) / 86_400_000);
}

/** The calendar day (days since 1970-01-01) of an instant in the server's time zone. */
export function localDay(ms: number): number {
  const d = new Date(ms);
  return Math.floor(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000);
}
