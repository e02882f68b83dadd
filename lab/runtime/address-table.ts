import type { Lab } from './lab.ts';
import type { Lang } from '../trace/language.ts';

/** The table printed after the replay: every host's address, real endpoints, and what to try. */
export function addressTable(lab: Lab, lang: Lang): string {
  const ko = lang === 'ko';
  const rows = lab.endpoints();
  const out: string[] = [];
  out.push(ko ? `실습망 ${lab.topology.network} (데이터: ${lab.dataDir})` : `Lab network ${lab.topology.network} (data: ${lab.dataDir})`);
  out.push('');
  out.push(`${'host'.padEnd(10)} ${'address'.padEnd(16)} ${'hostname'.padEnd(16)} services (virtual -> real)`);
  for (const row of rows) {
    const services = row.services.map((s) => `${s.service} ${s.virtual} -> ${s.real}`).join(', ') || (ko ? '(클라이언트 PC)' : '(client PC)');
    out.push(`${row.host.padEnd(10)} ${row.address.padEnd(16)} ${(row.hostname ?? '').padEnd(16)} ${services}`);
  }
  const find = (host: string, service: string) => rows.find((r) => r.host === host)?.services.find((s) => s.service === service)?.real.split(':').at(-1);
  const dnsHost = rows.find((r) => r.services.some((s) => s.service === 'dns'))?.host;
  const mailHosts = lab.topology.hosts.filter((h) => h.mail);
  out.push('');
  out.push(ko ? '해 볼 것:' : 'Try:');
  if (dnsHost) out.push(`  dig @${lab.publicHost} -p ${find(dnsHost, 'dns')} ${mailHosts[0]?.mail?.domains[0] ?? 'naver.com'} MX`);
  for (const host of mailHosts) {
    const smtp = find(host.name, 'smtp');
    const pop3 = find(host.name, 'pop3');
    const imap = find(host.name, 'imap');
    const [user, account] = Object.entries(host.mail!.users)[0] ?? [];
    out.push(`  ${host.name} (${host.mail!.domains.join(', ')}):`);
    if (smtp) out.push(`    nc ${lab.publicHost} ${smtp}     ${ko ? 'SMTP 직접 치기' : 'type SMTP by hand'}: EHLO me / MAIL FROM:<you@example.org> / RCPT TO:<${user}@${host.mail!.domains[0]}> / DATA / . / QUIT`);
    if (pop3 && user) out.push(`    curl pop3://${lab.publicHost}:${pop3}/1 -u ${user}:${account?.password}`);
    if (imap && user) out.push(`    curl "imap://${lab.publicHost}:${imap}/INBOX;UID=1" -u ${user}:${account?.password}`);
    if (user) {
      out.push(ko
        ? `    메일 프로그램 (Thunderbird): 서버 ${lab.publicHost}, SMTP ${smtp} / POP3 ${pop3} / IMAP ${imap}, 보안 없음, 일반 암호, 사용자 ${user}@${host.mail!.domains[0]}, 암호 ${account?.password}`
        : `    mail program (Thunderbird): server ${lab.publicHost}, SMTP ${smtp} / POP3 ${pop3} / IMAP ${imap}, no security, normal password, user ${user}@${host.mail!.domains[0]}, password ${account?.password}`);
    }
  }
  return out.join('\n');
}
