import path from 'node:path';
import type { Lab } from './lab.ts';
import type { Lang } from '../trace/language.ts';
import { defaultDataDir } from './embedded.ts';

const SERVICE_LABEL: Record<string, string> = { dns: 'DNS', smtp: 'SMTP', pop3: 'POP3', imap: 'IMAP' };

/**
 * The table printed after the replay, compact enough for a 100-column projector: every host's
 * address and hostname, each service as "SMTP 25→2526" (its port in the lab → the real port on
 * this computer), then what to try from a second terminal.
 */
export function addressTable(lab: Lab, lang: Lang): string {
  const ko = lang === 'ko';
  const rows = lab.endpoints();
  const relative = path.relative(process.cwd(), lab.dataDir);
  const data = relative && !relative.startsWith('..') ? relative : lab.dataDir;
  const out: string[] = [];
  out.push(ko
    ? `실습망 ${lab.topology.network}, 데이터 폴더 ${data} (실습망의 포트 → 이 컴퓨터 ${lab.publicHost}의 포트)`
    : `Lab network ${lab.topology.network}, data folder ${data} (port in the lab → port on ${lab.publicHost} here)`);
  const hostWidth = Math.max(...rows.map((r) => r.host.length)) + 1;
  const nameWidth = Math.max(...rows.map((r) => (r.hostname ?? '').length)) + 1;
  for (const row of rows) {
    const services = row.services.map((s) => `${SERVICE_LABEL[s.service] ?? s.service} ${s.virtual.split(':').at(-1)}→${s.real.split(':').at(-1)}`).join(' ');
    const client = lab.topology.hosts.find((h) => h.name === row.host)?.client;
    const what = services || (client ? (ko ? `(${client.account.split('@')[0]}의 PC)` : `(${client.account.split('@')[0]}'s PC)`) : '');
    out.push(`  ${row.host.padEnd(hostWidth)} ${row.address.padEnd(16)} ${(row.hostname ?? '').padEnd(nameWidth)} ${what}`.trimEnd());
  }
  const find = (host: string, service: string) => rows.find((r) => r.host === host)?.services.find((s) => s.service === service)?.real.split(':').at(-1);
  const dnsHost = rows.find((r) => r.services.some((s) => s.service === 'dns'))?.host;
  const mailHosts = lab.topology.hosts.filter((h) => h.mail);
  out.push('');
  out.push(ko ? '다른 터미널에서 해 볼 것:' : 'Try, from a second terminal:');
  if (dnsHost) out.push(`  dig @${lab.publicHost} -p ${find(dnsHost, 'dns')} ${mailHosts[0]?.mail?.domains[0] ?? 'naver.com'} MX`);
  out.push(`  ${lab.dataDir === defaultDataDir(lab.topology) ? 'npm run mailq' : `npm run mailq -- --data ${lab.dataDir}`}${ko ? '   (메일 큐 보기)' : '   (the mail queues)'}`);
  for (const host of mailHosts) {
    const smtp = find(host.name, 'smtp');
    const pop3 = find(host.name, 'pop3');
    const imap = find(host.name, 'imap');
    const [user, account] = Object.entries(host.mail!.users)[0] ?? [];
    const domain = host.mail!.domains[0];
    out.push(`  ${host.name} (${host.mail!.domains.join(', ')}):`);
    if (smtp) {
      out.push(`    nc ${lab.publicHost} ${smtp}   ${ko ? 'SMTP를 직접 쳐 보기' : 'type SMTP by hand'}:`);
      out.push(`      EHLO me / MAIL FROM:<you@example.org> / RCPT TO:<${user ?? 'postmaster'}@${domain}> / DATA / . / QUIT`);
    }
    if (pop3 && user) out.push(`    curl pop3://${lab.publicHost}:${pop3}/1 -u ${user}:${account?.password}`);
    if (imap && user) out.push(`    curl "imap://${lab.publicHost}:${imap}/INBOX;UID=1" -u ${user}:${account?.password}`);
    if (user) {
      out.push(ko
        ? `    메일 클라이언트 (Thunderbird): 서버 ${lab.publicHost}, SMTP ${smtp} / POP3 ${pop3} / IMAP ${imap}, 보안 없음, 일반 비밀번호, 사용자 ${user}@${domain}, 비밀번호 ${account?.password}`
        : `    mail program (Thunderbird): server ${lab.publicHost}, SMTP ${smtp} / POP3 ${pop3} / IMAP ${imap}, no security, normal password, user ${user}@${domain}, password ${account?.password}`);
    }
  }
  return out.join('\n');
}
