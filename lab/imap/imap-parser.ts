// Arguments of an IMAP command (RFC 3501 section 9, formal syntax) as a small tree: atoms,
// strings (quoted or literal, with their bytes), parenthesised lists, and the section and
// partial of FETCH's BODY[...]<n.m>. Anything else is a syntax error, answered with BAD.

export type ImapNode =
  | { type: 'atom'; value: string; section?: ImapNode[]; partial?: { start: number; length: number | undefined } }
  | { type: 'string'; value: string; bytes: Buffer; literal: boolean }
  | { type: 'list'; items: ImapNode[] };

export interface ParsedCommand {
  tag: string;
  /** upper case, "UID FETCH" for the UID forms */
  verb: string;
  args: ImapNode[];
}

export class ImapSyntaxError extends Error {
  /** the tag, when it could be read, so the BAD can be tagged */
  tag: string | undefined;
  constructor(message: string, tag?: string) {
    super(message);
    this.tag = tag;
  }
}

// tag and atom characters: ATOM-CHAR excludes ( ) { SP CTL % * " \ ] (section 9); "[" is an
// ATOM-CHAR and "]" an ASTRING-CHAR, so "foo[bar]" is one astring (a folder name). We let "%",
// "*", "]" and "\" into atoms (LIST patterns, sequence sets, flags) and check meaning later.
// Only FETCH's BODY[...], BODY.PEEK[...] and BINARY[...] open a section at "[".
const TAG = /^[^\x00-\x20\x7f()[\]{%*"\\+]+$/;
const SECTIONED = new Set(['BODY', 'BODY.PEEK', 'BINARY', 'BINARY.PEEK', 'BINARY.SIZE']);
/** parenthesised lists inside each other: deeper is not IMAP, only a way to exhaust the stack */
const MAX_NESTING = 64;
const LITERAL = /^\{(\d{1,12})\+?\}$/;

class Cursor {
  readonly parts: Buffer[];
  lineIndex = 0;
  line: string;
  pos = 0;
  tag: string | undefined;
  depth = 0;

  constructor(parts: Buffer[]) {
    this.parts = parts;
    this.line = parts[0].toString('utf8');
  }

  get atLineEnd(): boolean {
    return this.pos >= this.line.length;
  }

  get isLastLine(): boolean {
    return this.lineIndex >= this.parts.length - 1;
  }

  peek(): string {
    return this.line[this.pos];
  }

  fail(message: string): never {
    throw new ImapSyntaxError(message, this.tag);
  }

  /** Take the literal that follows this line, then move on to the line after it. */
  takeLiteral(): Buffer {
    const literal = this.parts[this.lineIndex + 1];
    if (!literal) this.fail('literal missing');
    this.lineIndex += 2;
    const next = this.parts[this.lineIndex];
    if (!next) this.fail('command ends inside a literal');
    this.line = next.toString('utf8');
    this.pos = 0;
    return literal;
  }
}

export function parseCommand(parts: Buffer[]): ParsedCommand {
  const c = new Cursor(parts);
  const first = c.line;
  const sp = first.indexOf(' ');
  const tag = sp < 0 ? first : first.slice(0, sp);
  if (!tag || !TAG.test(tag)) throw new ImapSyntaxError(tag ? `not a tag: ${tag.slice(0, 40)}` : 'empty command line');
  c.tag = tag;
  if (sp < 0) c.fail('command missing');
  c.pos = sp + 1;
  let verb = readWord(c).toUpperCase();
  if (!verb) c.fail('command missing');
  if (verb === 'UID') {
    if (c.peek() !== ' ') c.fail('UID needs a command');
    c.pos++;
    const sub = readWord(c).toUpperCase();
    if (!sub) c.fail('UID needs a command');
    verb = `UID ${sub}`;
  }
  const args: ImapNode[] = [];
  if (!c.atLineEnd) {
    if (c.peek() !== ' ') c.fail('expected a space after the command');
    c.pos++;
    args.push(...parseNodes(c, 'end'));
  }
  return { tag, verb, args };
}

function readWord(c: Cursor): string {
  const start = c.pos;
  while (c.pos < c.line.length && /[A-Za-z0-9.-]/.test(c.line[c.pos])) c.pos++;
  return c.line.slice(start, c.pos);
}

function parseNodes(c: Cursor, until: 'end' | ')' | ']'): ImapNode[] {
  const nodes: ImapNode[] = [];
  for (;;) {
    if (c.atLineEnd) {
      if (until === 'end' && c.isLastLine) return nodes;
      c.fail(until === 'end' ? 'unexpected end of command' : `missing "${until}"`);
    }
    const ch = c.peek();
    if (ch === ')' || (ch === ']' && until === ']')) {
      if (until !== ch) c.fail(`unexpected "${ch}"`);
      c.pos++;
      return nodes;
    }
    nodes.push(parseNode(c, until === ']'));
    // between arguments: one space, or the end of what encloses them
    if (c.atLineEnd) continue;
    const next = c.peek();
    if (next === ' ') {
      c.pos++;
      if (c.atLineEnd || c.peek() === ' ') c.fail('unexpected space');
    } else if (next !== ')' && !(next === ']' && until === ']')) c.fail(`unexpected "${next}"`);
  }
}

function parseNode(c: Cursor, inSection: boolean): ImapNode {
  const ch = c.peek();
  if (ch === '(') {
    c.pos++;
    if (++c.depth > MAX_NESTING) c.fail(`lists nested more than ${MAX_NESTING} deep`);
    const items = parseNodes(c, ')');
    c.depth--;
    return { type: 'list', items };
  }
  if (ch === '"') return parseQuoted(c);
  // "~{n}" is a literal8 (RFC 3516, RFC 6855 section 4's APPEND UTF8): bytes as a literal's
  if (ch === '~' && c.line[c.pos + 1] === '{') c.pos++;
  if (c.peek() === '{') {
    const rest = c.line.slice(c.pos);
    if (!LITERAL.test(rest)) c.fail('a literal {n} must end its line');
    const bytes = c.takeLiteral();
    return { type: 'string', value: bytes.toString('utf8'), bytes, literal: true };
  }
  return parseAtom(c, inSection);
}

function parseQuoted(c: Cursor): ImapNode {
  c.pos++;
  let value = '';
  for (;;) {
    if (c.atLineEnd) c.fail('unterminated quoted string');
    const ch = c.line[c.pos++];
    if (ch === '"') break;
    if (ch === '\\') {
      const esc = c.line[c.pos++];
      // RFC 3501 section 9: only \" and \\ are quoted-pairs
      if (esc !== '"' && esc !== '\\') c.fail('bad escape in quoted string');
      value += esc;
    } else value += ch;
  }
  return { type: 'string', value, bytes: Buffer.from(value), literal: false };
}

function parseAtom(c: Cursor, inSection: boolean): ImapNode {
  const start = c.pos;
  while (c.pos < c.line.length) {
    const ch = c.line[c.pos];
    if (ch === ' ' || ch === '(' || ch === ')' || ch === '"' || ch === '{') break;
    if (ch === '[' && SECTIONED.has(c.line.slice(start, c.pos).toUpperCase())) break;
    if (ch === ']' && inSection) break;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) c.fail('control character in an atom');
    c.pos++;
  }
  const value = c.line.slice(start, c.pos);
  if (c.peek() === '[') {
    c.pos++;
    const section = parseNodes(c, ']');
    const node: ImapNode = { type: 'atom', value, section };
    if (c.peek() === '<') {
      const m = /^<(\d{1,10})(?:\.(\d{1,10}))?>/.exec(c.line.slice(c.pos));
      if (!m) c.fail('bad partial <n.m>');
      c.pos += m[0].length;
      node.partial = { start: Number(m[1]), length: m[2] === undefined ? undefined : Number(m[2]) };
    }
    return node;
  }
  if (!value) c.fail(`unexpected "${c.peek() ?? 'end of line'}"`);
  return { type: 'atom', value };
}

/** An atom's or a string's text (astring), or undefined for a list. */
export function textOf(node: ImapNode | undefined): string | undefined {
  if (!node || node.type === 'list') return undefined;
  if (node.type === 'atom' && node.section) return undefined;
  return node.value;
}

export function isNil(node: ImapNode | undefined): boolean {
  return node?.type === 'atom' && !node.section && node.value.toUpperCase() === 'NIL';
}
