import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { startImapLab, letter, RawClient, type ImapLab } from './imap-lab.ts';

// Malformed input never crashes the server: a bounded, seeded stream of broken commands, each
// answered with a tagged reply, and the session still works afterwards.

const VERBS = ['FETCH', 'UID FETCH', 'STORE', 'UID STORE', 'SEARCH', 'UID SEARCH', 'SELECT', 'EXAMINE', 'LIST', 'LSUB', 'APPEND', 'COPY', 'MOVE',
  'UID MOVE', 'UID EXPUNGE', 'STATUS', 'CREATE', 'RENAME', 'DELETE', 'SUBSCRIBE', 'ID', 'NOOP', 'CHECK', 'CAPABILITY', 'NAMESPACE', 'IDLE'];
const PIECES = [
  'FETCH', 'UID', 'STORE', 'SEARCH', 'SELECT', 'LIST', 'APPEND', 'COPY', 'MOVE', 'EXPUNGE', 'STATUS', 'LOGIN', 'AUTHENTICATE',
  'CREATE', 'RENAME', 'IDLE', 'BODY[', 'BODY.PEEK[1.2.MIME]<0.5>', 'BODY[HEADER.FIELDS (', ')', '(', '((', ']', '"', '"x"', '\\Seen', '\\Bogus',
  '1', '0', '*', '1:*', '4294967296', '-1', '1,,2', ':', 'NIL', '{3}', '{99999999999}', 'CHARSET', 'UTF-8', 'OR', 'NOT', 'HEADER',
  'FLAGS', '+FLAGS.SILENT', 'INBOX', '"../x"', '%', '~', '\u00ff', '한글', '<1.2>', 'ENVELOPE', 'BODYSTRUCTURE', 'RFC822', '"\\q"',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let lab: ImapLab;

beforeAll(async () => {
  lab = await startImapLab();
  for (const s of ['one', 'two']) await lab.store.deliver('lee', letter({ subject: s }));
});

afterAll(async () => {
  await lab.close();
});

describe('malformed commands', () => {
  it('answers each of 300 random broken commands and keeps serving', async () => {
    const random = rng(20260302);
    const c = await RawClient.connect(lab.port);
    try {
      await c.command('l', 'LOGIN lee 1234');
      await c.command('s', 'SELECT INBOX');
      for (let i = 0; i < 300; i++) {
        const words = Array.from({ length: 1 + Math.floor(random() * 6) }, () => PIECES[Math.floor(random() * PIECES.length)]);
        const verb = random() < 0.75 ? `${VERBS[Math.floor(random() * VERBS.length)]} ` : '';
        // a literal is {0+} here (no waiting for "+ Go ahead")
        const line = verb + words.join(random() < 0.8 ? ' ' : '').replace(/\{\d+\}/g, '{0+}');
        const tag = `f${i}`;
        c.clear();
        // a line ending in a literal goes on after it: end the command with one more line
        c.write(`${tag} ${line}\r\n${/\{0\+\}$/.test(line) ? '\r\n' : ''}`);
        let reply = await c.waitFor(new RegExp(`^(${tag} (OK|NO|BAD)|\\+ idling|\\+ $)`, 'm'));
        if (/^\+ /m.test(reply) && !new RegExp(`^${tag} `, 'm').test(reply)) {
          // IDLE or AUTHENTICATE waiting for a line: give it one
          c.write(/idling/.test(reply) ? 'DONE\r\n' : '*\r\n');
          reply = await c.tagged(tag);
        }
        expect(reply).toMatch(new RegExp(`^${tag} (OK|NO|BAD)`, 'm'));
        expect(reply, line).not.toContain('[SERVERBUG]');
        if (c.closed) break;
        if (/^\* BYE/m.test(reply)) break;
        // a random SELECT may have left INBOX; come back so later commands mean something
        if (/SELECT|EXAMINE|CLOSE|UNSELECT/.test(line)) await c.command(`r${i}`, 'SELECT INBOX');
      }
      expect(await c.command('n', 'NOOP')).toMatch(/^n OK/m);
      expect(await c.command('f', 'UID FETCH 1:* (FLAGS)')).toMatch(/^f OK/m);
    } finally {
      c.close();
    }
  });
});
