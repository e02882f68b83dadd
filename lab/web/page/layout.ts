import type { ModelHost } from 'lab-page/types.ts';

// Where the figures put each host, computed from the topology, so a lab with a third domain or
// more PCs lays out by itself: the mail servers in a row, the sending side on the left (the
// letter goes left to right, as in the seed's pictures); each client PC under the server it
// uses; the name server drawn on the host that runs it; any other host on a row above.

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Component = 'sendmail' | 'queue' | 'mda' | 'nameServer' | 'mailbox' | 'dovecot';

export interface Layout {
  width: number;
  height: number;
  hosts: Record<string, Box>;
  /** the name server's place on a host that runs one */
  nameServers: Record<string, Box>;
  /** detail figure: the parts inside each mail server */
  parts: Record<string, Partial<Record<Component, Box>>>;
  /** the order of the mail servers, left to right */
  servers: string[];
}

const GAP = 70;

/** The mail servers left to right: the lead PC's server first (the letter goes left to right). */
export function serverOrder(hosts: ModelHost[], lead?: string): string[] {
  const servers = hosts.filter((h) => h.mail).map((h) => h.name);
  const first = hosts.find((h) => h.name === lead)?.client?.server;
  if (first && servers.includes(first)) return [first, ...servers.filter((s) => s !== first)];
  return servers;
}

export function layout(hosts: ModelHost[], figure: 'overview' | 'detail', lead?: string): Layout {
  const servers = serverOrder(hosts, lead);
  const detail = figure === 'detail';
  const server = detail ? { w: 600, h: 340 } : { w: 330, h: 200 };
  const pc = detail ? { w: 270, h: 130 } : { w: 290, h: 150 };
  const top = 50;
  const others = hosts.filter((h) => !h.mail && !(h.client && servers.includes(h.client.server)));
  const nsSpace = detail ? 0 : 120; // overview: the name server sits above its host
  const rowTop = top + (others.length ? pc.h + GAP : 0) + nsSpace;
  const out: Layout = { width: 0, height: 0, hosts: {}, nameServers: {}, parts: {}, servers };
  let x = 40;
  let height = rowTop + server.h;
  for (const name of servers) {
    const pcs = hosts.filter((h) => h.client?.server === name);
    const span = Math.max(server.w, pcs.length * pc.w + (pcs.length - 1) * 30);
    out.hosts[name] = { x: x + (span - server.w) / 2, y: rowTop, ...server };
    const y = rowTop + server.h + GAP + (detail ? 10 : 0);
    pcs.forEach((p, k) => (out.hosts[p.name] = { x: x + (span - (pcs.length * pc.w + (pcs.length - 1) * 30)) / 2 + k * (pc.w + 30), y, ...pc }));
    if (pcs.length) height = Math.max(height, y + pc.h);
    x += span + GAP;
  }
  let ox = 40;
  for (const h of others) {
    out.hosts[h.name] = { x: ox, y: top, ...pc };
    ox += pc.w + GAP;
  }
  for (const h of hosts) {
    if (!h.services.includes('dns')) continue;
    const box = out.hosts[h.name];
    if (!box) continue;
    if (!h.mail) out.nameServers[h.name] = { x: box.x + 10, y: box.y + box.h - 44, w: box.w - 20, h: 34 };
    else if (!detail) out.nameServers[h.name] = { x: box.x + box.w / 2 - 130, y: box.y - nsSpace + 10, w: 260, h: 76 };
  }
  if (detail) for (const name of servers) out.parts[name] = parts(out.hosts[name], hosts.find((h) => h.name === name)!);
  out.width = Math.max(x - GAP + 40, ox + 40 - GAP);
  out.height = height + 40;
  return out;
}

/**
 * Inside a mail server (the seed's "센드메일 서버 상세 작동 원리"): the way in and out on the top
 * row (센드메일 서비스 -> 메일 큐 -> MDA), the way to the reader on the bottom row (메일 박스 ->
 * dovecot 서비스), and bind9 on the host that runs it.
 */
function parts(box: Box, host: ModelHost): Partial<Record<Component, Box>> {
  const w = 170;
  const h = 70;
  const col = (i: number) => box.x + 25 + i * ((box.w - 50 - w) / 2);
  const row1 = box.y + 92;
  const row2 = box.y + box.h - h - 30;
  const out: Partial<Record<Component, Box>> = {
    sendmail: { x: col(0), y: row1, w, h },
    queue: { x: col(1), y: row1, w, h },
    mda: { x: col(2), y: row1, w, h },
    mailbox: { x: col(1), y: row2, w, h },
    dovecot: { x: col(2), y: row2, w, h },
  };
  if (host.services.includes('dns')) out.nameServer = { x: col(0), y: row2, w, h };
  return out;
}

export function center(b: Box): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}
