import type { ImapNode } from './imap-parser.ts';
import { ImapSyntaxError, textOf } from './imap-parser.ts';
import { parseSequenceSet, inSet, type SequenceRange } from './sequence-set.ts';
import { parseImapDate, localDay } from '../mailbox/imap-syntax.ts';
import { parseMessage, parseHeaderBlock, fieldValue, findField, type MimePart } from '../mailbox/mime.ts';
import { decodeWords, decodeTransfer, decodeCharset } from '../mailbox/encoded-words.ts';
import { param } from '../mailbox/mime.ts';
import type { IndexEntry } from '../mailbox/header-index.ts';

// SEARCH keys (RFC 3501 section 6.4.4) as a tree, and their evaluation against one message.
// Strings match as case-insensitive substrings of the decoded text: a Korean subject sent as
// "=?UTF-8?B?...?=" is found by its Korean words (CHARSET UTF-8).

export type SearchKey =
  | { op: 'all' }
  | { op: 'flag'; letter: string; set: boolean }
  | { op: 'keyword'; name: string; set: boolean }
  | { op: 'recent' | 'new' | 'old' }
  | { op: 'indexed'; field: 0 | 1 | 2 | 3 | 4; value: string }
  | { op: 'header'; field: string; value: string }
  | { op: 'body' | 'text'; value: string }
  | { op: 'date'; sent: boolean; cmp: 'before' | 'on' | 'since'; day: number }
  | { op: 'size'; larger: boolean; n: number }
  | { op: 'uid' | 'seq'; set: SequenceRange[] }
  | { op: 'not'; key: SearchKey }
  | { op: 'or'; a: SearchKey; b: SearchKey }
  | { op: 'and'; keys: SearchKey[] };

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['R', true], UNANSWERED: ['R', false],
  DELETED: ['T', true], UNDELETED: ['T', false],
  DRAFT: ['D', true], UNDRAFT: ['D', false],
  FLAGGED: ['F', true], UNFLAGGED: ['F', false],
  SEEN: ['S', true], UNSEEN: ['S', false],
};
const INDEXED: Record<string, 0 | 1 | 2 | 3 | 4> = { SUBJECT: 0, FROM: 1, TO: 2, CC: 3, BCC: 4 };
const DATES: Record<string, [boolean, 'before' | 'on' | 'since']> = {
  BEFORE: [false, 'before'], ON: [false, 'on'], SINCE: [false, 'since'],
  SENTBEFORE: [true, 'before'], SENTON: [true, 'on'], SENTSINCE: [true, 'since'],
};

export const CHARSETS = ['UTF-8', 'US-ASCII'];

export class BadCharsetError extends Error {}

/** Parse SEARCH's arguments: [CHARSET name] key... (keys in sequence are ANDed). */
export function parseSearch(args: ImapNode[]): SearchKey {
  const queue = [...args];
  const first = queue[0];
  if (first?.type === 'atom' && first.value.toUpperCase() === 'CHARSET') {
    queue.shift();
    const charset = textOf(queue.shift());
    if (charset === undefined) throw new ImapSyntaxError('CHARSET needs a name');
    if (!CHARSETS.includes(charset.toUpperCase())) throw new BadCharsetError(charset);
  }
  if (queue.length === 0) throw new ImapSyntaxError('SEARCH needs a search key');
  const keys: SearchKey[] = [];
  while (queue.length) keys.push(parseKey(queue, 0));
  return keys.length === 1 ? keys[0] : { op: 'and', keys };
}

function takeString(queue: ImapNode[], key: string): string {
  const text = textOf(queue.shift());
  if (text === undefined) throw new ImapSyntaxError(`${key} needs a string`);
  return text;
}

/** NOT, OR and lists inside each other: a real search needs a few, a stack-exhausting one many */
const MAX_KEY_DEPTH = 100;

function parseKey(queue: ImapNode[], depth: number): SearchKey {
  if (depth > MAX_KEY_DEPTH) throw new ImapSyntaxError(`search keys nested more than ${MAX_KEY_DEPTH} deep (NOT, OR, parentheses)`);
  const node = queue.shift()!;
  if (node.type === 'list') {
    if (node.items.length === 0) throw new ImapSyntaxError('empty search key list');
    const inner = [...node.items];
    const keys: SearchKey[] = [];
    while (inner.length) keys.push(parseKey(inner, depth + 1));
    return keys.length === 1 ? keys[0] : { op: 'and', keys };
  }
  if (node.type !== 'atom' || node.section) throw new ImapSyntaxError('a search key was expected');
  const word = node.value.toUpperCase();
  if (FLAG_KEYS[word]) return { op: 'flag', letter: FLAG_KEYS[word][0], set: FLAG_KEYS[word][1] };
  if (INDEXED[word] !== undefined) return { op: 'indexed', field: INDEXED[word], value: takeString(queue, word).toLowerCase() };
  if (DATES[word]) {
    const text = takeString(queue, word);
    const day = parseImapDate(text);
    if (day === undefined) throw new ImapSyntaxError(`${word} needs a date such as 1-Feb-2026`);
    return { op: 'date', sent: DATES[word][0], cmp: DATES[word][1], day };
  }
  switch (word) {
    case 'ALL':
      return { op: 'all' };
    case 'RECENT':
      return { op: 'recent' };
    case 'NEW':
      return { op: 'new' };
    case 'OLD':
      return { op: 'old' };
    case 'KEYWORD':
    case 'UNKEYWORD':
      return { op: 'keyword', name: takeString(queue, word), set: word === 'KEYWORD' };
    case 'BODY':
    case 'TEXT':
      return { op: word === 'BODY' ? 'body' : 'text', value: takeString(queue, word).toLowerCase() };
    case 'HEADER': {
      const field = takeString(queue, word).toLowerCase();
      return { op: 'header', field, value: takeString(queue, word).toLowerCase() };
    }
    case 'LARGER':
    case 'SMALLER': {
      const n = Number(takeString(queue, word));
      if (!Number.isSafeInteger(n) || n < 0) throw new ImapSyntaxError(`${word} needs a number`);
      return { op: 'size', larger: word === 'LARGER', n };
    }
    case 'UID': {
      const set = parseSequenceSet(takeString(queue, word));
      if (!set) throw new ImapSyntaxError('UID needs a sequence set');
      return { op: 'uid', set };
    }
    case 'NOT':
      if (!queue.length) throw new ImapSyntaxError('NOT needs a search key');
      return { op: 'not', key: parseKey(queue, depth + 1) };
    case 'OR': {
      if (queue.length < 2) throw new ImapSyntaxError('OR needs two search keys');
      const a = parseKey(queue, depth + 1);
      if (!queue.length) throw new ImapSyntaxError('OR needs two search keys');
      return { op: 'or', a, b: parseKey(queue, depth + 1) };
    }
  }
  const set = parseSequenceSet(node.value);
  if (set) return { op: 'seq', set };
  throw new ImapSyntaxError(`unknown search key ${node.value.slice(0, 40)}`);
}

/** Whether a search needs the index entry (header fields, dates, size) or the file itself. */
export function needs(key: SearchKey): { entry: boolean; content: boolean } {
  switch (key.op) {
    case 'indexed':
    case 'date':
    case 'size':
      return { entry: true, content: false };
    case 'header':
    case 'body':
    case 'text':
      return { entry: true, content: true };
    case 'not':
      return needs(key.key);
    case 'or': {
      const a = needs(key.a);
      const b = needs(key.b);
      return { entry: a.entry || b.entry, content: a.content || b.content };
    }
    case 'and': {
      const all = key.keys.map(needs);
      return { entry: all.some((n) => n.entry), content: all.some((n) => n.content) };
    }
    default:
      return { entry: false, content: false };
  }
}

/** One message as a search sees it; entry and content are read only when a key asks. */
export interface SearchSubject {
  seq: number;
  uid: number;
  maxSeq: number;
  maxUid: number;
  letters: string;
  flags: () => string[];
  recent: boolean;
  entry: () => IndexEntry | undefined;
  /** INTERNALDATE (ms), from the entry or the file (Maildir.internalDate) */
  internalDate: () => number | undefined;
  content: () => Buffer | undefined;
}

export function matches(key: SearchKey, m: SearchSubject, cache: { text?: TextCache }): boolean {
  switch (key.op) {
    case 'all':
      return true;
    case 'flag':
      return m.letters.includes(key.letter) === key.set;
    case 'keyword':
      return m.flags().some((f) => f.toLowerCase() === key.name.toLowerCase()) === key.set;
    case 'recent':
      return m.recent;
    case 'new':
      return m.recent && !m.letters.includes('S');
    case 'old':
      return !m.recent;
    case 'indexed': {
      const entry = m.entry();
      // the subject as written (decoded here), the addresses as parsed (FROM matches the
      // address, not the header text)
      if (entry === undefined) return false;
      const text = key.field === 0 ? decodeWords(entry.search[0]) : entry.search[key.field];
      return text.toLowerCase().includes(key.value);
    }
    case 'date': {
      let day: number | null;
      if (key.sent) day = m.entry()?.sentDay ?? null;
      else {
        const date = m.internalDate();
        day = date === undefined ? null : localDay(date);
      }
      if (day === null) return false;
      return key.cmp === 'before' ? day < key.day : key.cmp === 'on' ? day === key.day : day >= key.day;
    }
    case 'size': {
      const entry = m.entry();
      return entry !== undefined && (key.larger ? entry.vsize > key.n : entry.vsize < key.n);
    }
    case 'uid':
      return inSet(key.set, m.uid, m.maxUid);
    case 'seq':
      return inSet(key.set, m.seq, m.maxSeq);
    case 'not':
      return !matches(key.key, m, cache);
    case 'or':
      return matches(key.a, m, cache) || matches(key.b, m, cache);
    case 'and':
      return key.keys.every((k) => matches(k, m, cache));
    case 'header': {
      const text = textOf_(m, cache);
      if (!text) return false;
      const values = text.headers.get(key.field);
      return values !== undefined && values.some((v) => v.includes(key.value));
    }
    case 'body': {
      const text = textOf_(m, cache);
      return text !== undefined && text.body.includes(key.value);
    }
    case 'text': {
      const text = textOf_(m, cache);
      return text !== undefined && (text.header.includes(key.value) || text.body.includes(key.value));
    }
  }
}

/** A message's text for BODY, TEXT and HEADER: decoded, lower-cased, made once per message. */
export interface TextCache {
  uid: number;
  header: string;
  headers: Map<string, string[]>;
  body: string;
}

function textOf_(m: SearchSubject, cache: { text?: TextCache }): TextCache | undefined {
  if (cache.text?.uid === m.uid) return cache.text;
  const data = m.content();
  if (!data) return undefined;
  const { headers, bodyStart } = parseHeaderBlock(data, 0, data.length);
  const byName = new Map<string, string[]>();
  for (const field of headers) {
    const value = decodeWords(fieldValue(data, field)).toLowerCase();
    const list = byName.get(field.name);
    if (list) list.push(value);
    else byName.set(field.name, [value]);
  }
  const header = decodeWords(data.toString('utf8', 0, bodyStart)).toLowerCase();
  const root = parseMessage(data);
  const texts: string[] = [];
  collectText(data, root, texts);
  cache.text = { uid: m.uid, header, headers: byName, body: texts.join('\n').toLowerCase() };
  return cache.text;
}

/** The decoded text of every text part (and of embedded messages' parts). */
function collectText(data: Buffer, part: MimePart, out: string[]): void {
  if (part.children.length) {
    for (const child of part.children) collectText(data, child, out);
    return;
  }
  if (part.message) {
    collectText(data, part.message, out);
    return;
  }
  if (part.contentType.type !== 'text') return;
  const enc = findField(part.headers, 'content-transfer-encoding');
  const raw = data.subarray(part.bodyStart, part.end);
  const bytes = decodeTransfer(raw, enc ? fieldValue(data, enc) : undefined);
  out.push(decodeCharset(bytes, param(part.contentType.params, 'charset')));
}
