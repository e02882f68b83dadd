// The lab's address plan: IPv4 arithmetic for the topology's subnet.

export function ipToNumber(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${address}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function inSubnet(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!(bits >= 0 && bits <= 32)) return false;
  let a: number, b: number;
  try {
    a = ipToNumber(address);
    b = ipToNumber(base);
  } catch {
    return false;
  }
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

/** Whether an address matches a sendmail access prefix such as "192.168.111" (whole octets). */
export function matchesPrefix(address: string, prefix: string): boolean {
  return address === prefix || address.startsWith(prefix.endsWith('.') ? prefix : `${prefix}.`);
}
