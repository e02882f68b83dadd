// One DNS message in, one out: the checks RFC 1035 section 4.1.1 and RFC 6891 ask of a server,
// the answer from the zones, and the fitting into a UDP datagram. No sockets here.
import { Packet } from './dns-packet.ts';
import type { Resource } from './dns-packet.ts';
import type { ResourceRecord } from '../topology/zone-file.ts';
import type { Authority, Rcode, ZoneAnswer } from './authority.ts';
import { answerLines, recordLine } from '../net/resolver.ts';

export type Transport = 'udp' | 'tcp';

export interface Reply {
  /** the bytes to send back; undefined when the message gets no answer at all */
  bytes?: Buffer;
  /** the question as asked, when the message had a readable one */
  question?: { name: string; type: string };
  /** what was answered: an RCODE name, or 'dropped' */
  rcode: string;
  response?: Packet;
  /** TC was set: the answer did not fit a UDP datagram */
  truncated: boolean;
  /** the answer as the transcript shows it (dig's lines), when it was worked out already (a cached answer) */
  lines?: string[];
}

/** RFC 1035 section 4.2.1: UDP messages without EDNS carry at most 512 bytes. */
const CLASSIC_UDP_SIZE = 512;
/** What we accept and offer with EDNS (the 2020 DNS flag day's size, safe on any path). */
const EDNS_UDP_SIZE = 1232;
const BADVERS = 16;
const META_NOT_IMPLEMENTED = new Set<number>([Packet.TYPE.MAILA, Packet.TYPE.MAILB]);
const ZONE_TRANSFERS = new Set<number>([Packet.TYPE.AXFR, 251 /* IXFR */]);

export function respond(bytes: Buffer, authority: Authority, transport: Transport): Reply {
  const built = answerMessage(bytes, authority);
  if ('truncated' in built) return built;
  const { response, question, rcode, opt } = built;
  if (transport === 'tcp') return { bytes: response.toBuffer(), question, rcode, response, truncated: false };
  const fitted = fitDatagram(response, udpLimit(opt?.class));
  return { bytes: fitted, question, rcode, response, truncated: response.header.tc === 1 };
}

/** What fits in a UDP answer to this query: 512 without EDNS, else the asker's size (the OPT's class) up to ours. */
export function udpLimit(ednsSize: number | undefined): number {
  return ednsSize !== undefined ? Math.min(Math.max(ednsSize, CLASSIC_UDP_SIZE), EDNS_UDP_SIZE) : CLASSIC_UDP_SIZE;
}

/** A query read and answered, not yet fitted to a transport; or the reply when there is no question to answer. */
export type Answered = { response: Packet; question: { name: string; type: string }; rcode: string; opt?: Resource } | Reply;

export function answerMessage(bytes: Buffer, authority: Authority): Answered {
  // Shorter than a header: there is no ID to answer to. A set QR bit is a response, not a
  // query; answering it could start a loop between two servers. Both are dropped.
  if (bytes.length < Packet.HEADER_SIZE || (bytes[2] & 0x80) !== 0) return { rcode: 'dropped', truncated: false };
  let request: Packet;
  try {
    request = Packet.parse(bytes);
  } catch {
    return formErr(bytes);
  }
  const opts = request.additionals.filter((r) => r.type === Packet.TYPE.EDNS);
  // RFC 6891 section 6.1.1: more than one OPT record is a format error; a request with one
  // gets one back, FORMERR or not
  if (opts.length > 1) return formErr(bytes);
  const opt = opts[0];
  if (request.errors.length || request.questions.length !== 1) return formErr(bytes, opt);
  const q = request.questions[0];
  const question = { name: q.name, type: Packet.typeName(q.type) };

  let answer: ZoneAnswer;
  let rcode: Rcode | 'BADVERS';
  if (request.header.opcode !== 0) rcode = 'NOTIMP'; // only QUERY; no IQUERY, STATUS, NOTIFY, UPDATE
  else if (opt && (opt.version ?? 0) !== 0) rcode = 'BADVERS'; // RFC 6891 section 6.1.3
  else if (q.type === Packet.TYPE.EDNS) rcode = 'FORMERR'; // OPT is not a question (RFC 6891 section 6.1.1)
  else if (q.class !== Packet.CLASS.IN && q.class !== Packet.CLASS.ANY) rcode = 'REFUSED'; // we hold no data of other classes
  else if (ZONE_TRANSFERS.has(q.type)) rcode = 'REFUSED'; // no zone transfers out of the lab
  else if (META_NOT_IMPLEMENTED.has(q.type)) rcode = 'NOTIMP';
  else rcode = 'NOERROR';
  if (rcode === 'NOERROR') {
    answer = authority.answer(q.name, question.type);
    rcode = answer.rcode;
  } else {
    answer = { rcode: 'NOERROR', authoritative: false, answers: [], authority: [], additional: [] };
  }

  const response = new Packet();
  response.header = new Packet.Header({
    id: request.header.id,
    qr: 1,
    opcode: request.header.opcode,
    aa: answer.authoritative ? 1 : 0,
    rd: request.header.rd,
    ra: 0, // never recursive: the lab is not an open resolver
    rcode: rcode === 'BADVERS' ? BADVERS : Packet.RCODE[rcode],
  });
  response.questions = [q];
  response.answers = answer.answers.map(toWire);
  response.authorities = answer.authority.map(toWire);
  response.additionals = answer.additional.map(toWire);
  // RFC 6891 section 6.1.1: answer EDNS with EDNS, version 0, our own payload size; BADVERS
  // (16) goes out as extended RCODE 1 in the OPT and 0 in the header (dns2 splits it, section
  // 6.1.3). RFC 3225 section 3: the DO bit of the query is copied into the response (the lab
  // signs nothing, so no RRSIGs follow).
  if (opt) response.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: EDNS_UDP_SIZE, doFlag: opt.doFlag === true }));
  return { response, question, rcode, opt };
}

/**
 * RFC 2181 section 9: the additional section may be dropped without setting TC; when the answer
 * itself does not fit, send the question alone with TC set so the asker retries over TCP.
 */
export function fitDatagram(response: Packet, limit: number): Buffer {
  let bytes = response.toBuffer();
  if (bytes.length <= limit) return bytes;
  const opt = response.additionals.filter((r) => r.type === Packet.TYPE.EDNS);
  response.additionals = opt;
  bytes = response.toBuffer();
  if (bytes.length <= limit) return bytes;
  response.header.tc = 1;
  response.answers = [];
  response.authorities = [];
  return response.toBuffer();
}

/** The server's side of a transcript: the answer's records as dig prints them, or the TC notice. */
export function serverLines(reply: Reply): string[] {
  if (reply.lines) return reply.lines;
  if (!reply.question || !reply.response) return [reply.rcode];
  if (reply.truncated) return ['TC: the answer does not fit a UDP datagram; ask again over TCP'];
  const lines = answerLines(reply.response);
  for (const r of reply.response.additionals) if (r.type !== 41 /* OPT */) lines.push(recordLine(r));
  return lines;
}

/** A format error keeps the query's ID and opcode; there is no question we could echo. */
function formErr(bytes: Buffer, opt?: { doFlag?: boolean }): Reply {
  const response = new Packet();
  response.header = new Packet.Header({
    id: bytes.readUInt16BE(0),
    qr: 1,
    opcode: (bytes[2] >> 3) & 0x0f,
    rd: (bytes[2] & 0x01) as 0 | 1,
    rcode: Packet.RCODE.FORMERR,
  });
  if (opt) response.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: EDNS_UDP_SIZE, doFlag: opt.doFlag === true }));
  return { bytes: response.toBuffer(), rcode: 'FORMERR', response, truncated: false };
}

function toWire(r: ResourceRecord): Resource {
  const base = { name: r.name, type: Packet.TYPE[r.type], class: Packet.CLASS.IN, ttl: r.ttl };
  switch (r.type) {
    case 'SOA':
      return new Packet.Resource({ ...base, primary: r.mname, admin: r.rname, serial: r.serial, refresh: r.refresh, retry: r.retry, expiration: r.expire, minimum: r.minimum });
    case 'NS':
      return new Packet.Resource({ ...base, ns: r.host });
    case 'MX':
      return new Packet.Resource({ ...base, priority: r.preference, exchange: r.exchange });
    case 'A':
    case 'AAAA':
      return new Packet.Resource({ ...base, address: r.address });
    case 'CNAME':
    case 'PTR':
      return new Packet.Resource({ ...base, domain: r.target });
    case 'TXT':
      return new Packet.Resource({ ...base, data: r.strings });
  }
}
