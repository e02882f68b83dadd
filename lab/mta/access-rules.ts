// sendmail's two tables, read from the topology: local-host-names (the domains this host takes
// mail for: `mail.domains`) and access (`Connect:192.168.111 RELAY`: `mail.relay`). The listener
// asks here at RCPT time who may send what.
import type { Host } from '../topology/types.ts';
import type { Peer } from '../net/lab-net.ts';
import { OUTSIDE } from '../net/lab-net.ts';
import { isPostmaster, mailboxAccount } from './postmaster.ts';
import { parseMailbox, type Mailbox, type RelayTrick } from './address.ts';

/** An SMTP reply: code, enhanced status code (RFC 3463), text. */
export interface Reply {
  code: number;
  enhanced: string;
  text: string;
}

export type RefusalReason = 'relay-denied' | 'user-unknown' | 'syntax';

export type RecipientDecision =
  | { accept: true; route: 'local'; mailbox: Mailbox; user: string }
  | { accept: true; route: 'relay'; mailbox: Mailbox }
  | { accept: false; reason: RefusalReason; reply: Reply; trick?: RelayTrick };

export type SenderDecision = { accept: true; address: string } | { accept: false; reply: Reply };

/** What the session knows about its client when a recipient is checked. */
export interface Client {
  /** the access table lets this peer relay (Connect:<its address> RELAY) */
  relay: boolean;
  /** the login of an AUTH that succeeded */
  authenticated?: string;
  /** the RCPT command carried a source route (stripped before the address got here) */
  sourceRoute?: boolean;
}

export class AccessRules {
  readonly host: Host;
  private readonly domains: Set<string>;
  private readonly relayPrefixes: string[];
  /** the lab subnet (192.168.111.0/24) as a number and mask, for telling lab addresses apart */
  private readonly network: { base: number; mask: number } | undefined;

  constructor(host: Host, network?: string) {
    if (!host.mail) throw new Error(`${host.name} has no "mail:" section: it runs no MTA`);
    this.host = host;
    this.domains = new Set(host.mail.domains.map((d) => d.toLowerCase()));
    this.relayPrefixes = host.mail.relay;
    this.network = network ? parseCidr(network) : undefined;
  }

  /**
   * sendmail's `Connect:<prefix> RELAY`: a prefix matches whole octets (192.168.111 matches
   * 192.168.111.132, not 192.168.1110.1). Lab hosts are matched by their virtual address;
   * a computer outside the lab (a student's PC on the classroom LAN, a load tool on 127.0.0.1)
   * by its real one, so `Connect:127.0.0.1 RELAY` or `Connect:10.0.0 RELAY` lets it relay.
   * An outside peer whose real address lies in the lab's own subnet is no lab host (only they
   * have those addresses): in the containers runtime that is the Docker gateway, the runner
   * itself, and it gets nothing from the lab's own `Connect:192.168.111 RELAY`.
   */
  relayAllowed(peer: Peer): boolean {
    if (peer.host === OUTSIDE && this.inLabNetwork(peer.address)) return false;
    return this.relayPrefixes.some((prefix) => peer.address === prefix || peer.address.startsWith(`${prefix}.`));
  }

  private inLabNetwork(address: string): boolean {
    const n = ipv4Number(address);
    return this.network !== undefined && n !== undefined && ((n & this.network.mask) >>> 0) === this.network.base;
  }

  /** local-host-names, plus the host's own address literal (`lee@[192.168.111.100]`). */
  isLocal(mailbox: Mailbox): boolean {
    if (mailbox.literal !== undefined) return mailbox.literal === this.host.address;
    return this.domains.has(mailbox.domain);
  }

  checkSender(path: string): SenderDecision {
    // The null reverse-path (bounces, RFC 5321 section 4.5.5) is always welcome.
    if (path === '') return { accept: true, address: '' };
    const parsed = parseMailbox(path);
    if (!parsed.ok) return { accept: false, reply: { code: 501, enhanced: '5.1.7', text: `<${path}>... Bad sender address syntax (${parsed.reason})` } };
    return { accept: true, address: parsed.mailbox.address };
  }

  checkRecipient(rawPath: string, client: Client): RecipientDecision {
    // RFC 5321 section 4.5.1: a bare "postmaster" means the postmaster of this host.
    const path = isPostmaster(rawPath) ? `postmaster@${this.host.mail!.domains[0]}` : rawPath;
    const parsed = parseMailbox(path);
    if (!parsed.ok) {
      return { accept: false, reason: 'syntax', reply: { code: 501, enhanced: '5.1.3', text: `<${path}>... Bad recipient address syntax (${parsed.reason})` } };
    }
    const { mailbox, tricks } = parsed;
    const mayRelay = client.relay || client.authenticated !== undefined;
    const denied = (trick?: RelayTrick): RecipientDecision => ({
      accept: false,
      reason: 'relay-denied',
      trick,
      reply: { code: 550, enhanced: '5.7.1', text: `<${path}>... Relaying denied` },
    });
    const unknown: RecipientDecision = { accept: false, reason: 'user-unknown', reply: { code: 550, enhanced: '5.1.1', text: `<${mailbox.address}>... User unknown` } };

    if (this.isLocal(mailbox)) {
      // lee%naver.com@daum.net, naver.com!lee@daum.net, "lee@naver.com"@daum.net: an address of
      // ours that asks to be sent on. The lab never routes on these: from a peer without relay
      // rights it is a relay attempt, from one with rights simply a user we do not have.
      if (tricks.length > 0) return mayRelay ? unknown : denied(tricks[0]);
      const account = mailboxAccount(this.host, mailbox.local);
      if (!account) return unknown;
      // Local parts of our users are case-blind (lee, LEE): deliver to the account's own spelling.
      // Postmaster keeps its name (Delivered-To: postmaster@naver.com) and lands in its user's mailbox.
      const local = isPostmaster(mailbox.local) ? 'postmaster' : account.user;
      const own = { ...mailbox, local, address: `${local}@${mailbox.domain}` };
      return { accept: true, route: 'local', mailbox: own, user: account.user };
    }
    if (!mayRelay) return denied(tricks[0] ?? (client.sourceRoute ? 'source-route' : undefined));
    // A relay-allowed client may send anywhere; a '%' in a foreign local part is that domain's business.
    return { accept: true, route: 'relay', mailbox };
  }
}

function ipv4Number(address: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  return m.slice(1).reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;
}

function parseCidr(cidr: string): { base: number; mask: number } | undefined {
  const [address, bits] = cidr.split('/');
  const base = ipv4Number(address);
  const width = Number(bits);
  if (base === undefined || !(width >= 0 && width <= 32)) return undefined;
  const mask = width === 0 ? 0 : (0xffffffff << (32 - width)) >>> 0;
  return { base: (base & mask) >>> 0, mask };
}
