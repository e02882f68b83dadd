import type { HopEvent } from './hop-event.ts';
import type { Topology } from '../topology/types.ts';
import type { Lang } from './language.ts';
import { circled } from './steps.ts';
import type { Figure } from './terminal-renderer.ts';

// --diagram: the hops as a Mermaid sequence diagram and the topology as a Mermaid graph, for slides.

const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const text = (s: string) => s.replace(/[;#\n]/g, ' ').replace(/"/g, "'");

export function sequenceDiagram(events: HopEvent[], topology: Topology, lang: Lang, figure: Figure = 'sendmail'): string {
  const hops = events.filter((e) => e.steps);
  const names = new Set<string>();
  for (const e of hops) names.add(e.from).add(e.to);
  const lines = ['sequenceDiagram'];
  for (const host of topology.hosts) if (names.has(host.name)) lines.push(`  participant ${id(host.name)} as ${host.name}<br/>${host.address}`);
  for (const name of names) if (!topology.hosts.some((h) => h.name === name)) lines.push(`  participant ${id(name)} as ${name}`);
  for (const e of hops) {
    const label = figure === 'overview' ? circled(e.steps!.overview) : figure === 'both' ? `${circled(e.steps!.overview)}/${circled(e.steps!.sendmail)}` : circled(e.steps!.sendmail);
    const arrow = e.status && e.status !== 'ok' ? '-x' : '->>';
    lines.push(`  ${id(e.from)}${arrow}${id(e.to)}: ${label} ${text(e.protocol ?? e.kind.toUpperCase())}: ${text(e.summary[lang])}`);
  }
  return lines.join('\n');
}

export function topologyGraph(topology: Topology, lang: Lang): string {
  const lines = ['graph LR', `  subgraph LAN["${topology.network}"]`];
  for (const host of topology.hosts) {
    const roles = [host.services.dns !== undefined && 'DNS', host.services.smtp !== undefined && 'SMTP', host.services.pop3 !== undefined && 'POP3', host.services.imap !== undefined && 'IMAP'].filter(Boolean).join(' ');
    const what = host.client ? host.client.account : roles;
    lines.push(`    ${id(host.name)}["${host.name}<br/>${host.address}${host.hostname ? `<br/>${host.hostname}` : ''}<br/>${what}"]`);
  }
  lines.push('  end');
  for (const host of topology.hosts) {
    if (host.client) lines.push(`  ${id(host.name)} -- "${lang === 'ko' ? '보내기/받기' : 'send/read'}" --> ${id(host.client.server)}`);
    if (host.resolver && host.resolver !== host.name && host.mail) lines.push(`  ${id(host.name)} -. DNS .-> ${id(host.resolver)}`);
  }
  const mailHosts = topology.hosts.filter((h) => h.mail);
  for (let i = 0; i < mailHosts.length; i++) for (let j = i + 1; j < mailHosts.length; j++) lines.push(`  ${id(mailHosts[i].name)} <-- SMTP --> ${id(mailHosts[j].name)}`);
  return lines.join('\n');
}
