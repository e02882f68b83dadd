import fs from 'node:fs/promises';
import path from 'node:path';

export interface MailboxLetter {
  file: string;
  folder: 'new' | 'cur';
  raw: Buffer;
  /** the decoded Subject header */
  subject: string;
  from: string;
  to: string;
  /** the Date header as written */
  date: string;
  headers: string;
}

/** Read a user's Maildir as it is on disk (a test's or the teacher's view, not dovecot's). */
export async function readMailbox(dir: string): Promise<MailboxLetter[]> {
  const letters: MailboxLetter[] = [];
  for (const folder of ['new', 'cur'] as const) {
    let names: string[];
    try {
      names = await fs.readdir(path.join(dir, folder));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const file = path.join(dir, folder, name);
      let raw: Buffer;
      try {
        raw = await fs.readFile(file);
      } catch {
        continue; // moved by POP3 or IMAP while we looked
      }
      letters.push({ file, folder, raw, ...letterFields(raw) });
    }
  }
  return letters;
}

/** The fields a letter is known by, from its raw source: decoded Subject, From, To, its Date, the header. */
export function letterFields(raw: Buffer): { subject: string; from: string; to: string; date: string; headers: string } {
  const end = raw.indexOf('\r\n\r\n');
  const headers = raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
  return { headers, subject: decodeHeader(header(headers, 'subject')), from: decodeHeader(header(headers, 'from')), to: decodeHeader(header(headers, 'to')), date: header(headers, 'date') };
}

/** Whether a letter is a bounce (a DSN, RFC 3464), and for `recipient` when one is named. */
export function isBounce(raw: Buffer | string, recipient?: string): boolean {
  const source = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (!/^content-type:\s*multipart\/report/im.test(source)) return false;
  if (!recipient) return true;
  const escaped = recipient.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`Final-Recipient:\\s*rfc822;\\s*<?${escaped}>?`, 'i').test(source);
}

export function header(headers: string, name: string): string {
  const re = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im');
  const m = re.exec(headers);
  return m ? m[1].replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}

export function headerAll(headers: string, name: string): string[] {
  const re = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'img');
  return [...headers.matchAll(re)].map((m) => m[1].replace(/\r?\n[ \t]+/g, ' ').trim());
}

/** RFC 2047 encoded-words (=?UTF-8?B?...?= and =?UTF-8?Q?...?=) to text. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, charset: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      try {
        return new TextDecoder(charset).decode(bytes);
      } catch {
        return bytes.toString('utf8');
      }
    });
}
