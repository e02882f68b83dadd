import type { HopEvent } from './hop-event.ts';
import type { Lang } from './language.ts';

/**
 * A trace as stable text: the numbered hops with who, what and the protocol lines' verbs, without
 * times, queue IDs, message IDs, file names or ports, so that only a change in the lesson shows.
 */
export function normaliseTrace(events: HopEvent[], lang: Lang): string {
  const lines: string[] = [];
  for (const e of events) {
    if (!e.steps) continue;
    lines.push(`[${e.steps.overview}/${e.steps.sendmail}] ${e.kind} ${e.from} -> ${e.to}${e.status ? ` ${e.status}` : ''}: ${mask(e.summary[lang])}`);
    for (const t of e.transcript ?? []) lines.push(`    ${t.dir}: ${mask(t.line)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function mask(text: string): string {
  return text
    .replace(/<[^<>\s]+@[^<>\s]+>/g, '<ADDR>')
    .replace(/\b\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}\b/g, '<DATE>')
    .replace(/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), /g, '')
    .replace(/\b\d{10}\.[^\s,;)]+/g, '<FILE>')
    .replace(/,S=\d+/g, ',S=N')
    .replace(/\b(?=[0-9A-Za-z]*\d)(?=[0-9A-Za-z]*[A-Za-z])[0-9A-Za-z]{10,}\b/g, '<ID>')
    .replace(/\b127\.0\.0\.1[:.]\d+\b/g, '127.0.0.1:<PORT>')
    .replace(/\b\d+ ?(ms|bytes|octets)\b/g, 'N $1')
    .replace(/=\?UTF-8\?[BQ]\?[^?]*\?=/gi, '<ENCODED>');
}
