import { describe, it, expect } from 'vitest';
import { parseCommand, ImapSyntaxError } from '../../lab/imap/imap-parser.ts';
import { parseSequenceSet, resolveSet, formatSet, SequenceError } from '../../lab/imap/sequence-set.ts';
import { parseFetchItems } from '../../lab/imap/fetch-items.ts';
import { parseSearch, BadCharsetError } from '../../lab/imap/search-query.ts';
import { listPattern } from '../../lab/imap/mailbox-list.ts';

const cmd = (...parts: string[]) => parseCommand(parts.map((p) => Buffer.from(p)));

describe('the command parser', () => {
  it('reads tags, UID verbs, atoms, quoted strings, lists and literals', () => {
    expect(cmd('a1 uid fetch 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From "To")]<0.100>)')).toEqual({
      tag: 'a1',
      verb: 'UID FETCH',
      args: [
        { type: 'atom', value: '1:*' },
        {
          type: 'list',
          items: [
            { type: 'atom', value: 'FLAGS' },
            {
              type: 'atom',
              value: 'BODY.PEEK',
              section: [{ type: 'atom', value: 'HEADER.FIELDS' }, { type: 'list', items: [{ type: 'atom', value: 'From' }, { type: 'string', value: 'To', bytes: Buffer.from('To'), literal: false }] }],
              partial: { start: 0, length: 100 },
            },
          ],
        },
      ],
    });
    const login = cmd('x LOGIN {3}', 'lee', ' "p\\"w\\\\"');
    expect(login.args).toEqual([
      { type: 'string', value: 'lee', bytes: Buffer.from('lee'), literal: true },
      { type: 'string', value: 'p"w\\', bytes: Buffer.from('p"w\\'), literal: false },
    ]);
    expect(cmd('t SEARCH CHARSET UTF-8 SUBJECT "한글"').args[3]).toMatchObject({ type: 'string', value: '한글' });
  });

  it('refuses malformed input with the tag when there is one', () => {
    const fails = (line: string, message: RegExp, tag?: string) => {
      try {
        cmd(line);
      } catch (err) {
        expect(err).toBeInstanceOf(ImapSyntaxError);
        expect((err as ImapSyntaxError).message).toMatch(message);
        expect((err as ImapSyntaxError).tag).toBe(tag);
        return;
      }
      throw new Error(`parsed: ${line}`);
    };
    fails('', /empty command line/);
    fails('a+b NOOP', /not a tag/);
    fails('a', /command missing/, 'a');
    fails('a SELECT "INBOX', /unterminated/, 'a');
    fails('a SELECT "\\x"', /bad escape/, 'a');
    fails('a FETCH 1 (FLAGS', /missing "\)"/, 'a');
    fails('a FETCH 1  FLAGS', /unexpected space/, 'a');
    fails('a LOGIN {3} x', /must end its line/, 'a');
    fails('a FETCH 1 BODY[<0>', /unexpected "<|missing "]"/, 'a');
  });
});

describe('sequence sets', () => {
  it('parses and resolves by sequence number and by UID', () => {
    expect(parseSequenceSet('1:3,7,*:9')).toEqual([[1, 3], [7, 7], [0, 9]]);
    expect(parseSequenceSet('0')).toBeUndefined();
    expect(parseSequenceSet('1:0')).toBeUndefined();
    expect(parseSequenceSet('1,,2')).toBeUndefined();
    const uids = [3, 5, 8, 13];
    expect(resolveSet(parseSequenceSet('2:*')!, uids, false)).toEqual([1, 2, 3]);
    expect(resolveSet(parseSequenceSet('4,1,2:3,3')!, uids, false)).toEqual([0, 1, 2, 3]);
    expect(() => resolveSet(parseSequenceSet('5')!, uids, false)).toThrow(SequenceError);
    expect(resolveSet(parseSequenceSet('4:8')!, uids, true)).toEqual([1, 2]);
    expect(resolveSet(parseSequenceSet('20:*')!, uids, true)).toEqual([3]);
    expect(resolveSet(parseSequenceSet('1:*')!, [], false)).toEqual([]);
    expect(() => resolveSet(parseSequenceSet('1')!, [], false)).toThrow(SequenceError);
    expect(formatSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
  });
});

describe('FETCH items, SEARCH keys, LIST patterns', () => {
  it('expands macros and labels sections as the response names them', () => {
    expect(parseFetchItems(cmd('a FETCH 1 ALL').args[1]).map((i) => i.kind)).toEqual(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE']);
    const [a, b, c] = parseFetchItems(cmd('a FETCH 1 (body[1.2.mime] BODY.PEEK[header.fields.not (x-a)]<5> RFC822.HEADER)').args[1]);
    expect(a).toMatchObject({ kind: 'section', label: 'BODY[1.2.MIME]', peek: false, section: { path: [1, 2], kind: 'MIME' } });
    expect(b).toMatchObject({ kind: 'section', label: 'BODY[HEADER.FIELDS.NOT (X-A)]', peek: true, partial: { start: 5 } });
    expect(c).toMatchObject({ kind: 'section', label: 'RFC822.HEADER', peek: true, section: { kind: 'HEADER' } });
    expect(() => parseFetchItems(cmd('a FETCH 1 BODY[MIME]').args[1])).toThrow(/MIME needs a part number/);
  });

  it('parses SEARCH keys with OR, NOT, lists and CHARSET', () => {
    expect(parseSearch(cmd('a SEARCH CHARSET utf-8 OR (FROM kim SEEN) NOT SUBJECT "x" 1:5').args)).toEqual({
      op: 'and',
      keys: [
        { op: 'or', a: { op: 'and', keys: [{ op: 'indexed', field: 1, value: 'kim' }, { op: 'flag', letter: 'S', set: true }] }, b: { op: 'not', key: { op: 'indexed', field: 0, value: 'x' } } },
        { op: 'seq', set: [[1, 5]] },
      ],
    });
    expect(() => parseSearch(cmd('a SEARCH CHARSET EUC-KR ALL').args)).toThrow(BadCharsetError);
    expect(() => parseSearch(cmd('a SEARCH SINCE yesterday').args)).toThrow(/date/);
    expect(() => parseSearch(cmd('a SEARCH OR SEEN').args)).toThrow(/two search keys/);
  });

  it('matches LIST patterns: * crosses levels, % does not, INBOX in any case', () => {
    const names = ['INBOX', 'INBOX/Sub', 'Archive', 'Archive/2026', 'Archive/2026/Q1', 'Sent'];
    const list = (ref: string, pattern: string) => names.filter(listPattern(ref, pattern));
    expect(list('', '*')).toEqual(names);
    expect(list('', '%')).toEqual(['INBOX', 'Archive', 'Sent']);
    expect(list('Archive/', '%')).toEqual(['Archive/2026']);
    expect(list('Archive', '*')).toEqual(['Archive/2026', 'Archive/2026/Q1']);
    expect(list('', 'inbox/%')).toEqual(['INBOX/Sub']);
    expect(list('', 'A*6')).toEqual(['Archive/2026']);
  });
});
