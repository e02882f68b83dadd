// Address lists of From, To, Cc... (RFC 5322 section 3.4) as ENVELOPE needs them: display
// name, mailbox, host, and groups. Lenient: real mail breaks the grammar all the time.

export type EnvelopeAddress =
  | { kind: 'mailbox'; name: string | null; mailbox: string; host: string }
  /** start of a group (RFC 3501: host NIL, mailbox the group name) */
  | { kind: 'group'; name: string }
  /** end of a group (all four fields NIL) */
  | { kind: 'group-end' };

type Token = { t: 'q' | 'c' | 'a' | 'w'; v: string } | { t: ',' | ':' | ';' };

function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let word = '';
  const endWord = () => {
    if (word) tokens.push({ t: 'w', v: word });
    word = '';
  };
  while (i < value.length) {
    const c = value[i];
    if (c === '"') {
      endWord();
      let q = '';
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < value.length) i++;
        q += value[i++];
      }
      i++;
      tokens.push({ t: 'q', v: q });
    } else if (c === '(') {
      endWord();
      let depth = 0;
      let text = '';
      while (i < value.length) {
        const d = value[i];
        if (d === '\\' && i + 1 < value.length) {
          text += value[i + 1];
          i += 2;
          continue;
        }
        if (d === '(') {
          if (depth > 0) text += d;
          depth++;
        } else if (d === ')') {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
          text += d;
        } else text += d;
        i++;
      }
      tokens.push({ t: 'c', v: text.trim() });
    } else if (c === '<') {
      endWord();
      const close = value.indexOf('>', i + 1);
      const inner = close < 0 ? value.slice(i + 1) : value.slice(i + 1, close);
      tokens.push({ t: 'a', v: inner.trim() });
      i = close < 0 ? value.length : close + 1;
    } else if (c === ',' || c === ':' || c === ';') {
      endWord();
      tokens.push({ t: c });
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      endWord();
      i++;
    } else {
      word += c;
      i++;
    }
  }
  endWord();
  return tokens;
}

function splitAddress(addr: string): { mailbox: string; host: string } {
  let spec = addr;
  // an obsolete source route "@a,@b:user@host" (RFC 5322 section 4.4): keep only the address
  if (spec.startsWith('@')) {
    const colon = spec.indexOf(':');
    if (colon >= 0) spec = spec.slice(colon + 1);
  }
  const at = spec.lastIndexOf('@');
  if (at < 0) return { mailbox: spec, host: '' };
  return { mailbox: spec.slice(0, at), host: spec.slice(at + 1) };
}

/** Parse an address-list header value (encoded-words left as they are, for ENVELOPE). */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const out: EnvelopeAddress[] = [];
  let phrase: Array<{ t: 'q' | 'w'; v: string }> = [];
  let angle: string | undefined;
  let comments: string[] = [];
  let inGroup = false;
  const finish = () => {
    if (angle !== undefined) {
      if (angle !== '' || phrase.length) {
        const { mailbox, host } = splitAddress(angle);
        const name = phrase.map((p) => p.v).join(' ').trim() || comments[0] || null;
        if (mailbox || host || name) out.push({ kind: 'mailbox', name: name || null, mailbox, host });
      }
    } else if (phrase.length) {
      // no angle brackets: the word holding "@" is the address, the rest (if any) its name
      const atWord = phrase.findIndex((p) => p.v.includes('@'));
      let spec: string;
      let name: string | null = comments[0] || null;
      if (atWord >= 0 && phrase.length > 1) {
        spec = phrase[atWord].v;
        const rest = phrase.filter((_, i) => i !== atWord).map((p) => p.v).join(' ').trim();
        if (rest && !name) name = rest;
      } else spec = phrase.map((p) => (p.t === 'q' ? `"${p.v}"` : p.v)).join('');
      const { mailbox, host } = splitAddress(spec);
      out.push({ kind: 'mailbox', name, mailbox, host });
    }
    phrase = [];
    angle = undefined;
    comments = [];
  };
  for (const tok of tokenize(value)) {
    switch (tok.t) {
      case ',':
        finish();
        break;
      case ':':
        if (!inGroup && angle === undefined) {
          out.push({ kind: 'group', name: phrase.map((p) => p.v).join(' ').trim() });
          phrase = [];
          comments = [];
          inGroup = true;
        } else phrase.push({ t: 'w', v: ':' });
        break;
      case ';':
        finish();
        if (inGroup) out.push({ kind: 'group-end' });
        inGroup = false;
        break;
      case 'a':
        angle = tok.v;
        break;
      case 'c':
        comments.push(tok.v);
        break;
      default:
        phrase.push(tok as { t: 'q' | 'w'; v: string });
    }
  }
  finish();
  if (inGroup) out.push({ kind: 'group-end' });
  return out;
}
