import type { ImapNode } from './imap-parser.ts';
import { ImapSyntaxError } from './imap-parser.ts';

// FETCH's data items (RFC 3501 section 6.4.5): what a client asks for and how each answer is
// labelled in the response.

export type SectionKind = '' | 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface Section {
  /** part numbers, "1.2" -> [1, 2]; [] for the whole message */
  path: number[];
  kind: SectionKind;
  /** HEADER.FIELDS (...) field names, upper case */
  fields?: string[];
}

export type FetchItem =
  | { kind: 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | 'BODY' }
  | {
      kind: 'section';
      /** the response's name: BODY[1.MIME], RFC822, RFC822.HEADER ... (origin added when partial) */
      label: string;
      section: Section;
      partial?: { start: number; length: number | undefined };
      /** BODY.PEEK and RFC822.HEADER leave \Seen alone */
      peek: boolean;
    };

const SIMPLE = new Set(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE']);

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

export function parseFetchItems(node: ImapNode): FetchItem[] {
  if (node.type === 'atom' && !node.section) {
    const macro = MACROS[node.value.toUpperCase()];
    if (macro) return macro.map((name) => ({ kind: name as 'FLAGS' }));
  }
  const nodes = node.type === 'list' ? node.items : [node];
  if (nodes.length === 0) throw new ImapSyntaxError('FETCH needs at least one data item');
  return nodes.map(parseItem);
}

function parseItem(node: ImapNode): FetchItem {
  if (node.type !== 'atom') throw new ImapSyntaxError('FETCH data items are atoms such as ENVELOPE or BODY[]');
  const name = node.value.toUpperCase();
  if (!node.section) {
    if (node.partial) throw new ImapSyntaxError(`${name} takes no partial`);
    if (SIMPLE.has(name)) return { kind: name as 'UID' };
    if (name === 'BODY') return { kind: 'BODY' };
    if (name === 'RFC822') return { kind: 'section', label: 'RFC822', section: { path: [], kind: '' }, peek: false };
    if (name === 'RFC822.HEADER') return { kind: 'section', label: 'RFC822.HEADER', section: { path: [], kind: 'HEADER' }, peek: true };
    if (name === 'RFC822.TEXT') return { kind: 'section', label: 'RFC822.TEXT', section: { path: [], kind: 'TEXT' }, peek: false };
    throw new ImapSyntaxError(`unknown FETCH data item ${name.slice(0, 40)}`);
  }
  if (name !== 'BODY' && name !== 'BODY.PEEK') throw new ImapSyntaxError(`${name.slice(0, 40)}[...] is not a FETCH data item`);
  const section = parseSection(node.section);
  if (node.partial?.length === 0) throw new ImapSyntaxError('a partial length must not be 0');
  return { kind: 'section', label: `BODY[${sectionText(section)}]`, section, partial: node.partial, peek: name === 'BODY.PEEK' };
}

function parseSection(nodes: ImapNode[]): Section {
  if (nodes.length === 0) return { path: [], kind: '' };
  const first = nodes[0];
  if (first.type !== 'atom' || first.section) throw new ImapSyntaxError('bad section');
  const words = first.value.toUpperCase().split('.');
  const path: number[] = [];
  while (words.length && /^\d+$/.test(words[0])) {
    const n = Number(words.shift());
    if (n === 0 || path.length >= 50) throw new ImapSyntaxError('bad section part number');
    path.push(n);
  }
  const kind = words.join('.') as SectionKind;
  if (!['', 'HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'TEXT', 'MIME'].includes(kind)) throw new ImapSyntaxError(`bad section ${first.value.slice(0, 40)}`);
  if (kind === 'MIME' && path.length === 0) throw new ImapSyntaxError('MIME needs a part number');
  if (kind === 'HEADER.FIELDS' || kind === 'HEADER.FIELDS.NOT') {
    const list = nodes[1];
    if (!list || list.type !== 'list' || list.items.length === 0 || nodes.length > 2) throw new ImapSyntaxError(`${kind} needs a list of field names`);
    const fields = list.items.map((item) => {
      if (item.type === 'list' || (item.type === 'atom' && item.section)) throw new ImapSyntaxError('field names are strings');
      const field = item.value;
      if (!/^[!-9;-~]+$/.test(field)) throw new ImapSyntaxError(`bad header field name ${field.slice(0, 40)}`);
      return field.toUpperCase();
    });
    return { path, kind, fields };
  }
  if (nodes.length > 1) throw new ImapSyntaxError('bad section');
  return { path, kind };
}

export function sectionText(section: Section): string {
  let text = section.path.join('.');
  if (section.kind) text += (text ? '.' : '') + section.kind;
  if (section.fields) text += ` (${section.fields.join(' ')})`;
  return text;
}
