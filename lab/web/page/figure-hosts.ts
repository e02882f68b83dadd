import { html } from 'lab-page/html.ts';
import { t } from 'lab-page/i18n.ts';
import type { Box, Component, Layout } from 'lab-page/layout.ts';
import { linkKey, type Faults } from 'lab-page/figure-state.ts';
import { hostLines, partWords } from 'lab-page/host-words.ts';
import type { LabState, ModelHost } from 'lab-page/types.ts';

// The hosts of the figures: boxes with names, host names and addresses; in the detail figure,
// the parts inside each mail server as the seed draws them.

const SERVICE_LABEL: Record<string, string> = { dns: 'DNS', smtp: 'SMTP', pop3: 'POP3', imap: 'IMAP' };

export function hostBoxes(hosts: ModelHost[], l: Layout, faults: Faults, figure: 'overview' | 'detail', state: LabState | undefined) {
  return hosts.map((h) => {
    const box = l.hosts[h.name];
    if (!box) return null;
    const down = faults.hosts.has(h.name);
    const inDetail = figure === 'detail' && Boolean(h.mail);
    const lines = hostLines(h, inDetail ? 'detail' : 'overview');
    // the words right of the icon, centred in the room left
    const textX = inDetail ? box.x + 24 : box.x + 60 + (box.w - 74) / 2;
    return html`<g class=${`host ${h.mail || !h.client ? 'server' : 'pc'} ${down ? 'down' : ''}`} data-host=${h.name}>
      <rect x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="14" />
      ${icon(h, box, figure)}
      ${lines.map((line, i) => html`<text x=${textX} y=${box.y + (inDetail ? 38 + i * 28 : 40 + i * 29)} class=${i === 0 ? 'host-name' : 'host-line'} text-anchor=${inDetail ? 'start' : 'middle'}>${line}</text>`)}
      ${!inDetail && h.services.length ? serviceChips(h, box, faults) : null}
      ${down ? html`<text x=${box.x + box.w - 12} y=${box.y + 26} class="down-tag" text-anchor="end">${t('down')}</text>` : null}
      ${figure === 'detail' && h.mail ? parts(h, l, faults, state) : null}
    </g>`;
  });
}

function icon(h: ModelHost, box: Box, figure: 'overview' | 'detail') {
  if (figure === 'detail' && h.mail) return null;
  const x = box.x + 18;
  const y = box.y + 20;
  if (h.mail || !h.client) {
    return html`<g class="icon"><rect x=${x} y=${y} width="26" height="40" rx="3" /><line x1=${x + 5} y1=${y + 10} x2=${x + 21} y2=${y + 10} /><line x1=${x + 5} y1=${y + 18} x2=${x + 21} y2=${y + 18} /><circle cx=${x + 13} cy=${y + 31} r="2.5" /></g>`;
  }
  return html`<g class="icon"><rect x=${x - 2} y=${y + 2} width="34" height="24" rx="3" /><line x1=${x + 15} y1=${y + 26} x2=${x + 15} y2=${y + 33} /><line x1=${x + 6} y1=${y + 34} x2=${x + 24} y2=${y + 34} /></g>`;
}

function serviceChips(h: ModelHost, box: Box, faults: Faults) {
  const chips = h.services.map((s) => SERVICE_LABEL[s] ?? s.toUpperCase());
  const width = chips.length * 64 - 8;
  let x = box.x + (box.w - width) / 2;
  return chips.map((label, i) => {
    const down = faults.services.has(`${h.name}/${h.services[i]}`) || faults.hosts.has(h.name);
    const chip = html`<g class=${`chip ${down ? 'off' : ''}`}><rect x=${x} y=${box.y + box.h - 40} width="56" height="28" rx="7" /><text x=${x + 28} y=${box.y + box.h - 20} text-anchor="middle">${label}</text></g>`;
    x += 64;
    return chip;
  });
}

const PART_SERVICE: Partial<Record<Component, string[]>> = { sendmail: ['smtp'], dovecot: ['pop3', 'imap'], nameServer: ['dns'] };

function parts(h: ModelHost, l: Layout, faults: Faults, state: LabState | undefined) {
  const inside = l.parts[h.name] ?? {};
  const queued = state?.queues.find((q) => q.host === h.name)?.entries.length ?? 0;
  const letters = state?.mailboxes.filter((m) => m.host === h.name).reduce((n, m) => n + m.letters.length + m.more, 0) ?? 0;
  const flow = (a?: Box, b?: Box) => (a && b ? html`<line class="flow" x1=${a.x + a.w} y1=${a.y + a.h / 2} x2=${b.x} y2=${b.y + b.h / 2} marker-end="url(#arrow-flow)" />` : null);
  const down = (c: Component) => faults.hosts.has(h.name) || (PART_SERVICE[c] ?? []).some((s) => faults.services.has(`${h.name}/${s}`));
  return html`<g class="parts">
    ${flow(inside.sendmail, inside.queue)}${flow(inside.queue, inside.mda)}${flow(inside.mailbox, inside.dovecot)}
    ${(Object.entries(inside) as [Component, Box][]).map(([c, b]) => {
      const [name, note] = partWords(c, c === 'queue' ? queued : letters);
      return html`<g class=${`part part-${c} ${down(c) ? 'off' : ''}`} data-part=${c}>
        <rect x=${b.x} y=${b.y} width=${b.w} height=${b.h} rx="10" />
        <text x=${b.x + b.w / 2} y=${b.y + 30} text-anchor="middle" class="part-name">${name}</text>
        <text x=${b.x + b.w / 2} y=${b.y + 54} text-anchor="middle" class="part-note">${note}</text>
      </g>`;
    })}
  </g>`;
}

/**
 * The cables of the overview: each PC to its server, the mail servers side by side, each mail
 * server to the name server it asks (its resolver). Drawn straight under the boxes: a cable is
 * not a path, the hops are.
 */
export function links(hosts: ModelHost[], l: Layout, faults: Faults) {
  const lines: { a: string; b: string; from: Box; to: Box }[] = [];
  for (const h of hosts) if (h.client && l.hosts[h.client.server] && l.hosts[h.name]) lines.push({ a: h.name, b: h.client.server, from: l.hosts[h.name], to: l.hosts[h.client.server] });
  for (let i = 0; i + 1 < l.servers.length; i++) lines.push({ a: l.servers[i], b: l.servers[i + 1], from: l.hosts[l.servers[i]], to: l.hosts[l.servers[i + 1]] });
  // a mail server that runs the name server: a cable up to its bubble
  for (const [name, ns] of Object.entries(l.nameServers)) if (ns !== l.hosts[name] && l.hosts[name]) lines.push({ a: name, b: name, from: l.hosts[name], to: ns });
  const drawn = lines.map(({ a, b, from, to }) => {
    const cut = faults.links.has(linkKey(a, b));
    const ax = from.x + from.w / 2;
    const ay = from.y + from.h / 2;
    const bx = to.x + to.w / 2;
    const by = to.y + to.h / 2;
    return html`<g class=${`link ${cut ? 'cut' : ''}`}><line x1=${ax} y1=${ay} x2=${bx} y2=${by} />${cut ? html`<text x=${(ax + bx) / 2} y=${(ay + by) / 2 + 10} text-anchor="middle" class="cut-mark">✕</text>` : null}</g>`;
  });
  return [...drawn, ...nameServerBus(hosts, l)];
}

/** A name server on a host of its own: one cable down to a bus above the mail servers that ask it. */
function nameServerBus(hosts: ModelHost[], l: Layout) {
  return hosts.filter((ns) => l.nameServers[ns.name] === l.hosts[ns.name]).map((ns) => {
    const box = l.hosts[ns.name];
    const askers = hosts.filter((h) => h.mail && h.resolver === ns.name && l.hosts[h.name]).map((h) => l.hosts[h.name]);
    if (!askers.length) return null;
    const serverTop = Math.min(...askers.map((b) => b.y));
    const busY = (box.y + box.h + serverTop) / 2;
    const xs = [box.x + box.w / 2, ...askers.map((b) => b.x + b.w / 2)];
    return html`<g class="link bus" data-bus=${ns.name}>
      <line x1=${Math.min(...xs)} y1=${busY} x2=${Math.max(...xs)} y2=${busY} />
      ${xs.map((x, i) => html`<line x1=${x} y1=${i ? serverTop : box.y + box.h} x2=${x} y2=${busY} />`)}
    </g>`;
  });
}

/** The name server drawn above a mail server that runs one (a host that only runs one is drawn as a host). */
export function nameServerBubbles(hosts: ModelHost[], l: Layout, faults: Faults) {
  return Object.entries(l.nameServers).filter(([name, b]) => b !== l.hosts[name]).map(([name, b]) => {
    const host = hosts.find((h) => h.name === name);
    const down = faults.hosts.has(name) || faults.services.has(`${name}/dns`);
    return html`<g class=${`nameserver ${down ? 'off' : ''}`} data-nameserver=${name}>
      <rect x=${b.x} y=${b.y} width=${b.w} height=${b.h} rx="12" />
      <text x=${b.x + b.w / 2} y=${b.y + 30} text-anchor="middle" class="ns-name">${t('bind9')}</text>
      <text x=${b.x + b.w / 2} y=${b.y + 56} text-anchor="middle" class="ns-line">${host?.mail ? `${name} · ` : ''}${host?.address ?? ''}</text>
    </g>`;
  });
}
