import { parseHeaderBlock, fieldValue } from '../mailbox/mime.ts';
import { decodeWords } from '../mailbox/encoded-words.ts';

/** One header field of a letter, as the page shows it. */
export interface LetterHeader {
  name: string;
  /** unfolded, encoded-words decoded (=?UTF-8?B?...?= -> 한글) */
  value: string;
  /** as it stands in the file */
  raw: string;
  /** the Received line the host holding this copy added: the hop's own trace in the letter */
  added?: boolean;
}

export interface LetterView {
  headers: LetterHeader[];
  /** the body as text, transfer encoding and charset decoded */
  text: string;
  subject: string;
  from: string;
  to: string;
  date: string;
  messageId?: string;
  raw: string;
}

/**
 * A letter as the page shows it: decoded headers (in file order), the body as text, the raw
 * source. `hostname` is the mail server holding this copy (mail.naver.com): its Received line,
 * the topmost one "by" it, is marked as the one this hop added.
 */
export async function viewLetter(raw: Buffer, hostname?: string): Promise<LetterView> {
  const { headers: fields } = parseHeaderBlock(raw, 0, raw.length);
  let markedOne = false;
  const headers = fields.map((field): LetterHeader => {
    const value = fieldValue(raw, field);
    const name = raw.toString('latin1', field.start, field.valueStart - 1).trim();
    const header: LetterHeader = { name, value: decodeWords(value), raw: raw.toString('utf8', field.start, field.end).replace(/\r?\n$/, '') };
    if (!markedOne && hostname && field.name === 'received' && new RegExp(`\\bby\\s+${escape(hostname)}\\b`, 'i').test(value)) {
      header.added = true;
      markedOne = true;
    }
    return header;
  });
  const get = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
  let text = '';
  // mailparser (with libmime, htmlparser2, html-to-text: about 70 modules) loads with the first letter shown, not with the lab
  const { simpleParser } = await import('mailparser');
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    text = parsed.text ?? '';
  } catch {
    text = raw.toString('utf8'); // not a letter mailparser can read: show it as it is
  }
  return { headers, text, subject: get('subject'), from: get('from'), to: get('to'), date: get('date'), messageId: get('message-id') || undefined, raw: raw.toString('utf8') };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
