import { crypto } from '../node-builtins.ts';
import type { Host } from './types.ts';

export interface Account {
  /** the local part, which is also the mailbox name: lee */
  user: string;
  /** the primary address: lee@naver.com */
  address: string;
  password: string;
  name?: string;
}

/** The account a login name means on this host: the local part (lee) or a full address (lee@naver.com). */
export function findAccount(host: Host, login: string): Account | undefined {
  const mail = host.mail;
  if (!mail) return undefined;
  // NFC: a Korean name typed on a Mac arrives decomposed (NFD) and must still be the same user
  const lower = login.trim().normalize('NFC').toLowerCase();
  let user = lower;
  const at = lower.lastIndexOf('@');
  if (at >= 0) {
    const domain = lower.slice(at + 1);
    if (!mail.domains.includes(domain)) return undefined;
    user = lower.slice(0, at);
  }
  const entry = Object.hasOwn(mail.users, user) ? mail.users[user] : undefined;
  if (!entry) return undefined;
  return { user, address: `${user}@${mail.domains[0]}`, password: entry.password, name: entry.name };
}

/** Check a login; the comparison takes the same time whatever the password. */
export function checkLogin(host: Host, login: string, password: string): Account | undefined {
  const account = findAccount(host, login);
  const expected = Buffer.from(account?.password ?? 'x'.repeat(32));
  const given = Buffer.from(password);
  const same = expected.length === given.length && crypto.timingSafeEqual(expected, given);
  return account && same ? account : undefined;
}

/** The local user an address delivers to on this host, if the domain is one of the host's and the user exists. */
export function localUser(host: Host, address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  const domain = address.slice(at + 1).toLowerCase();
  if (!host.mail?.domains.includes(domain)) return undefined;
  return findAccount(host, address)?.user;
}

/** Whether this host takes mail for the domain (sendmail's local-host-names). */
export function servesDomain(host: Host, domain: string): boolean {
  return host.mail?.domains.includes(domain.toLowerCase()) ?? false;
}
