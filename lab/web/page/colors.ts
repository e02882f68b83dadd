// One colour per protocol, the same in the list, the details and the figures.
export const PROTOCOL_COLORS: Record<string, string> = {
  SMTP: '#2563eb',
  DNS: '#9333ea',
  QUEUE: '#c2410c',
  MDA: '#047857',
  POP3: '#be185d',
  IMAP: '#0e7490',
  BOUNCE: '#dc2626',
  NET: '#4b5563',
  LAB: '#4b5563',
};

export function colorOf(protocol: string): string {
  return PROTOCOL_COLORS[protocol] ?? '#4b5563';
}
