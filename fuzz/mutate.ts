// Mutation of a valid session or file: a few edits at the byte or line level, the kinds that
// find parser bugs (a CR or LF or NUL in the wrong place, a number at its limit, a line cut in
// two or repeated many times, a delimiter doubled or lost).
import type { Random } from './random.ts';

const INTERESTING_BYTES = [0x00, 0x0a, 0x0d, 0x20, 0x09, 0xff, 0x80, 0x22, 0x5c, 0x7b, 0x7d, 0x28, 0x29, 0x3c, 0x3e, 0x3a, 0x40, 0x2e, 0x25, 0x2a, 0x5b, 0x5d, 0x2b, 0x3d, 0x7e];
const INTERESTING_NUMBERS = ['0', '-1', '1', '4294967295', '4294967296', '18446744073709551616', '99999999999999999999999', '65536', '2147483648', '1e9', 'NaN', '007'];

/** Apply 1 to `most` mutations to the bytes. */
export function mutateBytes(rng: Random, input: Buffer, most = 4, splices: Buffer[] = []): Buffer {
  let data = Buffer.from(input);
  const count = rng.int(1, most);
  for (let m = 0; m < count; m++) {
    const at = data.length ? rng.int(0, data.length - 1) : 0;
    switch (rng.int(0, 9)) {
      case 0: // flip a bit
        if (data.length) data[at] ^= 1 << rng.int(0, 7);
        break;
      case 1: // an interesting byte in
        data = Buffer.concat([data.subarray(0, at), Buffer.from([rng.pick(INTERESTING_BYTES)]), data.subarray(at)]);
        break;
      case 2: // a range out
        data = Buffer.concat([data.subarray(0, at), data.subarray(Math.min(data.length, at + rng.size(64) + 1))]);
        break;
      case 3: {
        // a range repeated (sometimes many times: floods, long lines)
        const end = Math.min(data.length, at + rng.size(40) + 1);
        const piece = data.subarray(at, end);
        const times = rng.chance(0.1) ? rng.int(100, 5000) : rng.int(2, 20);
        data = Buffer.concat([data.subarray(0, end), ...Array.from({ length: times }, () => piece), data.subarray(end)]);
        break;
      }
      case 4: // cut short
        data = data.subarray(0, at);
        break;
      case 5: {
        // a number replaced by one at a limit
        const text = data.toString('latin1');
        const numbers = [...text.matchAll(/\d+/g)];
        if (numbers.length) {
          const n = rng.pick(numbers);
          data = Buffer.from(text.slice(0, n.index) + rng.pick(INTERESTING_NUMBERS) + text.slice(n.index! + n[0].length), 'latin1');
        }
        break;
      }
      case 6: // random bytes in
        data = Buffer.concat([data.subarray(0, at), rng.bytes(rng.size(32) + 1), data.subarray(at)]);
        break;
      case 7: // a line of another valid session spliced in
        if (splices.length) data = Buffer.concat([data.subarray(0, at), rng.pick(splices), data.subarray(at)]);
        break;
      case 8: {
        // CRLF into a bare LF or CR, or the other way round
        const text = data.toString('latin1');
        const swapped = rng.chance(0.5) ? text.replace(/\r\n/g, () => (rng.chance(0.3) ? rng.pick(['\n', '\r', '\r\r\n', '\n\r']) : '\r\n')) : text.replace(/\n/g, '\r\n');
        data = Buffer.from(swapped, 'latin1');
        break;
      }
      default: // a byte overwritten
        if (data.length) data[at] = rng.int(0, 255);
    }
    // keep a case to a size a session can carry in well under a second
    if (data.length > 1 << 20) data = data.subarray(0, 1 << 20);
  }
  return data;
}

/** Line-level edits for text files (zones, YAML): lines repeated, dropped, swapped, cut. */
export function mutateLines(rng: Random, text: string, most = 3): string {
  let lines = text.split('\n');
  const count = rng.int(1, most);
  for (let m = 0; m < count && lines.length; m++) {
    const at = rng.int(0, lines.length - 1);
    switch (rng.int(0, 5)) {
      case 0:
        lines.splice(at, 0, lines[rng.int(0, lines.length - 1)]);
        break;
      case 1:
        lines.splice(at, 1);
        break;
      case 2: {
        const other = rng.int(0, lines.length - 1);
        [lines[at], lines[other]] = [lines[other], lines[at]];
        break;
      }
      case 3:
        lines[at] = lines[at].slice(0, rng.int(0, lines[at].length));
        break;
      case 4:
        lines[at] = rng.pick(['  ', '\t', '', '- ', '# ']) + lines[at];
        break;
      default:
        lines = lines.concat(lines.slice(at, at + rng.int(1, 5)));
    }
  }
  return lines.join('\n');
}

/** Cut a session's bytes into chunks as a network would (at random places, sometimes byte by byte). */
export function chunked(rng: Random, data: Buffer): Buffer[] {
  if (data.length === 0) return [];
  if (rng.chance(0.5)) return [data];
  const pieces: Buffer[] = [];
  let at = 0;
  const n = rng.int(2, 8);
  while (at < data.length) {
    const size = pieces.length >= n - 1 ? data.length - at : rng.int(1, Math.max(1, Math.ceil(data.length / n)));
    pieces.push(data.subarray(at, at + size));
    at += size;
  }
  return pieces;
}
