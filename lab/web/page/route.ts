import { center, obstacles, type Box, type Layout } from 'lab-page/layout.ts';

// The line a hop is drawn along, from one box's edge to the other's. Straight, as the seed draws
// its lab, when nothing is in the way; otherwise around the other boxes with right-angled turns
// (a small orthogonal router: the corridors beside every box form a grid, and the shortest way
// through it with the fewest turns wins), so a line never runs over another host's words.

export interface Point {
  x: number;
  y: number;
}

/** the room kept between a line and a box it passes */
const CLEAR = 18;
const BEND = 80;

const cache = new WeakMap<Layout, Map<string, Point[]>>();

/** A line from a to b; `side` moves it to one side (+1 or -1), so that two letters going opposite ways do not cover each other. */
export function route(a: Box, b: Box, l: Layout, side: number): Point[] {
  const key = `${a.x},${a.y},${a.w},${a.h}>${b.x},${b.y},${b.w},${b.h}/${side}`;
  let known = cache.get(l);
  if (!known) cache.set(l, (known = new Map()));
  const hit = known.get(key);
  if (hit) return hit;
  const blocks = obstacles(l).map((o) => o.box).filter((o) => !same(o, a) && !same(o, b) && !holds(o, center(a)) && !holds(o, center(b)));
  const line = straight(a, b);
  const found = blocks.some((o) => crosses(line[0], line[1], o, 4)) ? around(a, b, l, blocks, side) ?? line : line;
  known.set(key, found);
  return found;
}

function same(a: Box, b: Box): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}

function holds(box: Box, p: Point): boolean {
  return p.x >= box.x && p.x <= box.x + box.w && p.y >= box.y && p.y <= box.y + box.h;
}

function straight(a: Box, b: Box): Point[] {
  const ca = center(a);
  const cb = center(b);
  const dx = cb.x - ca.x;
  const dy = cb.y - ca.y;
  const length = Math.hypot(dx, dy) || 1;
  // to the left-hand side of its direction: the way back runs beside it
  const shift = { x: (dy / length) * 14, y: (-dx / length) * 14 };
  // a waypoint (a box of no size: the way over the queue) stays where it is
  const sa = a.w || a.h ? { x: ca.x + shift.x, y: ca.y + shift.y } : ca;
  const sb = b.w || b.h ? { x: cb.x + shift.x, y: cb.y + shift.y } : cb;
  return [edge(a, sa, sb), edge(b, sb, sa)];
}

/** Where the line from a box's centre towards `toward` leaves the box. */
function edge(box: Box, from: Point, toward: Point): Point {
  const dx = toward.x - from.x;
  const dy = toward.y - from.y;
  if (box.w === 0 && box.h === 0) return from;
  if (dx === 0 && dy === 0) return from;
  const sx = dx !== 0 ? Math.max(0, (box.x + (dx > 0 ? box.w : 0) - from.x) / dx) : Infinity;
  const sy = dy !== 0 ? Math.max(0, (box.y + (dy > 0 ? box.h : 0) - from.y) / dy) : Infinity;
  const s = Math.min(sx, sy);
  return { x: from.x + dx * s, y: from.y + dy * s };
}

/** Does the segment p-q pass through the box (grown by `grow`)? Liang-Barsky clipping. */
export function crosses(p: Point, q: Point, box: Box, grow = 0): boolean {
  const x0 = box.x - grow;
  const x1 = box.x + box.w + grow;
  const y0 = box.y - grow;
  const y1 = box.y + box.h + grow;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  let t0 = 0;
  let t1 = 1;
  for (const [pp, qq] of [[-dx, p.x - x0], [dx, x1 - p.x], [-dy, p.y - y0], [dy, y1 - p.y]]) {
    if (pp === 0) {
      if (qq < 0) return false;
      continue;
    }
    const r = qq / pp;
    if (pp < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return false;
  }
  return t1 - t0 > 1e-6;
}

/** The shortest way from a's centre to b's with the fewest turns through the corridors between the boxes, cut at a's and b's edges. */
function around(a: Box, b: Box, l: Layout, blocks: Box[], side: number): Point[] | undefined {
  const ca = center(a);
  const cb = center(b);
  const lane = side * 10;
  const start = { x: ca.x + lane, y: ca.y + lane };
  const goal = { x: cb.x + lane, y: cb.y + lane };
  const xs = uniq([start.x, goal.x, 6, l.width - 6, ...blocks.flatMap((o) => [o.x - CLEAR + lane, o.x + o.w + CLEAR + lane])]).filter((x) => x >= 0 && x <= l.width);
  const ys = uniq([start.y, goal.y, 6, l.height - 6, ...blocks.flatMap((o) => [o.y - CLEAR + lane, o.y + o.h + CLEAR + lane])]).filter((y) => y >= 0 && y <= l.height);
  // hosts a line may cross but had better go round (the servers of the detail figure)
  const soft = l.figure === 'detail' ? Object.entries(l.hosts).filter(([name]) => l.parts[name]).map(([, box]) => box).filter((box) => !holds(box, ca) && !holds(box, cb)) : [];
  const si = xs.indexOf(start.x);
  const sj = ys.indexOf(start.y);
  const gi = xs.indexOf(goal.x);
  const gj = ys.indexOf(goal.y);
  const free = new Map<string, boolean>();
  const open = (i: number, j: number, i2: number, j2: number) => {
    const k = `${i},${j},${i2},${j2}`;
    let ok = free.get(k);
    if (ok === undefined) {
      const p = { x: xs[i], y: ys[j] };
      const q = { x: xs[i2], y: ys[j2] };
      ok = !blocks.some((o) => crosses(p, q, o, CLEAR - 3));
      free.set(k, ok);
    }
    return ok;
  };
  const cost = (i: number, j: number, i2: number, j2: number) => {
    const length = Math.abs(xs[i2] - xs[i]) + Math.abs(ys[j2] - ys[j]);
    const mid = { x: (xs[i] + xs[i2]) / 2, y: (ys[j] + ys[j2]) / 2 };
    return soft.some((box) => holds(box, mid)) ? length * 5 : length;
  };
  // Dijkstra over (column, row, heading): 0 none yet, 1 across, 2 up or down
  const W = xs.length;
  const H = ys.length;
  const best = new Float64Array(W * H * 3).fill(Infinity);
  const from = new Int32Array(W * H * 3).fill(-1);
  const heap = new Heap();
  const id = (i: number, j: number, d: number) => (j * W + i) * 3 + d;
  best[id(si, sj, 0)] = 0;
  heap.push(0, id(si, sj, 0));
  let end = -1;
  while (heap.size) {
    const [d, node] = heap.pop();
    if (d > best[node]) continue;
    const heading = node % 3;
    const cell = (node - heading) / 3;
    const i = cell % W;
    const j = (cell - i) / W;
    if (i === gi && j === gj) {
      end = node;
      break;
    }
    for (const [di, dj, h] of [[1, 0, 1], [-1, 0, 1], [0, 1, 2], [0, -1, 2]]) {
      const i2 = i + di;
      const j2 = j + dj;
      if (i2 < 0 || j2 < 0 || i2 >= W || j2 >= H || !open(i, j, i2, j2)) continue;
      const next = id(i2, j2, h);
      const c = d + cost(i, j, i2, j2) + (heading && heading !== h ? BEND : 0);
      if (c < best[next]) {
        best[next] = c;
        from[next] = node;
        heap.push(c, next);
      }
    }
  }
  if (end < 0) return undefined;
  const points: Point[] = [];
  for (let node = end; node >= 0; node = from[node]) {
    const cell = (node - (node % 3)) / 3;
    points.unshift({ x: xs[cell % W], y: ys[Math.floor(cell / W)] });
  }
  return cut(simplify(points), a, b);
}

function uniq(values: number[]): number[] {
  return [...new Set(values.map((v) => Math.round(v * 10) / 10))].sort((p, q) => p - q);
}

/** Drop the points in the middle of a straight run. */
function simplify(points: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    const n = out.length;
    if (n >= 2 && ((out[n - 2].x === out[n - 1].x && out[n - 1].x === p.x) || (out[n - 2].y === out[n - 1].y && out[n - 1].y === p.y))) out[n - 1] = p;
    else if (!n || out[n - 1].x !== p.x || out[n - 1].y !== p.y) out.push(p);
  }
  return out;
}

/** The polyline from where it leaves a to where it enters b. */
function cut(points: Point[], a: Box, b: Box): Point[] {
  let first = 0;
  while (first + 1 < points.length && holds(a, points[first + 1])) first++;
  let last = points.length - 1;
  while (last - 1 > first && holds(b, points[last - 1])) last--;
  const out = points.slice(first, last + 1);
  if (out.length >= 2) {
    out[0] = leave(a, out[0], out[1]);
    out[out.length - 1] = leave(b, out[out.length - 1], out[out.length - 2]);
  }
  return out;
}

/** On an axis-aligned segment from p (inside the box) to q (outside), the point on the box's border. */
function leave(box: Box, p: Point, q: Point): Point {
  if (!holds(box, p) || (box.w === 0 && box.h === 0)) return p;
  if (p.x === q.x) return { x: p.x, y: q.y > p.y ? box.y + box.h : box.y };
  return { x: q.x > p.x ? box.x + box.w : box.x, y: p.y };
}

/** A small binary heap of (cost, node). */
class Heap {
  private costs: number[] = [];
  private nodes: number[] = [];

  get size(): number {
    return this.costs.length;
  }

  push(cost: number, node: number): void {
    const c = this.costs;
    const n = this.nodes;
    let i = c.length;
    c.push(cost);
    n.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (c[parent] <= c[i]) break;
      [c[parent], c[i]] = [c[i], c[parent]];
      [n[parent], n[i]] = [n[i], n[parent]];
      i = parent;
    }
  }

  pop(): [number, number] {
    const c = this.costs;
    const n = this.nodes;
    const top: [number, number] = [c[0], n[0]];
    const lastC = c.pop()!;
    const lastN = n.pop()!;
    if (c.length) {
      c[0] = lastC;
      n[0] = lastN;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < c.length && c[l] < c[m]) m = l;
        if (r < c.length && c[r] < c[m]) m = r;
        if (m === i) break;
        [c[m], c[i]] = [c[i], c[m]];
        [n[m], n[i]] = [n[i], n[m]];
        i = m;
      }
    }
    return top;
  }
}
