import { addressparser } from '../mta/mail-packages.ts';
import { decodeWords } from './encoded-words.ts';

// Address lists of From, To, Cc... (RFC 5322 section 3.4), read by nodemailer's addressparser
// (lenient, as real mail needs, and hardened against the header tricks it has met), shaped as
// IMAP's ENVELOPE wants them (RFC 3501 section 7.4.2): name, source route, mailbox, host, and
// groups. What addressparser leaves out is read here before it: the obsolete source route of
// an angle address, "<@a,@b:user@host>" (RFC 5322 section 4.4), which ENVELOPE keeps, and
// comments inside an angle address, which are no display name.

export type EnvelopeAddress =
  | { kind: 'mailbox'; name: string | null; route: string | null; mailbox: string; host: string }
  /** start of a group (RFC 3501: host NIL, mailbox the group name) */
  | { kind: 'group'; name: string }
  /** end of a group (all four fields NIL) */
  | { kind: 'group-end' };

// What dovecot writes where a part of an address is missing, so that a host is never NIL
// (NIL host means a group in ENVELOPE)
const MISSING_MAILBOX = 'MISSING_MAILBOX';
const MISSING_DOMAIN = 'MISSING_DOMAIN';

/**
 * The value with every angle address cleaned for addressparser: comments inside it dropped,
 * its source route taken out and kept, by the address it routes to.
 */
function takeRoutes(value: string): { text: string; routes: Map<string, string> } {
  const routes = new Map<string, string>();
  if (!value.includes('<')) return { text: value, routes };
  let text = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i];
    if (c === '"') {
      // a quoted string as it is
      let j = i + 1;
      while (j < value.length && value[j] !== '"') j += value[j] === '\\' ? 2 : 1;
      text += value.slice(i, j + 1);
      i = j + 1;
    } else if (c === '<') {
      const close = value.indexOf('>', i + 1);
      const inner = close < 0 ? value.slice(i + 1) : value.slice(i + 1, close);
      // comments dropped, and the white space around "@" they leave (RFC 5322 section 4.4)
      let spec = inner.replace(/\((?:[^()\\]|\\.)*\)/g, '').trim().replace(/\s*@\s*/g, '@');
      const route = /^(@[^:]*?)\s*:\s*(.*)$/.exec(spec);
      if (route) {
        spec = route[2];
        routes.set(spec.toLowerCase(), route[1]);
      }
      text += `<${spec}>`;
      i = close < 0 ? value.length : close + 1;
    } else {
      text += c;
      i++;
    }
  }
  return { text, routes };
}

/** The local part and the domain, split at the "@" before the domain (a literal may hold one). */
function splitAddress(address: string): { mailbox: string; host: string } {
  const literal = address.endsWith(']') ? /@(\[[^[\]\\]*\])$/.exec(address) : null;
  const at = literal ? address.length - literal[1].length - 1 : address.lastIndexOf('@');
  let mailbox = at < 0 ? address : address.slice(0, at);
  const host = at < 0 ? '' : address.slice(at + 1);
  // ENVELOPE's mailbox is the local part itself, not its quoted form
  if (mailbox.length >= 2 && mailbox.startsWith('"') && mailbox.endsWith('"')) mailbox = mailbox.slice(1, -1).replace(/\\(.)/g, '$1');
  return { mailbox, host };
}

type Parsed = { name: string; address?: string; group?: Parsed[] };

function mailboxOf(entry: Parsed, routes: Map<string, string>): EnvelopeAddress {
  let name = entry.name;
  let address = entry.address ?? '';
  // a lone word with no "@" and no angle brackets ("To: lee") is a local part, not a name
  if (!address && name && !/\s/.test(name)) {
    address = name;
    name = '';
  }
  const { mailbox, host } = splitAddress(address);
  return {
    kind: 'mailbox',
    name: name || null,
    route: routes.get(address.toLowerCase()) ?? null,
    mailbox: mailbox || MISSING_MAILBOX,
    host: host || MISSING_DOMAIN,
  };
}

/** Parse an address-list header value (encoded-words left as they are, for ENVELOPE). */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const { text, routes } = takeRoutes(value);
  const out: EnvelopeAddress[] = [];
  for (const entry of addressparser(text) as Parsed[]) {
    if (entry.group) {
      out.push({ kind: 'group', name: entry.name });
      // a member with no address is a comment ("group: (nobody) ;"), not a mailbox
      for (const member of entry.group) if (member.address) out.push(mailboxOf(member, routes));
      out.push({ kind: 'group-end' });
    } else out.push(mailboxOf(entry, routes));
  }
  return out;
}

/**
 * The text SEARCH FROM, TO, CC and BCC match (RFC 3501 section 6.4.4): each address as
 * "decoded name <mailbox@host>", group names with them, so a search finds the real address
 * however the header wrote it (comments, folding) and the person's name in Korean.
 */
export function addressSearchText(list: EnvelopeAddress[]): string {
  const words: string[] = [];
  for (const a of list) {
    if (a.kind === 'group') words.push(`${decodeWords(a.name)}:`);
    else if (a.kind === 'mailbox') {
      const address = a.host === MISSING_DOMAIN ? a.mailbox : `${a.mailbox}@${a.host}`;
      words.push(a.name ? `${decodeWords(a.name)} <${address}>` : address);
    }
  }
  return words.join(', ');
}
