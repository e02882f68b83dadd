import type { HopEvent } from './hop-event.ts';
import type { Topology } from '../topology/types.ts';
import type { Lang } from './language.ts';
import { circled } from './steps.ts';
import { figureNames, type Figure } from './terminal-renderer.ts';

// --diagram: the hops as a Mermaid sequence diagram and the topology as a Mermaid graph, for slides.

const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const text = (s: string) => s.replace(/[;#\n]/g, ' ').replace(/"/g, "'");

/**
 * The numbered hops as a Mermaid sequence diagram: participants in the order the letter meets
 * them (WinClient, Server-B, Server, Client), each hop labelled by what it is (queue and MDA
 * hops as such), with nothing that changes from run to run (no queue IDs, no Maildir names),
 * so the slide is the same every time; a note says what "②/③" means.
 */
export function sequenceDiagram(events: HopEvent[], topology: Topology, lang: Lang, figure: Figure = 'sendmail'): string {
  const hops = events.filter((e) => e.steps);
  const order: string[] = [];
  for (const e of hops) for (const name of [e.from, e.to]) if (!order.includes(name)) order.push(name);
  const lines = ['sequenceDiagram'];
  for (const name of order) {
    const host = topology.hosts.find((h) => h.name === name);
    lines.push(host ? `  participant ${id(name)} as ${name}<br/>${host.address}` : `  participant ${id(name)} as ${name}`);
  }
  const names = figureNames(lang);
  if (figure === 'both' && order.length) {
    lines.push(`  Note over ${id(order[0])},${id(order.at(-1)!)}: ${lang === 'ko' ? `②/③ = [${names.overview}] 그림의 ② / [${names.sendmail}] 그림의 ③` : '②/③ = the overview figure\'s ② / the sendmail figure\'s ③'}`);
  }
  for (const e of hops) {
    const label = figure === 'overview' ? circled(e.steps!.overview) : figure === 'both' ? `${circled(e.steps!.overview)}/${circled(e.steps!.sendmail)}` : circled(e.steps!.sendmail);
    const arrow = e.status && e.status !== 'ok' ? '-x' : '->>';
    lines.push(`  ${id(e.from)}${arrow}${id(e.to)}: ${label} ${text(hopText(e, lang))}`);
  }
  return lines.join('\n');
}

/** What a hop is, in words that do not change from run to run. */
function hopText(e: HopEvent, lang: Lang): string {
  const ko = lang === 'ko';
  const protocol = e.protocol ?? e.kind.toUpperCase();
  const failed = e.status && e.status !== 'ok' ? (ko ? ' (실패)' : ' (failed)') : '';
  const user = String(e.detail?.user ?? '');
  switch (e.kind) {
    case 'smtp':
      return (ko ? 'SMTP: 센드메일 서비스에 메일 보내기' : 'SMTP: the mail program sends the mail') + failed;
    case 'queue':
      return (e.steps?.sendmail === '2'
        ? (ko ? 'QUEUE: 메일 큐에 넣어 두기' : 'QUEUE: into the mail queue')
        : (ko ? 'QUEUE: 때가 되어 MDA에게 보내 달라고 요청' : 'QUEUE: when the time comes, ask the MDA to send')) + failed;
    case 'dns': {
      const domain = String(e.detail?.domain ?? '');
      const mx = (e.detail?.mx as { exchange: string }[] | undefined)?.map((m) => m.exchange).join(', ');
      return `DNS: MX ${domain}?${mx ? ` → ${mx}` : ''}${failed}`;
    }
    case 'relay':
      return (ko ? 'SMTP: MDA가 상대 센드메일 서비스로 메일 전송' : 'SMTP: the MDA sends the mail to the other sendmail') + failed;
    case 'mda':
      return (ko ? `MDA: ${user ? `${user}의 ` : ''}메일 박스에 넣기` : `MDA: into ${user ? `${user}'s ` : 'the '}mailbox`) + failed;
    case 'pop3':
    case 'imap':
      return e.steps?.sendmail === '8'
        ? `${protocol}: ${ko ? 'dovecot 서비스에 로그인, 메일 요청' : 'log in to dovecot, ask for the mail'}${failed}`
        : `${protocol}: ${ko ? 'dovecot 서비스가 메일 전송' : 'dovecot sends the mail'}${failed}`;
    default:
      return `${protocol}${failed}`;
  }
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
