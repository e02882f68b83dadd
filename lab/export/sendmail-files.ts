// sendmail on a mail host: local-host-names (the domains it takes mail for), access (who may
// relay), sendmail.mc as Ubuntu's sendmail package writes it with the lines the lesson changes,
// and procmail as the local mailer so that mail lands in ~/Maildir, where the lab keeps it and
// dovecot reads it.
import type { Host, Topology } from '../topology/types.ts';
import { REAL, TRUST_AUTH, accessLine } from '../host/real-files.ts';
import { shownPath } from '../host/config-refs.ts';
import type { ExportFile } from './export-file.ts';

/** A line of sendmail.mc that differs from the package's, with the line it replaces. */
export interface ChangedLine {
  line: number;
  text: string;
  /** the package's line, or undefined for a line the lab adds */
  was?: string;
  why: { ko: string; en: string };
}

const MTA_WAS = "DAEMON_OPTIONS(`Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl";
const MSP_WAS = "DAEMON_OPTIONS(`Family=inet,  Name=MSP-v4, Port=submission, M=Ea, Addr=127.0.0.1')dnl";

export function sendmailFiles(topology: Topology, host: Host): { files: ExportFile[]; changed: ChangedLine[] } {
  const mail = host.mail!;
  const source = shownPath(topology.file);
  const localHostNames = [`# ${REAL.localHostNames}: the domains ${host.name} takes mail for (mail-lab, ${source})`, ...mail.domains].join('\n');
  const access = [
    `# ${REAL.access}: who may send through ${host.name} (mail-lab, ${source}).`,
    '# After a change: makemap hash /etc/mail/access < /etc/mail/access',
    'Connect:localhost.localdomain\tRELAY',
    'Connect:localhost\tRELAY',
    'Connect:127.0.0.1\tRELAY',
    ...mail.relay.map(accessLine),
  ].join('\n');
  const { text: mc, changed } = sendmailMc(host);
  const procmailrc = [
    `# ${REAL.procmailrc}: sendmail's local mailer (procmail) writes each user's Maildir,`,
    '# which dovecot reads (mail_location = maildir:~/Maildir), as the lab keeps it.',
    'MAILDIR=$HOME/Maildir/',
    'DEFAULT=$HOME/Maildir/',
  ].join('\n');
  return {
    files: [
      { path: REAL.localHostNames.slice(1), text: `${localHostNames}\n` },
      { path: REAL.access.slice(1), text: `${access}\n` },
      { path: REAL.sendmailMc.slice(1), text: mc },
      { path: REAL.procmailrc.slice(1), text: `${procmailrc}\n` },
    ],
    changed,
  };
}

/** Ubuntu's /etc/mail/sendmail.mc (package sendmail-cf's debian/sendmail.mc), changed as the lesson changes it. */
function sendmailMc(host: Host): { text: string; changed: ChangedLine[] } {
  const mail = host.mail!;
  const lines: string[] = [];
  const changed: ChangedLine[] = [];
  const add = (text: string, change?: Omit<ChangedLine, 'line' | 'text'>) => {
    lines.push(text);
    if (change) changed.push({ line: lines.length, text, ...change });
  };
  add('divert(-1)dnl');
  add(`# /etc/mail/sendmail.mc for ${host.name} (${host.hostname ?? mail.domains[0]}), written by mail-lab.`);
  add('# Ubuntu\'s own file with the lines the lesson changes; after any change:');
  add('#   cd /etc/mail && m4 sendmail.mc > sendmail.cf && systemctl restart sendmail');
  add('divert(0)dnl');
  add("define(`_USE_ETC_MAIL_')dnl");
  add("include(`/usr/share/sendmail/cf/m4/cf.m4')dnl");
  add("VERSIONID(`mail-lab')");
  add("OSTYPE(`debian')dnl");
  add("DOMAIN(`debian-mta')dnl");
  add("FEATURE(`no_default_msa')dnl");
  add('dnl # the lesson: listen on every address (0.0.0.0), not only on 127.0.0.1');
  add(MTA_WAS.replace('Addr=127.0.0.1', 'Addr=0.0.0.0'), { was: MTA_WAS, why: { ko: '다른 컴퓨터에서 오는 SMTP를 받도록 Addr=127.0.0.1을 Addr=0.0.0.0으로 바꿉니다', en: 'Addr=127.0.0.1 becomes Addr=0.0.0.0, so that SMTP from other computers is taken' } });
  add(MSP_WAS.replace('Addr=127.0.0.1', 'Addr=0.0.0.0'), { was: MSP_WAS, why: { ko: '메일 클라이언트의 제출 포트(587)도 같은 이유로 0.0.0.0에서 받습니다', en: 'the submission port (587) of the mail clients, for the same reason' } });
  add("define(`confPRIVACY_FLAGS',dnl");
  add("`needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,nobodyreturn,authwarnings')dnl");
  add("define(`confCONNECTION_RATE_THROTTLE', `15')dnl");
  add("define(`confCONNECTION_RATE_WINDOW_SIZE',`10m')dnl");
  // the topology's limits, where it sets them (sendmail's own defaults otherwise)
  const { messageSize, recipients } = mail.limits ?? {};
  if (Number.isInteger(messageSize)) add(`define(\`confMAX_MESSAGE_SIZE', \`${messageSize}')dnl`, { why: { ko: `실습의 메일 크기 제한: ${messageSize}바이트`, en: `the lab's message size limit: ${messageSize} bytes` } });
  if (Number.isInteger(recipients)) add(`define(\`confMAX_RCPTS_PER_MESSAGE', \`${recipients}')dnl`, { why: { ko: `메일 한 통의 받는 사람 수 제한: ${recipients}`, en: `the lab's recipients per message: ${recipients}` } });
  add("FEATURE(`use_cw_file')dnl");
  add("FEATURE(`access_db', , `skip')dnl");
  add("FEATURE(`greet_pause', `1000')dnl");
  add("FEATURE(`delay_checks', `friend', `n')dnl");
  add("define(`confBAD_RCPT_THROTTLE',`3')dnl");
  add("FEATURE(`conncontrol', `nodelay', `terminate')dnl");
  add("FEATURE(`ratecontrol', `nodelay', `terminate')dnl");
  if (mail.plaintextAuth) {
    add('dnl # SMTP AUTH with plaintext passwords (no TLS in the lab): a logged-in user may relay');
    add("define(`confAUTH_OPTIONS', `A')dnl", { why: { ko: 'TLS 없이도 AUTH를 제공합니다 (실습 설정)', en: 'AUTH is offered without TLS (a lab setting)' } });
    add("define(`confAUTH_MECHANISMS', `LOGIN PLAIN')dnl", { why: { ko: 'LOGIN, PLAIN 방식의 AUTH', en: 'AUTH by LOGIN and PLAIN' } });
    add(TRUST_AUTH, { why: { ko: '로그인한 사용자는 중계(릴레이)할 수 있습니다', en: 'a logged-in user may relay' } });
  }
  add('include(`/etc/mail/m4/dialup.m4\')dnl');
  add('include(`/etc/mail/m4/provider.m4\')dnl');
  add('dnl # the lab keeps mail in ~/Maildir: procmail delivers (see /etc/procmailrc)');
  add("FEATURE(`local_procmail', `', `procmail -t -Y -a $h -d $u')dnl", { why: { ko: 'MDA로 procmail을 써서 ~/Maildir에 씁니다', en: 'procmail is the MDA and writes ~/Maildir' } });
  add('MAILER_DEFINITIONS');
  add("MAILER(`local')dnl");
  add("MAILER(`smtp')dnl");
  return { text: `${lines.join('\n')}\n`, changed };
}
