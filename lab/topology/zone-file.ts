// BIND zone-file parser (RFC 1035 section 5). Written by the DNS work; this header fixes the
// shapes the rest of the lab uses.

export type RecordType = 'SOA' | 'NS' | 'MX' | 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'PTR';

export type RecordData =
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 'NS'; host: string }
  | { type: 'MX'; preference: number; exchange: string }
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'TXT'; strings: string[] }
  | { type: 'PTR'; target: string };

/** One resource record; names are absolute, lower-case, without the trailing dot. */
export type ResourceRecord = { name: string; ttl: number; class: 'IN'; line: number } & RecordData;

export interface ZoneData {
  /** the zone's origin, e.g. naver.com */
  origin: string;
  file: string;
  records: ResourceRecord[];
}

export class ZoneFileError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.file = file;
    this.line = line;
  }
}

/** Parse a zone file's text. `origin` is the zone name from the topology ($ORIGIN may change it). */
export function parseZone(text: string, origin: string, file = '<zone>'): ZoneData {
  throw new ZoneFileError(file, 0, 'zone parser not written yet');
}
