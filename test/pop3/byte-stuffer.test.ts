// The byte-stuffer (server side) against a plain line-by-line model, for every way a file can be
// cut into reads; and the POP3 client against a server that sends its answers a byte at a time.
import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ByteStuffer } from '../../lab/pop3/byte-stuffer.ts';
import { Pop3Client } from '../../lab/client/pop3-client.ts';

/** What RFC 1939 asks, written the obvious way: CRLF line ends, "." doubled at a line start; TOP's cut. */
function model(stored: string, bodyLines = Infinity): string {
  let lines = stored.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const blank = lines.indexOf('');
  if (bodyLines !== Infinity && blank >= 0) lines = lines.slice(0, blank + 1 + bodyLines);
  return lines.map((l) => (l.startsWith('.') ? `.${l}\r\n` : `${l}\r\n`)).join('');
}

function stuff(stored: Buffer, cuts: number[], bodyLines?: number): { out: string; stuffer: ByteStuffer } {
  const stuffer = new ByteStuffer(bodyLines);
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, stored.length]) {
    parts.push(stuffer.push(stored.subarray(from, cut)));
    from = cut;
  }
  parts.push(stuffer.end());
  return { out: Buffer.concat(parts).toString('latin1'), stuffer };
}

const SAMPLES = [
  'Subject: a\r\n\r\nbody\r\n',
  'Subject: a\n\n.\n..\n.x\nend',
  'Subject: a\r\nX: b\r\n\r\n.\r\n\r\n..\r\nlast\r\n',
  '.Header-looking: line\r\n\r\n.body\r\n',
  'Subject: only header\r\n',
  'Subject: cr\r\r\n\r\nx\r\n',
  'S: x\n\nmixed\r\nends\nhere\r\n.\n',
];

describe('ByteStuffer', () => {
  it('matches the model for every single cut and every pair of cuts', () => {
    for (const sample of SAMPLES) {
      const stored = Buffer.from(sample, 'latin1');
      for (const bodyLines of [undefined, 0, 1, 2]) {
        const expected = model(sample, bodyLines ?? Infinity);
        for (let i = 0; i <= stored.length; i++) {
          for (let j = i; j <= stored.length; j++) {
            expect(stuff(stored, [i, j], bodyLines).out, `${JSON.stringify(sample)} cut at ${i},${j} top ${bodyLines}`).toBe(expected);
          }
        }
      }
    }
  });

  it('gives the same bytes written into one buffer (RETR\'s first read) as chunk by chunk, after any prefix', () => {
    for (const sample of SAMPLES) {
      const stored = Buffer.from(sample, 'latin1');
      for (const bodyLines of [undefined, 0, 1, 2]) {
        const expected = model(sample, bodyLines ?? Infinity);
        for (let i = 0; i <= stored.length; i++) {
          const stuffer = new ByteStuffer(bodyLines);
          const first = stored.subarray(0, i);
          const target = Buffer.alloc(4 + first.length * 2, 0x7e);
          target.write('+OK ');
          const at = stuffer.pushInto(first, target, 4);
          const out = Buffer.concat([target.subarray(4, at), stuffer.push(stored.subarray(i)), stuffer.end()]);
          expect(target.subarray(0, 4).toString(), 'the prefix is left as it was').toBe('+OK ');
          expect(out.toString('latin1'), `${JSON.stringify(sample)} first read ${i} top ${bodyLines}`).toBe(expected);
        }
      }
    }
  });

  it('counts the octets sent without the stuffing dots, keeps the header and counts lines', () => {
    const sample = 'From: a\nSubject: b\n\n.one\ntwo\nthree';
    const { out, stuffer } = stuff(Buffer.from(sample), [3, 17]);
    expect(stuffer.octets).toBe(out.length - 1); // one stuffed dot
    expect(stuffer.headerLines).toEqual(['From: a', 'Subject: b']);
    expect(stuffer.headerLineCount).toBe(2);
    expect(stuffer.bodyLineCount).toBe(3);
  });

  it('gives the same header lines for the trace however the file is cut into reads', () => {
    for (const sample of SAMPLES) {
      const stored = Buffer.from(sample, 'latin1');
      const lines = sample.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      const header = lines.slice(0, lines.indexOf('') < 0 ? lines.length : lines.indexOf('')).filter((l) => l !== '');
      for (let i = 0; i <= stored.length; i++) {
        for (let j = i; j <= stored.length; j++) {
          const { stuffer } = stuff(stored, [i, j]);
          expect(stuffer.headerLines, `${JSON.stringify(sample)} cut at ${i},${j}`).toEqual(header);
          expect(stuffer.headerLineCount).toBe(header.length);
        }
      }
    }
  });

  it('hands a chunk that needs no change back as it is (no copy)', () => {
    const chunk = Buffer.from('Subject: a\r\n\r\nplain\r\n');
    expect(new ByteStuffer().push(chunk)).toBe(chunk);
  });

  it('keeps only the start of an endless header line', () => {
    const stuffer = new ByteStuffer();
    for (let i = 0; i < 100; i++) stuffer.push(Buffer.alloc(10_000, 'h'));
    stuffer.push(Buffer.from('\r\n\r\n'));
    expect(stuffer.headerLines[0].length).toBe(998);
  });
});

describe('Pop3Client against answers cut into single bytes', () => {
  it('parses status lines, multi-line data, stuffing and pipelined answers', async () => {
    const script = [
      '+OK hello\r\n',
      '+OK 2 messages\r\n1 10\r\n2 20\r\n.\r\n',
      '+OK\r\n..dot\r\nplain\r\n...\r\n.\r\n',
      '+OK empty\r\n.\r\n',
      '-ERR no such message\r\n',
      '+OK bye\r\n',
    ].join('');
    const server = net.createServer(async (socket) => {
      socket.on('error', () => undefined);
      socket.resume(); // read (and ignore) the commands, so the client's close is seen
      for (const byte of Buffer.from(script)) {
        // one byte per write, each waiting for the last to leave
        await new Promise<void>((resolve) => socket.write(Buffer.from([byte]), () => resolve()));
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    const client = new Pop3Client(socket, { timeoutMs: 20_000 });
    expect(await client.greeting()).toBe('hello');
    const [list, retr, empty, err, quit] = client.pipeline([
      { line: 'LIST', expect: 'multi' },
      { line: 'RETR 1', expect: 'multi' },
      { line: 'RETR 2', expect: 'multi' },
      { line: 'RETR 3', expect: 'multi' },
      { line: 'QUIT', expect: 'single' },
    ]);
    expect((await list).data!.toString()).toBe('1 10\r\n2 20\r\n');
    expect((await retr).data!.toString()).toBe('.dot\r\nplain\r\n..\r\n');
    expect((await empty).data!.length).toBe(0);
    expect((await err).status).toBe('-ERR no such message');
    expect((await quit).text).toBe('bye');
    expect(client.exchanges.map((e) => e.command)).toEqual(['', 'LIST', 'RETR 1', 'RETR 2', 'RETR 3', 'QUIT']);
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
