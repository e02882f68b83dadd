// The users of a mail host as accounts on the real machine (sendmail and dovecot both use the
// system's users): a script to run once with sudo. Every value from the topology is quoted for
// the shell, so a password such as `'; rm -rf / #` stays a password.
import type { Host } from '../topology/types.ts';
import { uidOf } from '../host/real-files.ts';
import { shellQuote, type ExportFile } from './export-file.ts';

export function accountsScript(host: Host): ExportFile {
  const users = Object.entries(host.mail?.users ?? {});
  const lines = [
    '#!/bin/sh',
    `# The accounts of ${host.name}: run once with  sudo sh accounts.sh`,
    '# (each user gets a home with a Maildir, where procmail delivers and dovecot reads).',
    'set -e',
    'add_user() {',
    '  if id "$1" >/dev/null 2>&1; then',
    '    echo "$1: already there"',
    '  elif getent passwd "$2" >/dev/null 2>&1; then',
    '    useradd -m -U -s /bin/bash -c "$3" "$1"',
    '  else',
    '    useradd -m -U -u "$2" -s /bin/bash -c "$3" "$1"',
    '  fi',
    '  if [ -n "$4" ]; then printf \'%s:%s\\n\' "$1" "$4" | chpasswd; else echo "$1: set the password with  sudo passwd $1"; fi',
    '  for d in Maildir Maildir/cur Maildir/new Maildir/tmp; do',
    '    install -d -m 700 -o "$1" -g "$1" "/home/$1/$d"',
    '  done',
    '}',
    // chpasswd reads one user:password per line: a password with a line break is set by hand
    ...users.map(([user, entry]) => `add_user ${shellQuote(user)} ${uidOf(host, user)} ${shellQuote((entry.name ?? '').replace(/[:\r\n]/g, ' '))} ${shellQuote(/[\r\n\0]/.test(entry.password) ? '' : entry.password)}`),
  ];
  return { path: 'accounts.sh', text: `${lines.join('\n')}\n`, mode: 0o755 };
}
