// IMAP4rev1 (RFC 3501 with LITERAL+, IDLE, UIDPLUS, MOVE ...): tagged sessions from the
// grammar, literals and all, valid and then mutated, against Server's real IMAP server.
import type { Random } from '../random.ts';
import { fromBase64, sessionCase, type Target } from '../target.ts';
import { runSession, probeSession } from '../session.ts';
import { fuzzHost, resetMailbox, FUZZ_IDLE_MS } from '../lab-host.ts';
import { startImapServer } from '../../lab/imap/imap-server.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const MAILBOXES = ['INBOX', 'inbox', 'Sent', '"Sent Items"', 'a/b', '"a/b/c"', '[x]', '""', '"&BTEEOQ-"', '{3}\r\nabc', '"../../etc"', '%', '*', 'INBOX/sub'];
const SETS = ['1', '1:*', '*', '1:3', '2,4:5', '0', '4294967295', '1:4294967296', '*:1', '1,,2', '$', 'x'];
const ITEMS = ['FLAGS', 'UID', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'RFC822.SIZE', 'INTERNALDATE', 'BODY[]', 'BODY.PEEK[HEADER]', 'BODY[TEXT]<0.10>', 'BODY[1]', 'BODY[2.MIME]', 'BODY[HEADER.FIELDS (SUBJECT FROM)]', 'BODY[HEADER.FIELDS.NOT (DATE)]', 'RFC822', 'RFC822.HEADER', 'ALL', 'FAST', 'FULL', 'BINARY[1]', 'BODY[0]', 'BODY[1.2.3.4.5.6.7.8.9]', 'BODY[]<4294967295.1>'];
const FLAGS = ['\\Seen', '\\Deleted', '\\Flagged', '\\Answered', '\\Draft', '\\Recent', '$Junk', 'keyword', '\\Bogus', '(', ')'];
const SEARCH = ['ALL', 'SEEN', 'UNSEEN', 'FROM kim', 'SUBJECT "안녕"', 'CHARSET UTF-8 SUBJECT {6}\r\n안녕', 'OR FROM a TO b', 'NOT DELETED', 'UID 1:*', 'LARGER 10', 'SMALLER 4294967296', 'SINCE 1-Jan-2024', 'BEFORE 32-Foo-99', 'HEADER Message-ID a', 'BODY x', 'TEXT y', '1:*', '(OR (SEEN) (UNSEEN))', 'KEYWORD $Junk'];

function command(rng: Random, tag: string): string {
  const uid = rng.chance(0.3) ? 'UID ' : '';
  switch (rng.int(0, 24)) {
    case 0: return `${tag} CAPABILITY`;
    case 1: return `${tag} LOGIN ${rng.pick(['lee', '"lee@naver.com"', 'LEE', '{3}\r\nlee', 'nobody'])} ${rng.pick(['1234', '"1234"', '{4}\r\n1234', '{4+}\r\n1234', 'wrong'])}`;
    case 2: return `${tag} AUTHENTICATE PLAIN ${rng.pick([b64('\0lee\x001234'), b64('kim\0lee\x001234'), '=', '!!'])}`;
    case 3: return `${tag} AUTHENTICATE PLAIN\r\n${rng.pick([b64('\0lee\x001234'), '*', 'junk'])}`;
    case 4: case 5: return `${tag} ${rng.pick(['SELECT', 'EXAMINE'])} ${rng.pick(MAILBOXES)}`;
    case 6: return `${tag} ${rng.pick(['LIST', 'LSUB'])} ${rng.pick(['""', 'INBOX', '"a/"'])} ${rng.pick(['*', '%', '"INBOX/%"', '""', rng.word()])}`;
    case 7: return `${tag} STATUS ${rng.pick(MAILBOXES)} (${rng.pick(['MESSAGES', 'MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT', 'BOGUS', ''])})`;
    case 8: case 9: return `${tag} ${uid}FETCH ${rng.pick(SETS)} ${rng.chance(0.5) ? rng.pick(ITEMS) : `(${Array.from({ length: rng.int(1, 4) }, () => rng.pick(ITEMS)).join(' ')})`}`;
    case 10: return `${tag} ${uid}STORE ${rng.pick(SETS)} ${rng.pick(['FLAGS', '+FLAGS', '-FLAGS.SILENT', 'FLAGS.BOGUS'])} (${Array.from({ length: rng.int(0, 3) }, () => rng.pick(FLAGS)).join(' ')})`;
    case 11: return `${tag} ${uid}SEARCH ${Array.from({ length: rng.int(1, 3) }, () => rng.pick(SEARCH)).join(' ')}`;
    case 12: return `${tag} ${uid}${rng.pick(['COPY', 'MOVE'])} ${rng.pick(SETS)} ${rng.pick(MAILBOXES)}`;
    case 13: {
      const message = `Subject: ${rng.word(20)}\r\n\r\n${rng.word(40)}\r\n`;
      const size = rng.chance(0.8) ? Buffer.byteLength(message) : rng.pick([0, 1, 99999999, 4294967296]);
      return `${tag} APPEND ${rng.pick(MAILBOXES)} ${rng.pick(['', '(\\Seen) ', '"1-Jan-2024 00:00:00 +0000" '])}{${size}${rng.chance(0.5) ? '+' : ''}}\r\n${message}`;
    }
    case 14: return `${tag} ${rng.pick(['CREATE', 'DELETE', 'SUBSCRIBE', 'UNSUBSCRIBE'])} ${rng.pick(MAILBOXES)}`;
    case 15: return `${tag} RENAME ${rng.pick(MAILBOXES)} ${rng.pick(MAILBOXES)}`;
    case 16: return `${tag} IDLE\r\n${rng.pick(['DONE', 'done', 'NOOP', ''])}`;
    case 17: return `${tag} ${rng.pick(['NOOP', 'CHECK', 'EXPUNGE', 'CLOSE', 'UNSELECT', 'NAMESPACE'])}`;
    case 18: return `${tag} ID ${rng.pick(['NIL', '("name" "fuzz")', '("a" "b" "c")', '(', '("k" {3}\r\nabc)'])}`;
    case 19: return `${tag} ${rng.pick(['ENABLE UTF8=ACCEPT', 'STARTTLS', 'COMPRESS DEFLATE', 'GETQUOTA ""', 'XLIST "" *'])}`;
    case 20: return `${tag} ${uid}EXPUNGE ${rng.pick(SETS)}`;
    case 21: return `${rng.pick(['*', '+', '', 'a b', tag])} ${rng.word(8).toUpperCase()} ${rng.word()}`;
    case 22: return `${tag} FETCH ${rng.pick(SETS)} (${'BODY[HEADER.FIELDS ('.repeat(rng.int(1, 30))}`;
    case 23: return `${tag} LOGOUT`;
    default: return `${tag} SELECT INBOX\r\n${tag}x FETCH 1:* (FLAGS BODY.PEEK[HEADER])`;
  }
}

export function imapSession(rng: Random): Buffer {
  const lines: string[] = [];
  if (rng.chance(0.85)) lines.push(rng.chance(0.5) ? 'a0 LOGIN lee 1234' : `a0 AUTHENTICATE PLAIN ${b64('\0lee\x001234')}`);
  if (rng.chance(0.7)) lines.push(`a1 ${rng.chance(0.8) ? 'SELECT' : 'EXAMINE'} INBOX`);
  const n = rng.int(1, 12);
  for (let i = 0; i < n; i++) lines.push(command(rng, `t${i}`));
  if (rng.chance(0.5)) lines.push('z LOGOUT');
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export const imapTarget: Target = {
  name: 'imap',
  concurrency: 8,
  generate: (rng, index, seed) => sessionCase('imap', rng, index, seed, imapSession(rng), () => command(rng, 'm1')),
  async setup(workDir) {
    const { ctx, net } = fuzzHost(workDir);
    await resetMailbox(ctx);
    const server = await startImapServer(ctx, { port: 0, idleTimeoutMs: FUZZ_IDLE_MS, maxClients: 400 });
    net.bind('Server', 'imap', server.port);
    return {
      run: (c) => runSession(server.port, fromBase64(c.chunks)),
      probe: () => probeSession(server.port, /^\* OK .*\r\n/m, 'p1 NOOP\r\n', /^p1 OK.*\r\n/m),
      reset: () => resetMailbox(ctx),
      close: () => server.close(),
    };
  },
};
