// Mailbox syntax as RFC 5321 section 4.1.2 writes it, and the relay tricks of old (the percent
// hack, bang paths, quoted local parts holding '@', source routes) spotted so that the access
// rules can refuse them. The lab never routes on any of them. The address itself is read by
// nodemailer's addressparser (quoted local parts, comments, groups); this file checks what it
// found against RFC 5321's limits and character sets.
import { addressparser } from './mail-packages.ts';

/** A mailbox after parsing: the domain normalised (lower case, no trailing dot). */
export interface Mailbox {
  /** the local part as written (quotes kept) */
  local: string;
  /** lower case, without a trailing root dot; '[192.168.111.100]' for an address literal */
  domain: string;
  /** local@domain with the normalised domain: the address every decision and header uses */
  address: string;
  /** the IPv4 address of an address literal (`lee@[192.168.111.100]`) */
  literal?: string;
}

export type RelayTrick = 'percent-hack' | 'bang-path' | 'quoted-at' | 'source-route';

export type ParsedMailbox =
  | { ok: true; mailbox: Mailbox; tricks: RelayTrick[] }
  | { ok: false; reason: string };

// RFC 5321 section 4.5.3.1: local part 64 octets, domain 255, path 256 with the brackets.
const MAX_LOCAL = 64;
const MAX_DOMAIN = 255;
const MAX_PATH = 254;

// atext (RFC 5322 section 3.2.3), plus any UTF-8 for SMTPUTF8 (RFC 6531).
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uFFFF]+$/;
// qtextSMTP and quoted-pairSMTP (RFC 5321 section 4.1.2).
const QUOTED = /^"(?:[\x20\x21\x23-\x5B\x5D-\x7E\u0080-\uFFFF]|\\[\x20-\x7E])*"$/;
const LABEL = /^[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\-\u0080-\uFFFF]*[A-Za-z0-9\u0080-\uFFFF])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `NAVER.COM.` and `naver.com` are the same domain: lower case, one trailing root dot dropped. */
export function normaliseDomain(domain: string): string {
  const lower = domain.trim().toLowerCase();
  return lower.endsWith('.') && !lower.endsWith('..') ? lower.slice(0, -1) : lower;
}

/**
 * The address as addressparser reads it, split into local part and domain: one mailbox, no
 * display name or comment, nothing dropped on the way. The domain holds no '@' or quote, so the
 * last '@' ends the local part.
 */
function splitAt(text: string): { local: string; domain: string } | undefined {
  const found = addressparser(text, { flatten: true });
  if (found.length !== 1 || found[0].name !== '') return undefined;
  // addressparser drops quotes a local part does not need ("lee%naver.com"@daum.net); the
  // quotes are kept here (they decide the relay tricks), anything else it changed is refused
  const unquoted = text.replace(/^"((?:[^"\\]|\\.)*)"@/, (_m, inner: string) => `${inner}@`);
  if (found[0].address !== text && found[0].address !== unquoted) return undefined;
  const at = text.lastIndexOf('@');
  if (at < 0 || /["\\]/.test(text.slice(at + 1))) return undefined;
  return { local: text.slice(0, at), domain: text.slice(at + 1) };
}

/** The domain of an envelope address, normalised; '' when it has none. */
export function domainOf(address: string): string {
  const parsed = parseMailbox(address);
  if (parsed.ok) return parsed.mailbox.domain;
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : normaliseDomain(address.slice(at + 1));
}

function checkLocal(local: string): string | undefined {
  if (!local) return 'empty local part';
  if (Buffer.byteLength(local) > MAX_LOCAL) return `local part longer than ${MAX_LOCAL} octets`;
  if (local.startsWith('"')) return QUOTED.test(local) ? undefined : 'bad quoted local part';
  // Dot-string: atoms joined by single dots, none at either end.
  return local.split('.').every((atom) => ATOM.test(atom)) ? undefined : 'bad local part';
}

function checkDomain(domain: string): { domain: string; literal?: string } | string {
  if (!domain) return 'empty domain';
  if (domain.startsWith('[')) {
    // address-literal: IPv4 only in the lab (the lab network has no IPv6).
    const m = /^\[(.*)\]$/.exec(domain);
    if (!m || !IPV4.test(m[1])) return 'bad address literal';
    return { domain: `[${m[1]}]`, literal: m[1] };
  }
  const name = normaliseDomain(domain);
  if (Buffer.byteLength(name) > MAX_DOMAIN) return `domain longer than ${MAX_DOMAIN} octets`;
  if (!name.split('.').every((label) => label.length <= 63 && LABEL.test(label))) return 'bad domain';
  return { domain: name };
}

/** The relay tricks an address carries in its local part. */
function tricksOf(local: string): RelayTrick[] {
  const tricks: RelayTrick[] = [];
  const quoted = local.startsWith('"');
  const inner = quoted ? local.slice(1, -1).replace(/\\(.)/g, '$1') : local;
  if (quoted && inner.includes('@')) tricks.push('quoted-at');
  if (inner.includes('%')) tricks.push('percent-hack');
  if (inner.includes('!')) tricks.push('bang-path');
  return tricks;
}

/**
 * Parse a mailbox as it appears between the angle brackets of MAIL FROM or RCPT TO (after any
 * source route was taken off). `postmaster` alone is not handled here (see the access rules).
 */
export function parseMailbox(text: string): ParsedMailbox {
  // the same few addresses come again letter after letter (RCPT, the MDA, the queue's domain)
  let parsed = parsedBefore.get(text);
  if (parsed) return parsed;
  parsed = deepFreeze(parseMailboxAfresh(text));
  if (parsedBefore.size >= PARSED_KEPT) parsedBefore.clear();
  parsedBefore.set(text, parsed);
  return parsed;
}

/** Answers of parseMailbox (a pure function), frozen, so that no caller can change another's. */
const parsedBefore = new Map<string, ParsedMailbox>();
const PARSED_KEPT = 1024;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parseMailboxAfresh(text: string): ParsedMailbox {
  if (Buffer.byteLength(text) > MAX_PATH) return { ok: false, reason: `address longer than ${MAX_PATH} octets` };
  if (/[\x00-\x20\x7F<>]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) return { ok: false, reason: 'space or control character in the address' };
  const parts = splitAt(text);
  if (!parts) return { ok: false, reason: 'no domain' };
  const localError = checkLocal(parts.local);
  if (localError) return { ok: false, reason: localError };
  const domain = checkDomain(parts.domain);
  if (typeof domain === 'string') return { ok: false, reason: domain };
  return {
    ok: true,
    mailbox: { local: parts.local, domain: domain.domain, address: `${parts.local}@${domain.domain}`, literal: domain.literal },
    tricks: tricksOf(parts.local),
  };
}

/**
 * Whether a MAIL or RCPT command line carries a source route (`<@daum.net:lee@naver.com>`).
 * RFC 5321 section 4.1.2 and appendix C: the route is accepted and ignored, never routed on.
 */
export function hasSourceRoute(commandLine: string): boolean {
  return /^\s*(?:MAIL\s+FROM|RCPT\s+TO)\s*:\s*<\s*@/i.test(commandLine);
}

/** The address written in a MAIL or RCPT command line, between the brackets, as sent. */
export function pathOf(commandLine: string): string | undefined {
  const m = /^\s*(?:MAIL\s+FROM|RCPT\s+TO)\s*:\s*<([^<>]*)>/i.exec(commandLine);
  return m?.[1];
}
