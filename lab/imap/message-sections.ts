import type { Section } from './fetch-items.ts';
import { parseMessage, parseHeaderBlock, partAt, type HeaderField, type MimePart } from '../mailbox/mime.ts';

// BODY[section] cut out of the message's bytes (RFC 3501 section 6.4.5): the whole message,
// HEADER, TEXT, HEADER.FIELDS (NOT), and numbered parts with their MIME headers. Only what a
// section needs is parsed: BODY[] and BODY[HEADER] are a slice of the file.

const CRLF = Buffer.from('\r\n');

/** The section's bytes, or undefined when the message has no such part (NIL). */
export function sectionBytes(data: Buffer, headerSize: number, section: Section, parsed: { root?: MimePart }): Buffer | undefined {
  if (section.path.length === 0) {
    switch (section.kind) {
      case '':
        return data;
      case 'HEADER':
        return data.subarray(0, headerSize);
      case 'TEXT':
        return data.subarray(headerSize);
      default:
        return headerFields(data, parseHeaderBlock(data, 0, data.length).headers, section);
    }
  }
  parsed.root ??= parseMessage(data);
  const part = partAt(parsed.root, section.path);
  if (!part) return undefined;
  switch (section.kind) {
    case '':
      return data.subarray(part.bodyStart, part.end);
    case 'MIME':
      return data.subarray(part.start, part.bodyStart);
    default: {
      // HEADER, TEXT and HEADER.FIELDS of a part are those of the message it holds (message/rfc822)
      const message = part.message;
      if (!message) return undefined;
      if (section.kind === 'HEADER') return data.subarray(message.start, message.bodyStart);
      if (section.kind === 'TEXT') return data.subarray(message.bodyStart, message.end);
      return headerFields(data, message.headers, section);
    }
  }
}

/** HEADER.FIELDS (NOT): the matching fields as they are, in order, and the blank line. */
function headerFields(data: Buffer, headers: HeaderField[], section: Section): Buffer {
  const names = new Set(section.fields!.map((f) => f.toLowerCase()));
  const not = section.kind === 'HEADER.FIELDS.NOT';
  const pieces: Buffer[] = [];
  for (const field of headers) {
    if (names.has(field.name) === not) continue;
    const bytes = data.subarray(field.start, field.end);
    pieces.push(bytes);
    if (bytes[bytes.length - 1] !== 0x0a) pieces.push(CRLF);
  }
  pieces.push(CRLF);
  return Buffer.concat(pieces);
}
