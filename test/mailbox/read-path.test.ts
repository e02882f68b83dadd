// The read path of a folder: headers read without the rest of the file (LF and CRLF files,
// a header longer than the usual first read, no blank line), the bytes IMAP sends the same
// whether the index was built or not, a file vanishing between the look and the read, the
// headers kept in memory (header-cache.ts), CRLF
// conversion, and delivery order of names sorted with precomputed keys.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import fs from 'node:fs/promises';
import nodeFs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Maildir, UNKNOWN_TIME } from '../../lab/mailbox/maildir.ts';
import { toCrlf, hasBareLf } from '../../lab/mailbox/mime.ts';
import { summarize } from '../../lab/mailbox/message-summary.ts';
import { compareNames, sortByName } from '../../lab/mailbox/maildir-name.ts';

let root: string;
let box: Maildir;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-read-'));
  for (const d of ['new', 'cur', 'tmp']) await fs.mkdir(path.join(root, d));
  box = new Maildir(root);
});

afterEach(async () => {
  box.shutdown();
  await fs.rm(root, { recursive: true, force: true });
});

let n = 0;
/** A file as another writer (Postfix) puts it into new/: no ",S=" in its name. */
async function put(bytes: string | Buffer): Promise<string> {
  const name = `1700000000.V801I${++n}M1.mail.naver.com`;
  await fs.writeFile(path.join(root, 'new', name), bytes);
  return name;
}

const korean = 'Subject: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?=';

describe('headers read without the body', () => {
  for (const eol of ['\n', '\r\n']) {
    const label = eol === '\n' ? 'LF' : 'CRLF';
    it(`${label} file: the header in CRLF form, whether the index was built first or not`, async () => {
      const long = `X-Long: ${'y'.repeat(20000)}`; // longer than any first read
      const header = ['From: <kim@daum.net>', 'To: <lee@naver.com>', korean, long, 'Date: Mon, 1 Dec 2026 23:00:00 +0000', ''].join(eol);
      const body = Array.from({ length: 200 }, (_, i) => `line ${i}`).join(eol);
      await put(header + eol + body + eol);
      await box.sync();
      const rec = box.messages[0];
      // no entry yet: the whole message is read and its entry built
      const cold = box.header(rec)!;
      const crlfHeader = Buffer.from(header.split(eol).join('\r\n') + '\r\n');
      expect(cold.entry.headerSize).toBe(crlfHeader.length);
      expect(cold.data.subarray(0, cold.entry.headerSize).equals(crlfHeader)).toBe(true);
      expect(cold.entry.lf).toBe(eol === '\n' ? 1 : 0);
      // with the entry: only the header, already CRLF, nothing of the body
      const warm = box.header(rec)!;
      expect(warm.data.equals(crlfHeader)).toBe(true);
      expect(warm.data.includes('line 0')).toBe(false);
    });
  }

  it('a message with no blank line is all header, and reads back whole', async () => {
    await put('From: <kim@daum.net>\nSubject: no body');
    await box.sync();
    const rec = box.messages[0];
    const first = box.content(rec)!;
    expect(first.data.toString()).toBe('From: <kim@daum.net>\r\nSubject: no body');
    expect(box.header(rec)!.data.toString()).toBe(first.data.subarray(0, first.entry.headerSize).toString());
  });

  it('content is the same bytes on the first read (entry built) and later ones', async () => {
    await put(`From: <kim@daum.net>\n${korean}\n\nbody\n.\nend`);
    await box.sync();
    const rec = box.messages[0];
    const first = box.content(rec)!;
    const again = box.content(rec)!;
    expect(first.data.equals(again.data)).toBe(true);
    expect(first.data.toString()).toBe(`From: <kim@daum.net>\r\n${korean}\r\n\r\nbody\r\n.\r\nend`);
    expect(first.entry.vsize).toBe(first.data.length);
  });

  it('a file removed between the look and the read is gone, not an error; a header kept from before is still sent', async () => {
    const name = await put('From: <kim@daum.net>\n\nbye\n');
    await box.sync();
    const rec = box.messages[0];
    expect(box.entryOf(rec)).toBeDefined();
    await fs.rm(path.join(root, 'new', name));
    // the message is still in the session's view until it is told (RFC 2180 section 4.1): its
    // header, kept when the index entry was built, is what it was
    expect(box.header(rec)!.data.toString()).toBe('From: <kim@daum.net>\r\n\r\n');
    expect(box.content(rec)).toBeUndefined();
    box.headers.forget(rec.base);
    expect(box.header(rec)).toBeUndefined();
  });

  it('keeps the headers it read, each with its index entry, and opens no file for them again', async () => {
    const names = [await put('From: <kim@daum.net>\nSubject: one\n\nbody 1\n'), await put('From: <kim@daum.net>\r\nSubject: two\r\n\r\nbody 2\r\n')];
    await box.sync();
    const [one, two] = box.messages;
    // the first read builds the index entries (and gives the whole message, as content() does)
    expect(box.header(one)!.data.toString()).toContain('body 1');
    expect(box.header(two)!.data.toString()).toContain('body 2');
    const first = ['From: <kim@daum.net>\r\nSubject: one\r\n\r\n', 'From: <kim@daum.net>\r\nSubject: two\r\n\r\n'];
    expect(box.headers.size).toBe(2);
    const opened = vi.spyOn(nodeFs, 'openSync');
    try {
      expect([box.header(one)!.data.toString(), box.header(two)!.data.toString()]).toEqual(first);
      expect(opened).not.toHaveBeenCalled();
    } finally {
      opened.mockRestore();
    }
    // a header is kept with its index entry: an entry built again (the file is not the one
    // indexed) does not get the old one
    const old = box.index.get(one.base, one.size)!;
    box.index.forget(one.base);
    expect(box.header(one)!.data.toString()).toContain('body 1'); // read again, whole
    const rebuilt = box.index.get(one.base, one.size)!;
    expect(rebuilt).not.toBe(old);
    expect(box.headers.get(one.base, old)).toBeUndefined();
    expect(box.headers.get(one.base, rebuilt)!.toString()).toBe(first[0]);
    expect(names).toHaveLength(2);
  });
});

describe('CRLF', () => {
  it('makes every bare LF CRLF and leaves CRLF alone; the same buffer when nothing changes', () => {
    const cases = ['', '\n', 'a\nb', 'a\r\nb\n', '\n\n\r\n\n', 'x\r\n', 'no line end', '\r\n\r\n'];
    for (const text of cases) {
      const out = toCrlf(Buffer.from(text)).toString();
      expect(out).toBe(text.replace(/\r?\n/g, '\r\n'));
      expect(hasBareLf(Buffer.from(text))).toBe(out !== text);
    }
    const crlf = Buffer.from('a\r\nb\r\n');
    expect(toCrlf(crlf)).toBe(crlf);
  });
});

describe('delivery order', () => {
  it('sorts names as compareNames orders them, numbers as numbers', () => {
    const names = ['1700000000.M2P1Q10.h', '999999999.M1P1Q1.h', '1700000000.M2P1Q9.h', '1700000000.M2P1Q9.h,S=5', 'a', '1700000000.M02P1Q1.h', '1700000000.M2P1Q11.h', 'b1', 'b01'];
    const expected = [...names].sort(compareNames);
    expect(sortByName(names, (x) => x)).toEqual(expected);
    expect(expected.slice(0, 2)).toEqual(['999999999.M1P1Q1.h', '1700000000.M02P1Q1.h']);
  });
});

describe('POP3 sizes from an IMAP read', () => {
  it('an index entry built from the bytes gives the POP3 size a maildrop would count', async () => {
    const { Maildrop } = await import('../../lab/mailbox/maildrop.ts');
    const samples = ['Subject: a\n\nno last line end', 'Subject: b\r\n\r\nx\r\ny\n', '.\n\n..\n', 'Subject: c\r\n\r\nlast\r\n', `${korean}\n\n본문\n`];
    for (const s of samples) await put(s);
    await box.sync();
    for (const rec of box.messages) box.entryOf(rec);
    expect(box.messages.every((rec) => rec.pop3Size >= 0)).toBe(true);
    const fromImap = (await Maildrop.open(box)).messages.map((m) => m.size);
    const fresh = new Maildir(root);
    try {
      const counted = (await Maildrop.open(fresh)).messages.map((m) => m.size);
      expect(fromImap).toEqual(counted);
    } finally {
      fresh.shutdown();
    }
    // the sizes as RFC 1939 counts them: CRLF line ends, a last line given its CRLF
    expect(counted(samples)).toEqual(fromImap);
  });
});

function counted(samples: string[]): number[] {
  return samples.map((s) => {
    let crlf = s.replace(/\r?\n/g, '\r\n');
    if (s.length && !s.endsWith('\n')) crlf += '\r\n';
    return Buffer.byteLength(crlf);
  });
}

describe("a POP3 maildrop of another writer's files", () => {
  it('learns each file size while it counts the POP3 sizes, so RETR reads a message in one read of its size', async () => {
    const { Maildrop } = await import('../../lab/mailbox/maildrop.ts');
    const letter = Buffer.from(['From: <kim@daum.net>', 'To: <lee@naver.com>', 'Subject: hi', '', 'line 1', 'line 2', ''].join('\n'));
    await put(letter);
    await box.sync();
    // Postfix's name says no size
    expect(box.messages[0].size).toBe(-1);
    const drop = await Maildrop.open(box);
    expect(box.messages[0].size).toBe(letter.length);
    // POP3's size: a CR for each of the 6 bare LFs
    expect(drop.messages[0].size).toBe(letter.length + 6);
    const file = (await drop.openFile(drop.messages[0]))!;
    try {
      const first = file.read()!;
      expect(first.equals(letter)).toBe(true);
      expect(file.ended).toBe(true);
      expect(file.read()).toBeUndefined();
    } finally {
      file.close();
    }
  });
});

describe('reading leaves the access time alone', () => {
  // O_NOATIME: the first read of a file since it was written would write its inode back
  // (relatime), for an access time nothing in a Maildir uses
  it('a FETCH-like read does not change a file atime that a plain read would', async (ctx) => {
    const past = new Date('2026-01-01T00:00:00Z');
    const control = path.join(root, 'tmp', 'control');
    await fs.writeFile(control, 'x');
    await fs.utimes(control, past, new Date());
    nodeFs.readFileSync(control);
    // a file system mounted noatime updates nothing: there is nothing to show
    if ((await fs.stat(control)).atimeMs === past.getTime()) ctx.skip();
    const name = await put('Subject: atime\r\n\r\nbody\r\n');
    const file = path.join(root, 'new', name);
    await fs.utimes(file, past, new Date());
    await box.sync();
    expect(box.content(box.messages[0])!.data.toString()).toContain('body');
    expect((await fs.stat(file)).atimeMs).toBe(past.getTime());
  });

  it('opens files it may not open so (another owner) as usual after the first refusal', async () => {
    await put('Subject: owner\r\n\r\nbody\r\n');
    await box.sync();
    const real = nodeFs.openSync;
    const flags: number[] = [];
    const opened = vi.spyOn(nodeFs, 'openSync').mockImplementation(((file: nodeFs.PathLike, mode: nodeFs.OpenMode = 'r') => {
      if (typeof mode === 'number') flags.push(mode);
      if (typeof mode === 'number' && mode & nodeFs.constants.O_NOATIME) throw Object.assign(new Error(`EPERM: operation not permitted, open '${file}'`), { code: 'EPERM' });
      return real(file, mode);
    }) as typeof nodeFs.openSync);
    try {
      expect(box.content(box.messages[0])!.data.toString()).toContain('body');
      expect(box.content(box.messages[0])!.data.toString()).toContain('body');
    } finally {
      opened.mockRestore();
    }
    // one refused try, then plain opens only
    const { O_RDONLY, O_NOATIME } = nodeFs.constants;
    expect(flags).toEqual([O_RDONLY | O_NOATIME, O_RDONLY, O_RDONLY]);
  });
});

describe('an index entry built without a stat', () => {
  // a cold FETCH ENVELOPE opens, reads and closes each file: the stat is left out, and the
  // file's time (INTERNALDATE) is looked at when something asks for it
  it('reads a file in one read, no stat; INTERNALDATE is the file time, looked at once and kept in the index', async () => {
    const bytes = 'Subject: no stat\n\nbody\n';
    const name = await put(bytes);
    const when = new Date('2025-03-04T05:06:07Z');
    await fs.utimes(path.join(root, 'new', name), when, when);
    await box.sync();
    const rec = box.messages[0];
    const fstat = vi.spyOn(nodeFs, 'fstatSync');
    const stat = vi.spyOn(nodeFs, 'statSync');
    try {
      const entry = box.entryOf(rec)!;
      expect(fstat).not.toHaveBeenCalled();
      expect(entry.envelope).toContain('"no stat"');
      expect(entry.size).toBe(bytes.length);
      expect(rec.size).toBe(bytes.length);
      expect(entry.mtime).toBe(UNKNOWN_TIME);
      expect(box.internalDate(rec, entry)).toBe(when.getTime());
      expect(box.internalDate(rec, entry)).toBe(when.getTime());
      expect(stat).toHaveBeenCalledTimes(1);
    } finally {
      fstat.mockRestore();
      stat.mockRestore();
    }
    // saved with it: a new look at the folder reads the time from the index, not the file
    await box.saveIndex();
    const again = new Maildir(root);
    await again.sync();
    const kept = again.entryOf(again.messages[0])!;
    expect(kept.mtime).toBe(when.getTime());
    again.shutdown();
  });

  it('reads with the stat when the caller asks for the time too (FETCH ALL)', async () => {
    const name = await put('Subject: with time\n\nbody\n');
    const when = new Date('2025-03-04T05:06:07Z');
    await fs.utimes(path.join(root, 'new', name), when, when);
    await box.sync();
    const rec = box.messages[0];
    const stat = vi.spyOn(nodeFs, 'statSync');
    try {
      const entry = box.entryOf(rec, true)!;
      expect(entry.mtime).toBe(when.getTime());
      expect(box.internalDate(rec, entry)).toBe(when.getTime());
      expect(stat).not.toHaveBeenCalled();
    } finally {
      stat.mockRestore();
    }
  });

  it('a file larger than the scratch buffer is read whole, with its stat', async () => {
    const body = Array.from({ length: 9000 }, (_, i) => `line ${i} of a long letter`).join('\n');
    const bytes = `Subject: long\n\n${body}\n`;
    expect(bytes.length).toBeGreaterThan(128 * 1024);
    await put(bytes);
    await box.sync();
    const rec = box.messages[0];
    const entry = box.entryOf(rec)!;
    expect(entry.size).toBe(bytes.length);
    expect(entry.vsize).toBe(bytes.length + bytes.split('\n').length - 1);
    expect(entry.mtime).not.toBe(UNKNOWN_TIME);
    expect(box.content(rec)!.data.equals(Buffer.from(bytes.replaceAll('\n', '\r\n')))).toBe(true);
  });

  it('a file gone before its time is looked at has none', async () => {
    const name = await put('Subject: gone\n\nbody\n');
    await box.sync();
    const rec = box.messages[0];
    const entry = box.entryOf(rec)!;
    await fs.rm(path.join(root, 'new', name));
    expect(box.internalDate(rec, entry)).toBeUndefined();
  });
});

describe('BODYSTRUCTURE made when asked for', () => {
  const letter = ['Subject: parts', 'Content-Type: multipart/alternative; boundary=x', '', '--x', 'Content-Type: text/plain', '', 'plain', '--x', 'Content-Type: text/html', '', '<p>html</p>', '--x--', ''].join('\n');

  it('an entry built for ENVELOPE has none; the first ask makes it in the same entry, the kept header stays good, the index keeps it', async () => {
    await put(letter);
    await box.sync();
    const rec = box.messages[0];
    const entry = box.entryOf(rec)!;
    expect(entry.envelope).toContain('"parts"');
    expect(entry.bodystructure).toBeNull();
    expect(entry.body).toBeNull();
    const full = summarize(Buffer.from(letter));
    expect(box.entryOf(rec, false, true)).toBe(entry);
    expect(entry.bodystructure).toBe(full.bodystructure);
    expect(entry.body).toBe(full.body);
    // the header kept with the entry is still the one sent: no file opened for it
    const opened = vi.spyOn(nodeFs, 'openSync');
    try {
      expect(box.header(rec, true)!.data.toString()).toMatch(/^Subject: parts\r\n/);
      expect(opened).not.toHaveBeenCalled();
    } finally {
      opened.mockRestore();
    }
    await box.saveIndex();
    const again = new Maildir(root);
    await again.sync();
    expect(again.entryOf(again.messages[0])!.bodystructure).toBe(full.bodystructure);
    again.shutdown();
  });

  it('a body fetch makes it from the bytes it read: one open', async () => {
    await put(letter);
    await box.sync();
    const rec = box.messages[0];
    expect(box.entryOf(rec)!.bodystructure).toBeNull();
    const opened = vi.spyOn(nodeFs, 'openSync');
    try {
      const { entry } = box.content(rec, true)!;
      expect(entry.bodystructure).toBe(summarize(Buffer.from(letter)).bodystructure);
      expect(opened).toHaveBeenCalledTimes(1);
    } finally {
      opened.mockRestore();
    }
  });
});
