// dovecot on a mail host: Ubuntu's dovecot.conf ends with `!include_try local.conf`, so the
// lesson's settings go into /etc/dovecot/local.conf and the package's files stay as they are.
import type { Host, Topology } from '../topology/types.ts';
import { REAL, dovecotPlaintext, dovecotProtocols } from '../host/real-files.ts';
import { shownPath } from '../host/config-refs.ts';
import type { ExportFile } from './export-file.ts';

export function servesMailboxes(host: Host): boolean {
  return host.mail !== undefined && (host.services.pop3 !== undefined || host.services.imap !== undefined);
}

export function dovecotFiles(topology: Topology, host: Host): ExportFile[] {
  const text = [
    `# ${REAL.dovecot}: dovecot on ${host.name} (mail-lab, ${shownPath(topology.file)}).`,
    '# Check it with: doveconf -n',
    dovecotProtocols(host),
    'listen = *, ::',
    '# no TLS in the lab: plaintext passwords are allowed (the lesson\'s change)',
    dovecotPlaintext(host),
    '# lee and lee@naver.com are the same account, as in the lab',
    'auth_username_format = %Ln',
    '# the lab keeps mail in Maildir, where procmail (sendmail\'s local mailer) writes it',
    'mail_location = maildir:~/Maildir',
    'mail_privileged_group = mail',
  ];
  return [{ path: REAL.dovecot.slice(1), text: `${text.join('\n')}\n` }];
}
