import { t, letterCount } from 'lab-page/i18n.ts';
import type { ModelHost } from 'lab-page/types.ts';

// The words written in a host's box, for the layout (which sizes the box to them) and the
// figure (which draws them): the same lines in both, in the page's language.

export const HOST_NAME_PX = 28;
export const HOST_LINE_PX = 19;

export function hostLines(h: ModelHost, figure: 'overview' | 'detail'): string[] {
  if (figure === 'detail' && h.mail) return [h.name, `${h.hostname ?? ''}  ·  ${h.address}  ·  ${t('mailServer')} ${h.mail.domains.join(', ')}`];
  const kind = h.mail ? `${t('mailServer')} · ${h.mail.domains.join(', ')}` : h.client ? t('mailClient') : h.services.includes('dns') ? t('bind9') : '';
  return [h.name, h.hostname, h.address, kind, h.client?.account].filter((line): line is string => Boolean(line));
}

/**
 * About how wide a line is drawn, in the figure's units: a Hangul syllable is about one em,
 * Latin letters a little over half of one (wide capitals more). Generous on purpose: the box
 * is sized from it, and a box a little too wide is better than words over its edge.
 */
export function textWidth(text: string, px: number): number {
  let em = 0;
  for (const ch of text) {
    if (/[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3000-\u9fff]/.test(ch)) em += 1.0;
    else if (/[MW@mw]/.test(ch)) em += 0.9;
    else if (/[A-Z0-9]/.test(ch)) em += 0.66;
    else if (/[.,:;·|il'!() ]/.test(ch)) em += 0.34;
    else em += 0.56;
  }
  return em * px;
}

export type Part = 'sendmail' | 'queue' | 'mda' | 'nameServer' | 'mailbox' | 'dovecot';

export const PART_NAME_PX = 20;
export const PART_NOTE_PX = 15;

const PART_WORD = { sendmail: 'sendmailService', queue: 'mailQueue', mda: 'mda', nameServer: 'bind9', mailbox: 'mailbox', dovecot: 'dovecotService' } as const;

/** A part inside a mail server (detail figure): its name, and a note (its ports, or how many letters it holds). */
export function partWords(part: Part, letters = 0): [string, string] {
  const note = part === 'sendmail' ? 'SMTP :25' : part === 'queue' || part === 'mailbox' ? letterCount(letters) : part === 'mda' ? t('mdaNote') : part === 'dovecot' ? 'POP3 :110 · IMAP :143' : 'DNS :53';
  return [t(PART_WORD[part]), note];
}

/** As wide as the widest part's words need (the names bold), in this language. */
export function partWidth(): number {
  const parts: Part[] = ['sendmail', 'queue', 'mda', 'nameServer', 'mailbox', 'dovecot'];
  const widest = Math.max(...parts.map((p) => {
    const [name, note] = partWords(p, 999);
    return Math.max(textWidth(name, PART_NAME_PX) * 1.08, textWidth(note, PART_NOTE_PX));
  }));
  return Math.ceil(Math.max(150, widest + 18));
}
