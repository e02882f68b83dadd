import { html } from 'lab-page/html.ts';
import { t, letterCount } from 'lab-page/i18n.ts';
import type { Box, Component, Layout } from 'lab-page/layout.ts';
import { linkKey, type Faults } from 'lab-page/figure-state.ts';
import type { LabState, ModelHost } from 'lab-page/types.ts';

// The hosts of the figures: boxes with names, host names and addresses; in the detail figure,
// the parts inside each mail server as the seed draws them.

const SERVICE_LABEL: Record<string, string> = { dns: 'DNS', smtp: 'SMTP', pop3: 'POP3', imap: 'IMAP' };

export function hostBoxes(hosts: ModelHost[], l: Layout, faults: Faults, figure: 'overview' | 'detail', state: LabState | undefined) {
  return hosts.map((h) => {
    const box = l.hosts[h.name];
    if (!box) return null;
    const down = faults.hosts.has(h.name);
    const kind = h.mail ? t('mailServer') : h.client ? t('mailClient') : h.services.includes('dns') ? t('nameServer') : '';
    const what = h.mail ? h.mail.domains.join(', ') : h.client ? h.client.account : '';
    const lines = figure === 'detail' && h.mail
      ? [h.name, `${h.hostname ?? ''}  ·  ${h.address}  ·  ${kind} ${what}`]
      : [h.name, h.hostname, h.address, `${kind}${what ? ` · ${what}` : ''}`].filter((line): line is string => Boolean(line));
    return html`<g class=${`host ${h.mail ? 'server' : 'pc'} ${down ? 'down' : ''}`} data-host=${h.name}>
      <rect x=${box.x} y=${box.y} width=${box.w} height=${box.h} rx="14" />
      ${icon(h, box, figure)}
      ${lines.map((line, i) => html`<text x=${box.x + (figure === 'detail' && h.mail ? 24 : box.w / 2 + 20)} y=${box.y + (figure === 'detail' && h.mail ? 38 + i * 28 : 40 + i * 29)} class=${i === 0 ? 'host-name' : 'host-line'} text-anchor=${figure === 'detail' && h.mail ? 'start' : 'middle'}>${line}</text>`)}
      ${figure === 'overview' && h.services.length ? serviceChips(h, box, faults) : null}
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

const PART_WORD: Record<Component, Parameters<typeof t>[0]> = {
  sendmail: 'sendmailService', queue: 'mailQueue', mda: 'mda', nameServer: 'bind9', mailbox: 'mailbox', dovecot: 'dovecotService',
};
const PART_SERVICE: Partial<Record<Component, string[]>> = { sendmail: ['smtp'], dovecot: ['pop3', 'imap'], nameServer: ['dns'] };

function parts(h: ModelHost, l: Layout, faults: Faults, state: LabState | undefined) {
  const inside = l.parts[h.name] ?? {};
  const queued = state?.queues.find((q) => q.host === h.name)?.entries.length ?? 0;
  const letters = state?.mailboxes.filter((m) => m.host === h.name).reduce((n, m) => n + m.letters.length + m.more, 0) ?? 0;
  const note: Partial<Record<Component, string>> = {
    sendmail: 'SMTP :25', queue: `${queued}`, mda: 'local / SMTP', mailbox: `${letters}`, dovecot: 'POP3 :110 · IMAP :143', nameServer: 'DNS :53',
  };
  const flow = (a?: Box, b?: Box) => (a && b ? html`<line class="flow" x1=${a.x + a.w} y1=${a.y + a.h / 2} x2=${b.x} y2=${b.y + b.h / 2} marker-end="url(#arrow-flow)" />` : null);
  const down = (c: Component) => faults.hosts.has(h.name) || (PART_SERVICE[c] ?? []).some((s) => faults.services.has(`${h.name}/${s}`));
  return html`<g class="parts">
    ${flow(inside.sendmail, inside.queue)}${flow(inside.queue, inside.mda)}${flow(inside.mailbox, inside.dovecot)}
    ${(Object.entries(inside) as [Component, Box][]).map(([c, b]) => html`<g class=${`part part-${c} ${down(c) ? 'off' : ''}`} data-part=${c}>
      <rect x=${b.x} y=${b.y} width=${b.w} height=${b.h} rx="10" />
      <text x=${b.x + b.w / 2} y=${b.y + 30} text-anchor="middle" class="part-name">${t(PART_WORD[c])}</text>
      <text x=${b.x + b.w / 2} y=${b.y + 54} text-anchor="middle" class="part-note">${c === 'queue' || c === 'mailbox' ? letterCount(Number(note[c])) : note[c]}</text>
    </g>`)}
  </g>`;
}

/** The cables of the overview: each PC to its server, the servers to each other, each host to its name server. */
export function links(hosts: ModelHost[], l: Layout, faults: Faults) {
  const lines: { a: string; b: string; from: Box; to: Box }[] = [];
  for (const h of hosts) if (h.client && l.hosts[h.client.server] && l.hosts[h.name]) lines.push({ a: h.name, b: h.client.server, from: l.hosts[h.name], to: l.hosts[h.client.server] });
  for (let i = 0; i + 1 < l.servers.length; i++) lines.push({ a: l.servers[i], b: l.servers[i + 1], from: l.hosts[l.servers[i]], to: l.hosts[l.servers[i + 1]] });
  for (const [name, ns] of Object.entries(l.nameServers)) if (l.hosts[name] && hosts.find((h) => h.name === name)?.mail) lines.push({ a: name, b: name, from: l.hosts[name], to: ns });
  return lines.map(({ a, b, from, to }) => {
    const cut = faults.links.has(linkKey(a, b));
    const ax = from.x + from.w / 2;
    const ay = from.y + from.h / 2;
    const bx = to.x + to.w / 2;
    const by = to.y + to.h / 2;
    return html`<g class=${`link ${cut ? 'cut' : ''}`}><line x1=${ax} y1=${ay} x2=${bx} y2=${by} />${cut ? html`<text x=${(ax + bx) / 2} y=${(ay + by) / 2 + 10} text-anchor="middle" class="cut-mark">✕</text>` : null}</g>`;
  });
}

export function nameServerBubbles(hosts: ModelHost[], l: Layout, faults: Faults) {
  return Object.entries(l.nameServers).map(([name, b]) => {
    const host = hosts.find((h) => h.name === name);
    const down = faults.hosts.has(name) || faults.services.has(`${name}/dns`);
    return html`<g class=${`nameserver ${down ? 'off' : ''}`} data-nameserver=${name}>
      <rect x=${b.x} y=${b.y} width=${b.w} height=${b.h} rx="12" />
      <text x=${b.x + b.w / 2} y=${b.y + 30} text-anchor="middle" class="ns-name">${t('bind9')}</text>
      <text x=${b.x + b.w / 2} y=${b.y + 56} text-anchor="middle" class="ns-line">${host?.mail ? `${name} · ` : ''}${host?.address ?? ''}</text>
    </g>`;
  });
}
