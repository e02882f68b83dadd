import type { HopEvent, HopPreview } from 'lab-page/types.ts';
import { center, type Box, type Component, type Layout } from 'lab-page/layout.ts';

// Where a hop goes on each figure: the line the letter travels, through the boxes it passes.

export interface HopPath {
  /** the line, pairs of points: from one box's edge to the next box's edge, box after box */
  points: { x: number; y: number }[];
  /** a hop that stays on one host (its queue, its mailbox) rings that host's box */
  at?: Box;
  /** where its step number goes */
  label: { x: number; y: number };
}

type Hop = Pick<HopEvent, 'kind' | 'from' | 'to' | 'steps'> | HopPreview;

export function hopPath(hop: Hop, l: Layout, figure: 'overview' | 'detail'): HopPath | undefined {
  if (hop.kind === 'net' || hop.kind === 'lab') return undefined;
  const boxes = figure === 'overview' ? overviewBoxes(hop, l) : detailBoxes(hop, l);
  if (!boxes || boxes.length === 0) return undefined;
  if (boxes.length === 1) {
    const b = boxes[0];
    return { points: [], at: { x: b.x - 9, y: b.y - 9, w: b.w + 18, h: b.h + 18 }, label: { x: b.x + 34, y: b.y - 9 } };
  }
  const centers = boxes.map(center);
  // Two letters going opposite ways between the same boxes run side by side: each line is moved
  // a little to its left-hand side (the normal of its direction).
  const dx = centers.at(-1)!.x - centers[0].x;
  const dy = centers.at(-1)!.y - centers[0].y;
  const length = Math.hypot(dx, dy) || 1;
  const normal = { x: dy / length, y: -dx / length };
  const shifted = centers.map((c) => ({ x: c.x + normal.x * 14, y: c.y + normal.y * 14 }));
  // Edge to edge between each two boxes in turn: the line never runs over a box's words.
  const segments: { x: number; y: number }[][] = [];
  for (let i = 0; i + 1 < boxes.length; i++) segments.push([edge(boxes[i], shifted[i], shifted[i + 1]), edge(boxes[i + 1], shifted[i + 1], shifted[i])]);
  const points = segments.flat();
  let best = 0;
  let longest = -1;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const d = Math.hypot(points[i + 1].x - points[i].x, points[i + 1].y - points[i].y);
    if (d > longest) {
      longest = d;
      best = i;
    }
  }
  const a = points[best];
  const b = points[best + 1];
  return { points, label: { x: (a.x + b.x) / 2 + normal.x * 30, y: (a.y + b.y) / 2 + normal.y * 30 } };
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
  const list = (...boxes: (Box | undefined)[]) => (boxes.every(Boolean) ? (boxes as Box[]) : boxes.filter(Boolean) as Box[]);
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

/** A point just above a box, for a line to pass over it. */
function above(box: Box | undefined): Box | undefined {
  return box && { x: box.x + box.w / 2, y: box.y - 24, w: 0, h: 0 };
}

/** Where the line from a box's centre towards `toward` leaves the box. */
function edge(box: Box, from: { x: number; y: number }, toward: { x: number; y: number }): { x: number; y: number } {
  const dx = toward.x - from.x;
  const dy = toward.y - from.y;
  if (dx === 0 && dy === 0) return from;
  const sx = dx !== 0 ? (box.w / 2) / Math.abs(dx) : Infinity;
  const sy = dy !== 0 ? (box.h / 2) / Math.abs(dy) : Infinity;
  const s = Math.min(sx, sy);
  return { x: from.x + dx * s, y: from.y + dy * s };
}

/** An SVG path of the segments (each pair of points), the letter jumping through the boxes between. */
export function pathData(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i % 2 === 0 ? (i ? 'L' : 'M') : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** Each segment on its own, for the arrows. */
export function segmentData(points: { x: number; y: number }[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) out.push(`M${points[i].x.toFixed(1)},${points[i].y.toFixed(1)} L${points[i + 1].x.toFixed(1)},${points[i + 1].y.toFixed(1)}`);
  return out;
}
