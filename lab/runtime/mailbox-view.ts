import fs from '../fs-async.ts';
import path from 'node:path';
import { parseHeaderBlock } from '../mailbox/mime.ts';
import { decodeWords } from '../mailbox/encoded-words.ts';

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
  // the header as the IMAP server reads it (mime.ts), up to the blank line
  const { bodyStart } = parseHeaderBlock(raw, 0, raw.length);
  const headers = raw.toString('utf8', 0, bodyStart).replace(/\r?\n\r?\n$/, '');
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

/** Every value of a header field, unfolded (RFC 5322 section 2.2.3), encoded-words kept. */
export function headerAll(headers: string, name: string): string[] {
  const buf = Buffer.from(headers.endsWith('\n') ? headers : `${headers}\r\n`);
  const wanted = name.toLowerCase();
  return parseHeaderBlock(buf, 0, buf.length).headers.filter((f) => f.name === wanted).map((f) => buf.toString('utf8', f.valueStart, f.end).replace(/\r?\n[ \t]+/g, ' ').trim());
}

/** The first value of a header field, or ''. */
export function header(headers: string, name: string): string {
  return headerAll(headers, name)[0] ?? '';
}

/** RFC 2047 encoded-words to text: the mailbox's one decoder (lab/mailbox/encoded-words.ts). */
export const decodeHeader = decodeWords;
