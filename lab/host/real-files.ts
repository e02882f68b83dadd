// Where each setting of the lab lives on the seed's real Ubuntu machines, and how the real file
// writes it. One place, so that a hop's "decided by" line (config-refs.ts) and the exported
// files (lab/export/) always name the same file and the same line.
import type { Host } from '../topology/types.ts';

export const REAL = {
  hostname: '/etc/hostname',
  hosts: '/etc/hosts',
  resolv: '/etc/resolv.conf',
  namedConfLocal: '/etc/bind/named.conf.local',
  localHostNames: '/etc/mail/local-host-names',
  access: '/etc/mail/access',
  sendmailMc: '/etc/mail/sendmail.mc',
  dovecot: '/etc/dovecot/local.conf',
  passwd: '/etc/passwd',
  procmailrc: '/etc/procmailrc',
} as const;

/** The seed's bind9 step names a zone file after its domain: /etc/bind/naver.com.db. */
export function zoneRealFile(origin: string): string {
  return `/etc/bind/${origin}.db`;
}

/** sendmail's access file grants relaying to a network prefix (whole octets). */
export function accessLine(prefix: string): string {
  return `Connect:${prefix}\tRELAY`;
}

/** The same line as a person reads it (one space), for the trace. */
export function accessText(prefix: string): string {
  return `Connect:${prefix} RELAY`;
}

/** The lab's users get uids from 1001 on (1000 is the machine's first, installing user). */
export function uidOf(host: Host, user: string): number {
  const users = Object.keys(host.mail?.users ?? {});
  const at = users.indexOf(user);
  return 1001 + (at < 0 ? users.length : at);
}

/** The /etc/passwd line `useradd` writes for a lab user. */
export function passwdLine(host: Host, user: string): string {
  const uid = uidOf(host, user);
  const name = (host.mail?.users[user]?.name ?? '').replace(/[:\r\n]/g, ' ');
  return `${user}:x:${uid}:${uid}:${name}:/home/${user}:/bin/bash`;
}

/** dovecot's protocols line: what the host serves of POP3 and IMAP. */
export function dovecotProtocols(host: Host): string {
  const protocols = (['pop3', 'imap'] as const).filter((p) => host.services[p] !== undefined);
  return `protocols = ${protocols.join(' ') || 'none'}`;
}

/** dovecot's plaintext setting, the one the lesson changes (no TLS in the lab). */
export function dovecotPlaintext(host: Host): string {
  return `disable_plaintext_auth = ${host.mail?.plaintextAuth === false ? 'yes' : 'no'}`;
}

/** The sendmail.mc line that lets logged-in users relay (SMTP AUTH). */
export const TRUST_AUTH = "TRUST_AUTH_MECH(`LOGIN PLAIN')dnl";
