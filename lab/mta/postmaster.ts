// RFC 5321 section 4.5.1: every SMTP server takes mail for "postmaster" (with or without a
// domain, in any case), and it must reach a person. The topology names whose mailbox that is
// (mail.postmaster); without it, the host's first user's.
import type { Host } from '../topology/types.ts';
import { findAccount, type Account } from '../topology/accounts.ts';

/** The user whose mailbox takes postmaster's mail on this host, if the host has users. */
export function postmasterUser(host: Host): string | undefined {
  const mail = host.mail;
  if (!mail) return undefined;
  return mail.postmaster ?? Object.keys(mail.users)[0];
}

export function isPostmaster(local: string): boolean {
  return local.toLowerCase() === 'postmaster';
}

/** The account a local part delivers to here: a user, or postmaster's mailbox. */
export function mailboxAccount(host: Host, local: string): Account | undefined {
  if (local.startsWith('"')) return undefined;
  if (isPostmaster(local)) {
    const user = postmasterUser(host);
    return user === undefined ? undefined : findAccount(host, user);
  }
  return findAccount(host, local);
}
