// Answers encoded once. The zones do not change while the lab runs, so the bytes of an answer
// depend only on the question (name without regard to case, type, class), on EDNS (none, or
// version 0 with the DO bit clear or set) and on how much fits; the ID, the RD bit and the
// question's letters as asked (RFC 1035 section 7.3 and the 0x20 trick of resolvers: the
// question is echoed exactly) are patched into a copy per query. Anything unusual in a query
// (other sections, options dns2 would decode, compression in the question, a label with a dot
// or a space, a trailing byte) takes the whole path of responder.ts, byte for byte as before.
import { Packet } from './dns-packet.ts';
import type { Authority } from './authority.ts';
import { answerMessage, respond, serverLines, udpLimit, type Reply, type Transport } from './responder.ts';

/** The parts of a plain query that decide its answer, read straight off the wire. */
export interface PlainQuery {
  /** the byte after the question name's root label */
  nameEnd: number;
  type: number;
  cls: number;
  /** 0: no OPT; 1: OPT version 0, DO clear; 2: DO set */
  edns: 0 | 1 | 2;
  /** the requester's UDP payload size (the OPT's class), when it sent one */
  udpSize: number;
}

const MAX_NAME = 255;
const OPT = 41;
const CLASSIC_UDP_SIZE = 512;

/**
 * A query the cache may answer: QR clear, opcode QUERY, one question and at most one OPT
 * (owner the root, extended RCODE and version 0, options that dns2 would only skip), nothing
 * after it. Labels hold printable ASCII other than the dot. undefined: take the whole path.
 */
export function readPlainQuery(b: Buffer): PlainQuery | undefined {
  const n = b.length;
  if (n < 17 || (b[2] & 0xf8) !== 0) return undefined;
  if (b[4] !== 0 || b[5] !== 1 || b[6] !== 0 || b[7] !== 0 || b[8] !== 0 || b[9] !== 0 || b[10] !== 0 || b[11] > 1) return undefined;
  let i = 12;
  let octets = 1;
  for (;;) {
    if (i >= n) return undefined;
    const len = b[i];
    if (len === 0) break;
    if (len > 63) return undefined; // a pointer or a reserved length: dns2 decides
    octets += len + 1;
    if (octets > MAX_NAME || i + 1 + len > n) return undefined;
    for (let j = i + 1; j <= i + len; j++) {
      const c = b[j];
      if (c < 0x21 || c > 0x7e || c === 0x2e) return undefined;
    }
    i += 1 + len;
  }
  if (i === 12) return undefined; // the root: rare enough to go the whole way
  const nameEnd = i + 1;
  let p = nameEnd + 4;
  if (p > n) return undefined;
  const type = b.readUInt16BE(nameEnd);
  const cls = b.readUInt16BE(nameEnd + 2);
  if (b[11] === 0) return p === n ? { nameEnd, type, cls, edns: 0, udpSize: 0 } : undefined;
  if (p + 11 > n || b[p] !== 0 || b.readUInt16BE(p + 1) !== OPT) return undefined;
  const udpSize = b.readUInt16BE(p + 3);
  if (b[p + 5] !== 0 || b[p + 6] !== 0) return undefined; // extended RCODE, version (BADVERS is the whole path's)
  const edns = (b[p + 7] & 0x80) !== 0 ? 2 : 1;
  const end = p + 11 + b.readUInt16BE(p + 9);
  if (end !== n) return undefined;
  for (p += 11; p < end; ) {
    if (p + 4 > end) return undefined;
    const code = b.readUInt16BE(p);
    if (Packet.EDNS_OPTION_NAME[code] !== undefined) return undefined; // dns2 decodes these (ECS, EDE) and may object
    p += 4 + b.readUInt16BE(p + 2);
    if (p > end) return undefined;
  }
  return { nameEnd, type, cls, edns, udpSize };
}

/** One encoding of an answer: as it was sent to the first asker, with the lines its transcript shows. */
interface Encoded {
  bytes: Buffer;
  truncated: boolean;
  lines: string[];
}

interface Entry {
  /** asked again since eviction last passed it */
  used: boolean;
  type: string;
  rcode: string;
  /** every record: over TCP, and over UDP when it fits */
  whole: Encoded;
  /** without the additional section (RFC 2181 section 9); only when the whole is over 512 bytes */
  bare?: Encoded;
  /** the question alone with TC set; only when the bare one is over 512 bytes too */
  cut?: Encoded;
}

export class AnswerCache {
  private readonly authority: Authority;
  private readonly entries = new Map<string, Entry>();
  /** most answers kept; the least recently asked goes first (a flood of random names stays bounded) */
  readonly maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(authority: Authority, options: { maxEntries?: number } = {}) {
    this.authority = authority;
    this.maxEntries = options.maxEntries ?? 4096;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The same reply respond() gives, from a copy of the cached answer when the query is plain. */
  respond(bytes: Buffer, transport: Transport): Reply {
    const query = readPlainQuery(bytes);
    if (!query) return this.whole(bytes, transport);
    // the name's wire bytes in lower case (labels are printable ASCII, lengths are below 64):
    // the same name whatever its case, as Authority and dns2's name compression see it
    const key = `${bytes.toString('latin1', 12, query.nameEnd).toLowerCase()}:${query.type}:${query.cls}:${query.edns}`;
    let entry = this.entries.get(key);
    if (entry) {
      this.hits++;
      entry.used = true;
    } else {
      entry = this.encode(bytes);
      if (!entry) return this.whole(bytes, transport);
      this.misses++;
      this.entries.set(key, entry);
      if (this.entries.size > this.maxEntries) this.evict();
    }
    const encoded = transport === 'tcp' ? entry.whole : fitted(entry, udpLimit(query.edns ? query.udpSize : undefined));
    const out = Buffer.allocUnsafe(encoded.bytes.length);
    out.set(encoded.bytes);
    out[0] = bytes[0]; // the ID
    out[1] = bytes[1];
    out[2] = (out[2] & 0xfe) | (bytes[2] & 0x01); // RD copied (RFC 1035 section 4.1.1)
    for (let i = 12; i < query.nameEnd; i++) out[i] = bytes[i]; // the question's name with the asker's letters
    return new CachedReply(out, entry, encoded, bytes, query.nameEnd);
  }

  /**
   * Least recently asked out, the clock way (no reordering on every hit): from the oldest, an
   * entry asked since it was last passed gets another round at the end, the first one not asked goes.
   */
  private evict(): void {
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.entries.set(key, entry);
    }
  }

  private whole(bytes: Buffer, transport: Transport): Reply {
    return respond(bytes, this.authority, transport);
  }

  /** Encode the answer to a plain query as fitDatagram would for every size it may be asked to fit. */
  private encode(bytes: Buffer): Entry | undefined {
    const built = answerMessage(bytes, this.authority);
    if ('truncated' in built) return undefined;
    const { response, question, rcode } = built;
    const encoded = (): Encoded => {
      const out = response.toBuffer();
      const truncated = response.header.tc === 1;
      return { bytes: out, truncated, lines: serverLines({ question, rcode, response, truncated }) };
    };
    const entry: Entry = { used: false, type: question.type, rcode, whole: encoded() };
    // the steps of fitDatagram, each kept: an asker's limit is never below 512
    if (entry.whole.bytes.length > CLASSIC_UDP_SIZE) {
      response.additionals = response.additionals.filter((r) => r.type === OPT);
      entry.bare = encoded();
      if (entry.bare.bytes.length > CLASSIC_UDP_SIZE) {
        response.header.tc = 1;
        response.answers = [];
        response.authorities = [];
        entry.cut = encoded();
      }
    }
    return entry;
  }
}

/** A reply from the cache; the question's name is spelled out only when a trace hop wants it. */
class CachedReply implements Reply {
  readonly bytes: Buffer;
  readonly rcode: string;
  readonly truncated: boolean;
  readonly lines: string[];
  private readonly entry: Entry;
  private readonly request: Buffer;
  private readonly nameEnd: number;
  private asked: { name: string; type: string } | undefined;

  constructor(bytes: Buffer, entry: Entry, encoded: Encoded, request: Buffer, nameEnd: number) {
    this.bytes = bytes;
    this.rcode = entry.rcode;
    this.truncated = encoded.truncated;
    this.lines = encoded.lines;
    this.entry = entry;
    this.request = request;
    this.nameEnd = nameEnd;
  }

  get question(): { name: string; type: string } {
    return (this.asked ??= { name: nameOf(this.request, this.nameEnd), type: this.entry.type });
  }
}

function fitted(entry: Entry, limit: number): Encoded {
  if (entry.whole.bytes.length <= limit) return entry.whole;
  if (entry.bare!.bytes.length <= limit) return entry.bare!;
  return entry.cut!;
}

/** The question's name as dns2 decodes it: labels as Latin-1 text joined by dots. */
function nameOf(bytes: Buffer, nameEnd: number): string {
  let name = '';
  for (let i = 12; i < nameEnd - 1; ) {
    const len = bytes[i];
    if (name) name += '.';
    name += bytes.toString('latin1', i + 1, i + 1 + len);
    i += 1 + len;
  }
  return name;
}
