// Every fuzz target, by name, in the order `npm run fuzz` runs them.
import type { Target } from './target.ts';
import { smtpTarget } from './targets/smtp.ts';
import { pop3Target } from './targets/pop3.ts';
import { imapTarget } from './targets/imap.ts';
import { dnsUdpTarget, dnsTcpTarget } from './targets/dns.ts';
import { zoneTarget, topologyTarget, scenarioTarget } from './targets/loaders.ts';

export const TARGETS: Target[] = [smtpTarget, pop3Target, imapTarget, dnsUdpTarget, dnsTcpTarget, zoneTarget, topologyTarget, scenarioTarget];

export function targetNamed(name: string): Target {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no fuzz target "${name}"; the targets are ${TARGETS.map((t) => t.name).join(', ')}`);
  return target;
}
