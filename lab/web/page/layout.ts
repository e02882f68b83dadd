import type { ModelHost } from 'lab-page/types.ts';
import { hostLines, textWidth, partWidth, HOST_NAME_PX, HOST_LINE_PX, type Part } from 'lab-page/host-words.ts';

// Where the figures put each host, computed from the topology, so a lab with a third domain, a
// name server of its own or more PCs lays out by itself. Rows, as the seed draws its lab: the
// name servers and other hosts on top, the mail servers in a row below (the sending side on the
// left: the letter goes left to right), each client PC under the server it uses. Every box is as
// wide as its words; the lines between them are routed by route.ts.

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Component = Part;

export interface Layout {
  figure: 'overview' | 'detail';
  width: number;
  height: number;
  hosts: Record<string, Box>;
  /** where a host's name server is drawn: a bubble above a mail server that runs one (overview), or the host itself */
  nameServers: Record<string, Box>;
  /** detail figure: the parts inside each mail server */
  parts: Record<string, Partial<Record<Component, Box>>>;
  /** detail figure: the name and address lines at the top of a mail server's box */
  headers: Record<string, Box>;
  /** the order of the mail servers, left to right */
  servers: string[];
}

// between two columns: room for a step number and the letter on the line between them
const GAP_X = 120;
const MARGIN = 40;
/** room above a mail server for its name server bubble (overview) */
const BUBBLE_BAND = 120;
/** between two rows: room for a line, its arrow and a step badge */
const ROW_GAP = 96;
const TEXT_PAD = 74; // the icon on the left, a margin on the right

/** The mail servers left to right: the lead PC's server first (the letter goes left to right). */
export function serverOrder(hosts: ModelHost[], lead?: string): string[] {
  const servers = hosts.filter((h) => h.mail).map((h) => h.name);
  const first = hosts.find((h) => h.name === lead)?.client?.server;
  if (first && servers.includes(first)) return [first, ...servers.filter((s) => s !== first)];
  return servers;
}

/** A host's box in the overview (and a PC's in the detail figure): as wide as its longest line. */
function hostSize(h: ModelHost, figure: 'overview' | 'detail'): { w: number; h: number } {
  const lines = hostLines(h, 'overview');
  const words = Math.max(textWidth(lines[0], HOST_NAME_PX), ...lines.slice(1).map((l) => textWidth(l, HOST_LINE_PX)));
  const chips = h.services.length * 64 + 30;
  const server = Boolean(h.mail || h.services.length);
  const minW = figure === 'detail' ? 270 : server ? 330 : 290;
  return { w: Math.ceil(Math.max(minW, words + TEXT_PAD, chips)), h: 40 + lines.length * 29 + (server ? 38 : 0) };
}

const PART_H = 70;
/** between two parts: room for a step number on the line from one to the next */
const PART_GAP = 60;

/** A mail server's box in the detail figure: its header line, two rows of parts. */
function detailServerSize(h: ModelHost): { w: number; h: number } {
  const [name, line] = hostLines(h, 'detail');
  const words = Math.max(textWidth(name, HOST_NAME_PX), textWidth(line, HOST_LINE_PX)) + 48;
  return { w: Math.ceil(Math.max(words, 50 + 3 * partWidth() + 2 * PART_GAP)), h: 340 };
}

export function layout(hosts: ModelHost[], figure: 'overview' | 'detail', lead?: string): Layout {
  const detail = figure === 'detail';
  const servers = serverOrder(hosts, lead);
  const served = (h: ModelHost) => h.client && servers.includes(h.client.server);
  const top = hosts.filter((h) => !h.mail && !served(h));
  const out: Layout = { figure, width: 0, height: 0, hosts: {}, nameServers: {}, parts: {}, headers: {}, servers };
  const size = new Map(hosts.map((h) => [h.name, h.mail && detail ? detailServerSize(h) : hostSize(h, figure)]));

  // the rows from the top: other hosts (name servers ...), the bubbles, the mail servers, the PCs
  const topHeight = top.length ? Math.max(...top.map((h) => size.get(h.name)!.h)) : 0;
  const bubbles = !detail && servers.some((s) => hosts.find((h) => h.name === s)!.services.includes('dns'));
  const serverTop = MARGIN + 20 + (top.length ? topHeight + ROW_GAP : 0) + (bubbles ? BUBBLE_BAND : 0);
  const serverHeight = servers.length ? Math.max(...servers.map((s) => size.get(s)!.h)) : 0;
  const pcTop = serverTop + serverHeight + ROW_GAP;
  let x = MARGIN;
  let bottom = serverTop + serverHeight;
  for (const name of servers) {
    const pcs = hosts.filter((h) => h.client?.server === name);
    const pcWidth = pcs.reduce((w, p) => w + size.get(p.name)!.w, 0) + Math.max(0, pcs.length - 1) * 30;
    const server = size.get(name)!;
    const span = Math.max(server.w, pcWidth);
    out.hosts[name] = { x: x + (span - server.w) / 2, y: serverTop, ...server };
    let px = x + (span - pcWidth) / 2;
    for (const p of pcs) {
      const s = size.get(p.name)!;
      out.hosts[p.name] = { x: px, y: pcTop, ...s };
      px += s.w + 30;
      bottom = Math.max(bottom, pcTop + s.h);
    }
    x += span + GAP_X;
  }
  const rowWidth = x - GAP_X - MARGIN;
  // the top row, centred over the servers
  const topWidth = top.reduce((w, h) => w + size.get(h.name)!.w, 0) + Math.max(0, top.length - 1) * GAP_X;
  let tx = MARGIN + Math.max(0, (rowWidth - topWidth) / 2);
  for (const h of top) {
    const s = size.get(h.name)!;
    out.hosts[h.name] = { x: tx, y: MARGIN + 20 + (topHeight - s.h), ...s };
    tx += s.w + GAP_X;
  }
  for (const h of hosts) {
    if (!h.services.includes('dns')) continue;
    const box = out.hosts[h.name];
    if (!h.mail) out.nameServers[h.name] = box;
    else if (!detail) out.nameServers[h.name] = { x: box.x + box.w / 2 - 130, y: box.y - BUBBLE_BAND + 14, w: 260, h: 76 };
  }
  if (detail) {
    for (const name of servers) {
      const box = out.hosts[name];
      out.parts[name] = parts(box, hosts.find((h) => h.name === name)!);
      out.headers[name] = { x: box.x + 12, y: box.y + 8, w: box.w - 24, h: 66 };
      if (out.parts[name].nameServer) out.nameServers[name] = out.parts[name].nameServer!;
    }
  }
  out.width = Math.max(rowWidth, topWidth) + 2 * MARGIN;
  out.height = bottom + MARGIN;
  return out;
}

/**
 * Inside a mail server (the seed's "센드메일 서버 상세 작동 원리"): the way in and out on the top
 * row (센드메일 서비스 -> 메일 큐 -> MDA), the way to the reader on the bottom row (메일 박스 ->
 * dovecot 서비스), and bind9 on the host that runs it.
 */
function parts(box: Box, host: ModelHost): Partial<Record<Component, Box>> {
  const PART_W = partWidth();
  const col = (i: number) => box.x + 25 + i * ((box.w - 50 - PART_W) / 2);
  const row1 = box.y + 100;
  const row2 = box.y + box.h - PART_H - 30;
  const out: Partial<Record<Component, Box>> = {
    sendmail: { x: col(0), y: row1, w: PART_W, h: PART_H },
    queue: { x: col(1), y: row1, w: PART_W, h: PART_H },
    mda: { x: col(2), y: row1, w: PART_W, h: PART_H },
    mailbox: { x: col(1), y: row2, w: PART_W, h: PART_H },
    dovecot: { x: col(2), y: row2, w: PART_W, h: PART_H },
  };
  if (host.services.includes('dns')) out.nameServer = { x: col(0), y: row2, w: PART_W, h: PART_H };
  return out;
}

export function center(b: Box): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}

/**
 * What a line or a step badge must not cross in a figure: every host's box (its words fill it)
 * and name server bubble in the overview; in the detail figure the parts, the servers' header
 * lines and the PCs (a line may cross a server's border, not its words).
 */
export function obstacles(l: Layout): { id: string; box: Box }[] {
  const out: { id: string; box: Box }[] = [];
  for (const [name, box] of Object.entries(l.hosts)) if (l.figure === 'overview' || !l.parts[name]) out.push({ id: name, box });
  if (l.figure === 'overview') for (const [name, box] of Object.entries(l.nameServers)) if (box !== l.hosts[name]) out.push({ id: `${name}/ns`, box });
  for (const [name, inside] of Object.entries(l.parts)) for (const [part, box] of Object.entries(inside)) out.push({ id: `${name}/${part}`, box: box! });
  for (const [name, box] of Object.entries(l.headers)) out.push({ id: `${name}/header`, box });
  return out;
}
