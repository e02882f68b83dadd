// POP3 (RFC 1939, CAPA from RFC 2449, AUTH PLAIN from RFC 5034): sessions from the grammar,
// valid and then mutated, against Server's real POP3 server over lee's Maildir.
import type { Random } from '../random.ts';
import { fromBase64, sessionCase, type Target } from '../target.ts';
import { runSession, probeSession } from '../session.ts';
import { fuzzHost, resetMailbox, FUZZ_IDLE_MS } from '../lab-host.ts';
import { startPop3Server } from '../../lab/pop3/pop3-server.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const number = (rng: Random) => rng.pick(['1', '2', '3', '4', '0', '-1', '99999999999', 'x', '1 2', '']);

function command(rng: Random): string {
  switch (rng.int(0, 17)) {
    case 0: return `USER ${rng.pick(['lee', 'lee@naver.com', 'LEE', 'nobody', '', rng.word()])}`;
    case 1: return `PASS ${rng.pick(['1234', 'wrong', '', '12 34', rng.word()])}`;
    case 2: return `AUTH PLAIN ${rng.pick([b64('\0lee\x001234'), b64('lee\0lee\x001234'), b64('kim\0lee\x001234'), b64('\0lee'), '=', '!!!'])}`;
    case 3: return `AUTH PLAIN\r\n${rng.pick([b64('\0lee\x001234'), '*', 'x'])}`;
    case 4: return rng.pick(['AUTH', 'AUTH LOGIN', 'AUTH CRAM-MD5', 'APOP lee 0123456789abcdef0123456789abcdef']);
    case 5: return 'CAPA';
    case 6: return 'STAT';
    case 7: return `LIST${rng.chance(0.5) ? ` ${number(rng)}` : ''}`;
    case 8: return `UIDL${rng.chance(0.5) ? ` ${number(rng)}` : ''}`;
    case 9: case 10: return `RETR ${number(rng)}`;
    case 11: return `TOP ${number(rng)} ${number(rng)}`;
    case 12: return `DELE ${number(rng)}`;
    case 13: return 'RSET';
    case 14: return 'NOOP';
    case 15: return `${rng.word(6).toUpperCase()}${rng.chance(0.5) ? ` ${rng.word()}` : ''}`;
    case 16: return 'STLS';
    default: return 'QUIT';
  }
}

export function pop3Session(rng: Random): Buffer {
  const lines: string[] = [];
  if (rng.chance(0.8)) lines.push(...(rng.chance(0.5) ? ['USER lee', 'PASS 1234'] : [`AUTH PLAIN ${b64('\0lee\x001234')}`]));
  const n = rng.int(1, 12);
  for (let i = 0; i < n; i++) lines.push(command(rng));
  if (rng.chance(0.6)) lines.push('QUIT');
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export const pop3Target: Target = {
  name: 'pop3',
  concurrency: 8,
  generate: (rng, index, seed) => sessionCase('pop3', rng, index, seed, pop3Session(rng), () => command(rng)),
  async setup(workDir) {
    const { ctx, net } = fuzzHost(workDir);
    await resetMailbox(ctx);
    const server = await startPop3Server(ctx, { port: 0, idleTimeoutMs: FUZZ_IDLE_MS, maxClients: 400 });
    net.bind('Server', 'pop3', server.port);
    return {
      run: (c) => runSession(server.port, fromBase64(c.chunks)),
      probe: () => probeSession(server.port, /^\+OK .*\r\n/m, 'CAPA\r\n', /^\.\r\n/m),
      reset: () => resetMailbox(ctx),
      close: () => server.close(),
    };
  },
};
