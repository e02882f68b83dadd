// A README per host, in Korean and in English: the seed's commands, in the seed's order
// (host name, bind9, sendmail, dovecot, accounts), for exactly the files exported beside it.
import type { Host, Topology } from '../topology/types.ts';
import type { Lang } from '../trace/language.ts';
import { REAL, zoneRealFile } from '../host/real-files.ts';
import { shownPath } from '../host/config-refs.ts';
import { machineName } from './export-file.ts';
import type { ChangedLine } from './sendmail-files.ts';
import { servesMailboxes } from './dovecot-files.ts';

export interface ReadmeInput {
  topology: Topology;
  host: Host;
  /** the sendmail.mc lines the lesson changes, for a mail host */
  changed: ChangedLine[];
}

const fence = (lines: string[]) => ['```sh', ...lines, '```'];
/** Inline code that may itself hold backticks, as sendmail.mc's quotes do (CommonMark: a longer fence). */
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

export function hostReadme({ topology, host, changed }: ReadmeInput, lang: Lang): string {
  const ko = lang === 'ko';
  const t = (k: string, e: string) => (ko ? k : e);
  const name = machineName(host);
  const ns = topology.hosts.find((h) => h.name === (host.resolver ?? ''));
  const out: string[] = [];
  let step = 0;
  const section = (title: string) => out.push('', `## ${++step}. ${title}`, '');

  out.push(`# ${host.name} (${name}, ${host.address})`);
  out.push('');
  out.push(t(
    `mail-lab이 \`${shownPath(topology.file)}\`에서 만든 설정 파일입니다. 이 폴더의 \`etc/...\` 파일은 실제 우분투의 같은 경로(\`/etc/...\`)에 들어갑니다. 실습(\`npm run lab -- --transcripts\`)에서 각 단계의 "설정:" 줄이 가리키는 줄이 바로 이 파일들의 줄입니다.`,
    `Written by mail-lab from \`${shownPath(topology.file)}\`. Each \`etc/...\` file here goes to the same path (\`/etc/...\`) on the real Ubuntu machine. The "config:" lines of each hop in the lab (\`npm run lab -- --transcripts\`) name lines of exactly these files.`,
  ));
  if (host.role) out.push('', `> ${host.role}`);

  section(t('호스트 이름', 'The host name'));
  out.push(t('센드메일은 자기 이름을 여기서 가져옵니다. 바꾼 뒤 재부팅합니다.', 'sendmail takes its own name from here. Reboot afterwards.'));
  out.push(...fence(['sudo cp etc/hostname /etc/hostname', 'sudo cp etc/hosts /etc/hosts', 'sudo reboot']));

  if (host.services.dns !== undefined) {
    section(t('네임 서버 (bind9)', 'The name server (bind9)'));
    out.push(t(
      `존 ${topology.zones.map((z) => z.origin).join(', ')}: \`${REAL.namedConfLocal}\`에 존마다 zone 문이 있고, 존 파일은 실습의 파일과 한 글자도 다르지 않습니다.`,
      `Zones ${topology.zones.map((z) => z.origin).join(', ')}: one zone statement each in \`${REAL.namedConfLocal}\`; the zone files are the lab's, byte for byte.`,
    ));
    out.push(...fence([
      'sudo apt -y install bind9 bind9utils',
      'sudo cp etc/bind/named.conf.local /etc/bind/',
      ...topology.zones.map((z) => `sudo cp ${zoneRealFile(z.origin).slice(1)} /etc/bind/`),
      'sudo named-checkconf -z',
      ...topology.zones.map((z) => `named-checkzone ${z.origin} ${zoneRealFile(z.origin)}`),
      `sudo systemctl restart named      # ${t('예전 우분투에서는', 'older Ubuntu:')} bind9`,
      ...topology.zones.map((z) => `dig @localhost ${z.origin} MX`),
    ]));
  }

  if (host.mail) {
    const mail = host.mail;
    section(t('센드메일 서비스', 'The sendmail service'));
    out.push(t(
      `\`local-host-names\`: 이 서버가 받는 도메인 (${mail.domains.join(', ')}). \`access\`: 중계(릴레이)를 허용하는 곳 (${mail.relay.map((p) => `Connect:${p} RELAY`).join(', ') || '없음'}). procmail이 메일을 ~/Maildir에 씁니다.`,
      `\`local-host-names\`: the domains this server takes mail for (${mail.domains.join(', ')}). \`access\`: who may relay (${mail.relay.map((p) => `Connect:${p} RELAY`).join(', ') || 'nobody'}). procmail writes the mail into ~/Maildir.`,
    ));
    out.push(...fence([
      'sudo apt -y install sendmail procmail',
      'sudo cp etc/mail/local-host-names etc/mail/access /etc/mail/',
      'sudo cp etc/procmailrc /etc/procmailrc',
    ]));
    out.push('', t(
      '`/etc/mail/sendmail.mc`에서 다음 줄을 바꿉니다 (이 폴더의 `etc/mail/sendmail.mc`를 그대로 복사해도 됩니다):',
      'In `/etc/mail/sendmail.mc`, change these lines (or copy `etc/mail/sendmail.mc` from this folder as it is):',
    ), '');
    for (const c of changed) {
      out.push(`- ${t(`${c.line}행`, `line ${c.line}`)}: ${code(c.text)}: ${c.why[lang]}${c.was ? ` (${t('원래', 'was')} ${code(c.was)})` : ''}`);
    }
    out.push('', t('그리고 root로:', 'Then, as root:'));
    out.push(...fence([
      'sudo -i',
      'cd /etc/mail',
      'm4 sendmail.mc > sendmail.cf',
      'makemap hash access < access',
      'systemctl restart sendmail',
      'exit',
    ]));
    if (mail.plaintextAuth) {
      out.push(t(
        'SMTP AUTH(로그인한 사용자의 중계)를 쓰려면: `sudo apt -y install sasl2-bin`, `/etc/default/saslauthd`에서 `START=yes`, `sudo systemctl restart saslauthd`.',
        'For SMTP AUTH (logged-in users may relay): `sudo apt -y install sasl2-bin`, `START=yes` in `/etc/default/saslauthd`, `sudo systemctl restart saslauthd`.',
      ));
    }
  }

  if (servesMailboxes(host)) {
    section(t('dovecot 서비스', 'The dovecot service'));
    out.push(t(
      `\`${REAL.dovecot}\`: 프로토콜, 평문 비밀번호 허용(\`disable_plaintext_auth = no\`), 메일 박스 위치(\`maildir:~/Maildir\`).`,
      `\`${REAL.dovecot}\`: the protocols, plaintext passwords allowed (\`disable_plaintext_auth = no\`), where the mailboxes are (\`maildir:~/Maildir\`).`,
    ));
    out.push(...fence([
      'sudo apt -y install dovecot-pop3d dovecot-imapd',
      'sudo cp etc/dovecot/local.conf /etc/dovecot/',
      'doveconf -n',
      'sudo systemctl restart dovecot',
    ]));
  }

  if (host.mail && Object.keys(host.mail.users).length) {
    section(t('사용자 계정', 'The accounts'));
    out.push(t('센드메일과 dovecot 서비스 모두 시스템의 사용자를 씁니다:', 'sendmail and dovecot both use the system\'s users:'), '');
    for (const [user, entry] of Object.entries(host.mail.users)) {
      out.push(`- \`${user}\` (${user}@${host.mail.domains[0]})${entry.name ? `, ${entry.name}` : ''}: ${t('비밀번호', 'password')} \`${entry.password.replace(/[`\r\n]/g, '?')}\``);
    }
    out.push(...fence(['sudo sh accounts.sh']));
  }

  if (host.client) {
    const server = topology.hosts.find((h) => h.name === host.client!.server);
    const read = host.client.read === 'imap' ? { name: 'IMAP', port: 143 } : { name: 'POP3', port: 110 };
    section(t('메일 클라이언트', 'The mail client'));
    out.push(t('메일 프로그램(Thunderbird, Outlook, Evolution)의 계정 설정:', 'The account in the mail program (Thunderbird, Outlook, Evolution):'), '');
    out.push(`- ${t('이메일 주소', 'address')}: \`${host.client.account}\`, ${t('비밀번호', 'password')} \`${host.client.password.replace(/[`\r\n]/g, '?')}\``);
    out.push(`- ${t('받는 메일 서버', 'incoming')}: ${read.name} \`${server?.hostname ?? server?.address}\` (${server?.address}), ${t('포트', 'port')} ${read.port}, ${t('보안 연결 없음, 일반 비밀번호', 'no connection security, normal password')}`);
    out.push(`- ${t('보내는 메일 서버', 'outgoing')}: SMTP \`${server?.hostname ?? server?.address}\` (${server?.address}), ${t('포트', 'port')} 25`);
  }

  if (ns) {
    section(t('네임 서버 지정', 'The name server to ask'));
    out.push(t(
      `네트워크 설정의 DNS 서버: ${ns.address} (${ns.name}). \`${REAL.resolv}\`에는 \`nameserver ${ns.address}\` 줄이 생깁니다.`,
      `Set the network's DNS server to ${ns.address} (${ns.name}); \`${REAL.resolv}\` then says \`nameserver ${ns.address}\`.`,
    ));
  }
  return `${out.join('\n')}\n`;
}

/** The export's own README: which folder is which machine. */
export function indexReadme(topology: Topology, lang: Lang): string {
  const ko = lang === 'ko';
  const rows = topology.hosts.map((h) => `| ${h.name} | ${machineName(h)} | ${h.address} | ${[
    h.services.dns !== undefined && 'bind9',
    h.mail && 'sendmail',
    servesMailboxes(h) && 'dovecot',
    h.client && (ko ? '메일 클라이언트' : 'mail client'),
  ].filter(Boolean).join(', ')} | [README.${lang}.md](${h.name}/README.${lang}.md) |`);
  return [
    ko ? `# ${topology.name}: 실제 컴퓨터에 옮길 설정 파일` : `# ${topology.name}: the configuration files for the real machines`,
    '',
    ko ? `\`${shownPath(topology.file)}\`에서 만들었습니다. 컴퓨터마다 폴더가 하나씩 있습니다.` : `Written from \`${shownPath(topology.file)}\`. One folder per machine.`,
    '',
    ko ? '| 호스트 | 이름 | 주소 | 역할 | 설명 |' : '| host | name | address | runs | how to |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
