import type { HopEvent } from 'lab-page/types.ts';
import type { LetterTrack } from 'lab-page/letters.ts';

// What the figures need to know from the hops up to the one shown: which hosts, services and
// links are down (the lab reports every fault as a `net` hop, whatever the runtime), and which
// numbered hops the letter shown has made so far.

export interface Faults {
  hosts: Set<string>;
  services: Set<string>;
  links: Set<string>;
}

export function linkKey(a: string, b: string): string {
  return [a, b].sort().join('|');
}

export function faultsUpTo(events: HopEvent[], cursor: number): Faults {
  const out: Faults = { hosts: new Set(), services: new Set(), links: new Set() };
  for (let i = 0; i <= cursor && i < events.length; i++) {
    const e = events[i];
    if (e.kind !== 'net') continue;
    const fault = e.detail?.fault;
    const service = String(e.detail?.service ?? '');
    if (fault === 'host-down') out.hosts.add(e.from);
    if (fault === 'host-up') out.hosts.delete(e.from);
    if (fault === 'service-down') out.services.add(`${e.from}/${service}`);
    if (fault === 'service-up') out.services.delete(`${e.from}/${service}`);
    if (fault === 'link-down') out.links.add(linkKey(e.from, e.to));
    if (fault === 'link-up') out.links.delete(linkKey(e.from, e.to));
  }
  return out;
}

/**
 * The numbered hops of one letter up to the cursor, the latest of each way (kind, from, to,
 * step), oldest first: the path the letter took so far. Other letters are not drawn, so the
 * figure stays readable after many letters.
 */
export function trailUpTo(events: HopEvent[], cursor: number, figure: 'overview' | 'detail', letter: LetterTrack | undefined): HopEvent[] {
  const latest = new Map<string, HopEvent>();
  for (const i of letter?.hops ?? []) {
    if (i > cursor) break;
    const e = events[i];
    if (!e.steps) continue;
    const key = `${e.kind}|${e.from}|${e.to}|${figure === 'overview' ? e.steps.overview : e.steps.sendmail}`;
    latest.delete(key);
    latest.set(key, e);
  }
  return [...latest.values()];
}
