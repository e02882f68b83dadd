import { describe, it, expect } from 'vitest';
import { parseMessage, partAt, toCrlf, countLines } from '../../lab/mailbox/mime.ts';
import { summarize } from '../../lab/mailbox/message-summary.ts';
import { parseAddressList } from '../../lab/mailbox/addresses.ts';
import { decodeWords, decodeTransfer, decodeCharset } from '../../lab/mailbox/encoded-words.ts';
import { sectionBytes } from '../../lab/imap/message-sections.ts';
import { readMailbox } from '../../lab/runtime/mailbox-view.ts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

// A message with a text part, an HTML alternative, an attachment and a forwarded message.
const nested = crlf([
  'From: "Kim, Yu-sin" <kim@daum.net>',
  'To: lee@naver.com, friends: a@b.c, "X Y" <x@y.z>;',
  'Subject: nested',
  'Date: Tue, 3 Mar 2026 09:00:00 +0900',
  'Message-ID: <n1@daum.net>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  'preamble',
  '--outer',
  'Content-Type: multipart/alternative; boundary=inner',
  '',
  '--inner',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('안녕하세요').toString('base64'),
  '--inner',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>hi</p>',
  '--inner--',
  '--outer',
  'Content-Type: application/pdf; name="a.pdf"',
  'Content-Disposition: attachment; filename="a.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0=',
  '--outer',
  'Content-Type: message/rfc822',
  '',
  'From: a@b.c',
  'Subject: inner',
  '',
  'inner body',
  '--outer--',
  'epilogue',
  '',
]);

describe('the MIME structure parser', () => {
  it('gives BODYSTRUCTURE and BODY as RFC 3501 section 7.4.2 writes them', () => {
    const s = summarize(nested);
    expect(s.bodystructure).toBe(
      '((("text" "plain" ("charset" "utf-8") NIL NIL "base64" 20 1 NIL NIL NIL NIL)' +
        '("text" "html" ("charset" "utf-8") NIL NIL "7bit" 9 1 NIL NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL)' +
        '("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 8 NIL ("attachment" ("filename" "a.pdf")) NIL NIL)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 41 (NIL "inner" ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)' +
        ' "mixed" ("boundary" "outer") NIL NIL NIL)',
    );
    expect(s.body).toBe(
      '((("text" "plain" ("charset" "utf-8") NIL NIL "base64" 20 1)("text" "html" ("charset" "utf-8") NIL NIL "7bit" 9 1) "alternative")' +
        '("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 8)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 41 (NIL "inner" ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1) 4) "mixed")',
    );
  });

  it('gives the ENVELOPE with groups and Sender/Reply-To defaulting to From', () => {
    expect(summarize(nested).envelope).toBe(
      '("Tue, 3 Mar 2026 09:00:00 +0900" "nested" (("Kim, Yu-sin" NIL "kim" "daum.net")) (("Kim, Yu-sin" NIL "kim" "daum.net")) (("Kim, Yu-sin" NIL "kim" "daum.net")) ' +
        '((NIL NIL "lee" "naver.com")(NIL NIL "friends" NIL)(NIL NIL "a" "b.c")("X Y" NIL "x" "y.z")(NIL NIL NIL NIL)) NIL NIL NIL "<n1@daum.net>")',
    );
  });

  it('finds sections by part number: parts, MIME headers, the embedded message', () => {
    const root = parseMessage(nested);
    const text = (path: number[], kind: '' | 'MIME' | 'HEADER' | 'TEXT' = '') =>
      sectionBytes(nested, root.bodyStart, { path, kind }, { root })?.toString();
    expect(text([1, 1])).toBe(Buffer.from('안녕하세요').toString('base64'));
    expect(text([1, 2])).toBe('<p>hi</p>');
    expect(text([1, 2], 'MIME')).toBe('Content-Type: text/html; charset=utf-8\r\n\r\n');
    expect(text([2])).toBe('JVBERi0=');
    expect(text([3])).toBe('From: a@b.c\r\nSubject: inner\r\n\r\ninner body');
    expect(text([3], 'HEADER')).toBe('From: a@b.c\r\nSubject: inner\r\n\r\n');
    expect(text([3], 'TEXT')).toBe('inner body');
    expect(text([3, 1])).toBe('inner body');
    expect(text([4])).toBeUndefined();
    expect(text([2], 'HEADER')).toBeUndefined(); // not a message/rfc822 part
    expect(partAt(root, [1, 3])).toBeUndefined();
    const fields = sectionBytes(nested, root.bodyStart, { path: [], kind: 'HEADER.FIELDS', fields: ['SUBJECT', 'FROM'] }, { root })!.toString();
    expect(fields).toBe('From: "Kim, Yu-sin" <kim@daum.net>\r\nSubject: nested\r\n\r\n');
    const not = sectionBytes(nested, root.bodyStart, { path: [], kind: 'HEADER.FIELDS.NOT', fields: ['CONTENT-TYPE', 'TO', 'MIME-VERSION'] }, { root })!.toString();
    expect(not).not.toMatch(/^To:|Content-Type|MIME-Version/m);
    expect(not).toMatch(/^Message-ID: <n1@daum.net>\r\n\r\n$/m);
  });

  it('part 1 of a single-part message is its body', () => {
    const simple = crlf(['Subject: x', '', 'just text', '']);
    const root = parseMessage(simple);
    expect(sectionBytes(simple, root.bodyStart, { path: [1], kind: '' }, { root })?.toString()).toBe('just text\r\n');
    expect(sectionBytes(simple, root.bodyStart, { path: [2], kind: '' }, { root })).toBeUndefined();
  });

  it('makes bare LF line ends CRLF and counts sizes on what IMAP sends', () => {
    const lf = Buffer.from('Subject: lf\n\nline one\nline two\n');
    const s = summarize(lf);
    expect(s.lf).toBe(1);
    expect(s.vsize).toBe(toCrlf(lf).length);
    expect(toCrlf(lf).toString()).toBe('Subject: lf\r\n\r\nline one\r\nline two\r\n');
    expect(s.bodystructure).toBe('("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 20 2 NIL NIL NIL NIL)');
  });

  it('gives CRLF for every bare LF and nothing else, and the same buffer when there is none', () => {
    // a model: CR LF stays, a lone LF (at the start, after any other byte) gains a CR, a lone CR stays
    const model = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/(^|[^\r])\n/g, '$1\r\n').replace(/(^|[^\r])\n/g, '$1\r\n'), 'latin1');
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let round = 0; round < 500; round++) {
      const bytes = Buffer.from(Array.from({ length: next() % 40 }, () => [0x0a, 0x0d, 0x2e, 0x41, 0xea][next() % 5]));
      expect(toCrlf(bytes).toString('latin1')).toBe(model(bytes).toString('latin1'));
      // in one pass into a buffer with room for twice the message (the cold FETCH's scratch),
      // or counted first when it has less
      const into = Buffer.alloc(2 * bytes.length);
      const made = toCrlf(bytes, into);
      expect(made.toString('latin1')).toBe(model(bytes).toString('latin1'));
      if (made !== bytes) expect(made.buffer).toBe(into.buffer);
      expect(toCrlf(bytes, Buffer.alloc(bytes.length)).toString('latin1')).toBe(model(bytes).toString('latin1'));
      // BODYSTRUCTURE's lines: every LF, and a last line without one
      const start = next() % (bytes.length + 1);
      const text = bytes.toString('latin1', start);
      expect(countLines(bytes, start, bytes.length)).toBe(text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
    }
    const clean = Buffer.from('a\r\nb\r\n');
    expect(toCrlf(clean)).toBe(clean);
    expect(toCrlf(clean, Buffer.alloc(64))).toBe(clean);
    expect(toCrlf(Buffer.from('\n\n')).toString()).toBe('\r\n\r\n');
  });

  it('survives a multipart without its boundary and a message with no body', () => {
    expect(summarize(crlf(['Content-Type: multipart/mixed', '', 'no boundary', ''])).bodystructure).toMatch(/^\(\("text" "plain"/);
    expect(summarize(Buffer.from('Subject: only a header')).envelope).toContain('"only a header"');
  });
});

describe('addresses and encoded words', () => {
  it('parses display names, comments, routes and bare addresses', () => {
    expect(parseAddressList('lee@naver.com (Lee Sun-sin), <@relay:kim@daum.net>, "a \\"q\\"" <q@x.y>, broken')).toEqual([
      { kind: 'mailbox', name: 'Lee Sun-sin', route: null, mailbox: 'lee', host: 'naver.com' },
      // the obsolete source route stays, as ENVELOPE's adl (RFC 3501 section 7.4.2)
      { kind: 'mailbox', name: null, route: '@relay', mailbox: 'kim', host: 'daum.net' },
      { kind: 'mailbox', name: 'a "q"', route: null, mailbox: 'q', host: 'x.y' },
      // no domain: dovecot's placeholder, never NIL (a NIL host would mean a group)
      { kind: 'mailbox', name: null, route: null, mailbox: 'broken', host: 'MISSING_DOMAIN' },
    ]);
  });

  it('decodes RFC 2047 words: B and Q, a character split across words, EUC-KR', () => {
    expect(decodeWords('=?UTF-8?B?7JWI64WV?= =?UTF-8?B?7ZWY7IS47JqU?=')).toBe('안녕하세요');
    const bytes = Buffer.from('한');
    const split = `=?utf-8?B?${bytes.subarray(0, 2).toString('base64')}?= =?utf-8?B?${bytes.subarray(2).toString('base64')}?=`;
    expect(decodeWords(`[${split}] done`)).toBe('[한] done');
    expect(decodeWords('=?ISO-8859-1?Q?caf=E9_cr=E8me?=')).toBe('café crème');
    expect(decodeWords('=?EUC-KR?B?x9Gx2w==?=')).toBe('한글');
    expect(decodeWords('plain text')).toBe('plain text');
  });

  it('decodes the Korean charsets: EUC-KR and its aliases, ISO-2022-KR (RFC 1557), UTF-8', () => {
    // 김유신 in EUC-KR, and the same code shifted out into 7 bits (ISO-2022-KR)
    const eucKr = Buffer.from([0xb1, 0xe8, 0xc0, 0xaf, 0xbd, 0xc5]);
    const iso2022kr = Buffer.concat([Buffer.from('\x1b$)C\x0e', 'latin1'), Buffer.from(eucKr.map((b) => b & 0x7f)), Buffer.from([0x0f])]);
    for (const charset of ['EUC-KR', 'ks_c_5601-1987', 'cp949', 'windows-949']) {
      expect(decodeWords(`=?${charset}?B?${eucKr.toString('base64')}?=`)).toBe('김유신');
    }
    expect(decodeWords(`=?ISO-2022-KR?B?${iso2022kr.toString('base64')}?= (kim)`)).toBe('김유신 (kim)');
    expect(decodeCharset(Buffer.concat([Buffer.from('mail '), iso2022kr, Buffer.from(' lab')]), 'iso-2022-kr')).toBe('mail 김유신 lab');
    expect(decodeWords(`=?UTF-8?Q?${[...Buffer.from('김유신')].map((b) => `=${b.toString(16).toUpperCase()}`).join('')}?=`)).toBe('김유신');
    // an unknown charset is read as UTF-8; UTF-7 is refused as a charset (it smuggles markup)
    expect(decodeWords(`=?x-unknown?B?${Buffer.from('김유신').toString('base64')}?=`)).toBe('김유신');
  });

  it('reads addresses with nodemailer\'s addressparser, and gives SEARCH the decoded names and real addresses', () => {
    const entry = summarize(crlf(['From: =?EUC-KR?B?sejAr73F?= <kim@daum.net>', 'To: <lee (comment) @ naver.com>, group: a@b.c, "d, e" <f@g.h>;', 'Subject: =?ISO-2022-KR?B?GyQpQw4xaEAvPUUP?=', '', 'x', '']));
    expect(decodeWords(entry.search[0])).toBe('김유신');
    expect(entry.search.slice(1)).toEqual(['김유신 <kim@daum.net>', 'lee@naver.com, group:, a@b.c, d, e <f@g.h>', '', '']);
    expect(entry.envelope).toContain('(("=?EUC-KR?B?sejAr73F?=" NIL "kim" "daum.net"))');
  });

  it("the mailbox view (lab.mailbox(), the teacher's) decodes with the same decoder", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-'));
    try {
      await fs.mkdir(path.join(dir, 'new'), { recursive: true });
      const raw = crlf(['From: =?EUC-KR?B?sejAr73F?= <kim@daum.net>', 'To: lee@naver.com', 'Subject: =?ISO-2022-KR?B?GyQpQw4xaEAvPUUP?=', ' =?UTF-8?B?64uY?=', '', 'body', '']);
      await fs.writeFile(path.join(dir, 'new', '1.M1P1Q1.test'), raw);
      const [letter] = await readMailbox(dir);
      expect(letter.subject).toBe('김유신님'); // white space between encoded words goes (RFC 2047 section 6.2)
      expect(letter.from).toBe('김유신 <kim@daum.net>');
      expect(letter.headers.split('\r\n')).toHaveLength(4);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('undoes transfer encodings and charsets for SEARCH', () => {
    expect(decodeCharset(decodeTransfer(Buffer.from('=ED=95=9C=EA=B8=80 soft=\r\nbreak'), 'quoted-printable'), 'utf-8')).toBe('한글 softbreak');
    expect(decodeCharset(decodeTransfer(Buffer.from('7ZWc6riA'), 'base64'), 'UTF-8')).toBe('한글');
  });
});
