import { SEPARATOR } from '../mailbox/names.ts';

// LIST's reference and pattern (RFC 3501 section 6.3.8): "*" matches anything, "%" anything
// but the hierarchy separator. INBOX matches in any case.

export function listPattern(reference: string, pattern: string): (name: string) => boolean {
  let full = pattern;
  if (reference) full = reference.endsWith(SEPARATOR) || pattern.startsWith(SEPARATOR) ? reference + pattern : `${reference}${SEPARATOR}${pattern}`;
  const re = new RegExp(`^${toRegex(full)}$`);
  // "inbox", "Inbox/%" name INBOX too
  const upper = full.slice(0, 5).toUpperCase() === 'INBOX' ? new RegExp(`^${toRegex(`INBOX${full.slice(5)}`)}$`) : undefined;
  return (name: string) => re.test(name) || (upper !== undefined && (name === 'INBOX' || name.startsWith(`INBOX${SEPARATOR}`)) && upper.test(name));
}

function toRegex(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '.*';
    else if (ch === '%') out += `[^${SEPARATOR}]*`;
    else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}
