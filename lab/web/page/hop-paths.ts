import type { HopEvent, HopPreview } from 'lab-page/types.ts';
import { obstacles, type Box, type Component, type Layout } from 'lab-page/layout.ts';
import { route, type Point } from 'lab-page/route.ts';

// Where a hop goes on each figure: the line the letter travels, through the boxes it passes,
// and where its step number goes.

export interface HopPath {
  /** one line from each box's edge to the next box's edge, box after box */
  segments: Point[][];
  /** a hop that stays on one host (its queue, its mailbox) rings that host's box */
  at?: Box;
}

type Hop = Pick<HopEvent, 'kind' | 'from' | 'to' | 'steps'> | HopPreview;

export function hopPath(hop: Hop, l: Layout, figure: 'overview' | 'detail'): HopPath | undefined {
  if (hop.kind === 'net' || hop.kind === 'lab') return undefined;
  const boxes = figure === 'overview' ? overviewBoxes(hop, l) : detailBoxes(hop, l);
  if (!boxes || boxes.length === 0) return undefined;
  if (boxes.length === 1) {
    const b = boxes[0];
    return { segments: [], at: { x: b.x - 9, y: b.y - 9, w: b.w + 18, h: b.h + 18 } };
  }
  // Two letters going opposite ways between the same boxes run side by side.
  const side = hop.from <= hop.to ? 1 : -1;
  const segments: Point[][] = [];
  for (let i = 0; i + 1 < boxes.length; i++) segments.push(route(boxes[i], boxes[i + 1], l, side));
  return { segments };
}

function overviewBoxes(hop: Hop, l: Layout): Box[] | undefined {
  const from = l.hosts[hop.from];
  const to = hop.kind === 'dns' ? l.nameServers[hop.to] ?? l.hosts[hop.to] : l.hosts[hop.to];
  if (!to && !from) return undefined;
  if (hop.from === hop.to || !from) return [to ?? from];
  if (!to) return [from];
  return [from, to];
}

function detailBoxes(hop: Hop, l: Layout): Box[] | undefined {
  const part = (host: string, c: Component) => l.parts[host]?.[c];
  const host = (name: string) => l.hosts[name];
  const numbered = hop.steps?.sendmail;
  const list = (...boxes: (Box | undefined)[]) => boxes.filter(Boolean) as Box[];
  switch (hop.kind) {
    case 'smtp':
      if (l.parts[hop.from]) return list(part(hop.from, 'mda'), part(hop.to, 'sendmail'));
      return list(host(hop.from), part(hop.to, 'sendmail'));
    case 'queue':
      // ② the sendmail service puts the mail in the queue; ③ the queue run hands it to the MDA
      if (numbered === '3') return list(part(hop.from, 'queue'), part(hop.from, 'mda'));
      if (numbered) return list(part(hop.from, 'sendmail'), part(hop.from, 'queue'));
      return list(part(hop.from, 'queue'));
    case 'dns':
      return list(part(hop.from, 'mda'), part(hop.to, 'nameServer') ?? l.nameServers[hop.to] ?? host(hop.to));
    case 'relay':
      return list(part(hop.from, 'mda'), part(hop.to, 'sendmail'));
    case 'mda':
      // over the queue, not through it: a letter for a local user does not wait in the queue
      return list(part(hop.to, 'sendmail'), above(part(hop.to, 'queue')), part(hop.to, 'mda'), part(hop.to, 'mailbox'));
    case 'pop3':
    case 'imap':
      if (l.parts[hop.from]) return list(part(hop.from, 'mailbox'), part(hop.from, 'dovecot'), host(hop.to));
      return list(host(hop.from), part(hop.to, 'dovecot'));
    case 'bounce':
      return list(part(hop.from, 'queue'), part(hop.from, 'mda'), part(hop.to, 'mailbox') ?? part(hop.from, 'mailbox'));
    default:
      return undefined;
  }
}

/** A point just above a box, between it and the server's name line, for a line to pass over it. */
function above(box: Box | undefined): Box | undefined {
  return box && { x: box.x + box.w / 2, y: box.y - 13, w: 0, h: 0 };
}

/** An SVG path through every segment, the letter jumping through the boxes between. */
export function pathData(segments: Point[][]): string {
  return segments.flat().map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** Each segment on its own, for the arrows. */
export function segmentData(segments: Point[][]): string[] {
  return segments.map((points) => points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' '));
}

export const BADGE_H = 40;

export function badgeWidth(label: string): number {
  return 26 + 22 * [...label].length;
}

/**
 * Where each drawn hop's step number goes: on its line (the longest stretch first), or beside
 * the ring of a hop that stays on one host, where it covers no box and no other number.
 * The first hops given (the current one) get the first choice.
 */
export function placeBadges(hops: { path: HopPath; label: string }[], l: Layout): (Point | undefined)[] {
  const blocks = obstacles(l).map((o) => o.box);
  const placed: Box[] = [];
  return hops.map(({ path, label }) => {
    if (!label) return undefined;
    const w = badgeWidth(label);
    const rectAt = (p: Point): Box => ({ x: p.x - w / 2, y: p.y - BADGE_H / 2, w, h: BADGE_H });
    const fits = (r: Box) => r.x >= 0 && r.y >= 0 && r.x + r.w <= l.width && r.y + r.h <= l.height
      && !blocks.some((b) => hits(r, b, 2)) && !placed.some((b) => hits(r, b, 2));
    const candidates = path.at ? aroundRing(path.at, w) : alongLines(path.segments);
    const chosen = candidates.find((p) => fits(rectAt(p))) ?? candidates[0];
    if (chosen) placed.push(rectAt(chosen));
    return chosen;
  });
}

function hits(a: Box, b: Box, margin: number): boolean {
  return a.x < b.x + b.w + margin && b.x < a.x + a.w + margin && a.y < b.y + b.h + margin && b.y < a.y + a.h + margin;
}

function alongLines(segments: Point[][]): Point[] {
  const stretches: { a: Point; b: Point; length: number }[] = [];
  for (const points of segments) for (let i = 0; i + 1 < points.length; i++) stretches.push({ a: points[i], b: points[i + 1], length: Math.hypot(points[i + 1].x - points[i].x, points[i + 1].y - points[i].y) });
  stretches.sort((p, q) => q.length - p.length);
  const out: Point[] = [];
  for (const { a, b, length } of stretches) {
    const normal = { x: (b.y - a.y) / (length || 1), y: -(b.x - a.x) / (length || 1) };
    for (const f of [0.5, 0.35, 0.65, 0.2, 0.8]) {
      const p = { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
      out.push(p, { x: p.x + normal.x * 26, y: p.y + normal.y * 26 }, { x: p.x - normal.x * 26, y: p.y - normal.y * 26 });
    }
  }
  return out;
}

function aroundRing(at: Box, w: number): Point[] {
  const top = at.y - BADGE_H / 2 - 4;
  const bottom = at.y + at.h + BADGE_H / 2 + 4;
  const left = at.x - w / 2 - 4;
  const right = at.x + at.w + w / 2 + 4;
  const xs = [at.x + w / 2 + 10, at.x + at.w - w / 2 - 10, at.x + at.w / 2];
  return [...xs.map((x) => ({ x, y: top })), ...xs.map((x) => ({ x, y: bottom })), { x: left, y: at.y + 30 }, { x: right, y: at.y + 30 }, { x: left, y: at.y + at.h - 30 }, { x: right, y: at.y + at.h - 30 }];
}
