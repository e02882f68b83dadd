// SMTP (RFC 5321 and its extensions as the lab offers them): sessions from the grammar, valid
// and then mutated, against Server's real sendmail role (smtp-server, the access rules, the MDA).
import type { Random } from '../random.ts';
import { fromBase64, sessionCase, type Target } from '../target.ts';
import { runSession, probeSession } from '../session.ts';
import { fuzzHost, resetMailbox } from '../lab-host.ts';
import { startMailServer } from '../../lab/mta/mail-server.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const ADDRESSES = [
  'lee@naver.com', 'LEE@NAVER.COM.', 'kim@daum.net', 'postmaster', 'PostMaster@naver.com', 'nobody@naver.com',
  'lee%daum.net@naver.com', 'daum.net!lee@naver.com', '"lee@daum.net"@naver.com', '@daum.net,@x.org:lee@naver.com',
  '김유신@naver.com', 'lee@[192.168.111.100]', 'lee@[1.2.3]', 'lee@[IPv6:::1]', '', 'a@b@c', '"unterminated@naver.com',
  'lee@naver..com', '.lee@naver.com', 'lee.@naver.com', 'x@xn--hxajbheg2az3al.xn--jxalpdlp',
];
const MAIL_PARAMS = ['SIZE=100', 'SIZE=99999999999', 'SIZE=', 'SIZE=x', 'BODY=8BITMIME', 'BODY=7BIT', 'BODY=BINARYMIME', 'SMTPUTF8', 'SMTPUTF8=yes', 'RET=FULL', 'RET=HDRS', 'RET=NONE', 'ENVID=abc+2Bdef', 'ENVID=+ZZ', 'ENVID=+0D+0A', 'AUTH=<>', 'REQUIRETLS', 'X-UNKNOWN=1'];
const RCPT_PARAMS = ['NOTIFY=NEVER', 'NOTIFY=SUCCESS,FAILURE,DELAY', 'NOTIFY=NEVER,SUCCESS', 'NOTIFY=', 'ORCPT=rfc822;lee@naver.com', 'ORCPT=utf-8;lee@naver.com', 'ORCPT=bad', 'ORCPT=rfc822;+41+42'];

function address(rng: Random): string {
  if (rng.chance(0.8)) return rng.pick(ADDRESSES);
  return `${rng.word()}@${rng.pick(['naver.com', 'daum.net', rng.word() + '.test', rng.word()])}`;
}

function params(rng: Random, pool: readonly string[]): string {
  const n = rng.chance(0.6) ? 0 : rng.int(1, 4);
  return Array.from({ length: n }, () => ` ${rng.pick(pool)}`).join('');
}

function message(rng: Random): string {
  const lines = ['From: kim@daum.net', 'To: lee@naver.com', `Subject: ${rng.word(30)}`];
  if (rng.chance(0.3)) lines.push(`Message-ID: <${rng.word()}@daum.net>`);
  if (rng.chance(0.2)) lines.push(...Array.from({ length: rng.int(1, 40) }, () => 'Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000'));
  if (rng.chance(0.2)) lines.push(`X-Folded: a\r\n\t${rng.word(60)}`);
  lines.push('');
  const body = rng.size(50);
  for (let i = 0; i < body; i++) lines.push(rng.pick(['.', '..', '.hidden', rng.word(70), '', 'a'.repeat(rng.size(2000)), '안녕하세요']));
  return lines.join('\r\n');
}

function command(rng: Random): string {
  switch (rng.int(0, 19)) {
    case 0: return `EHLO ${rng.pick(['client.example', '[127.0.0.1]', '[IPv6:::1]', rng.word(), ''])}`;
    case 1: return `HELO ${rng.pick(['client.example', rng.word()])}`;
    case 2: case 3: return `MAIL FROM:<${address(rng)}>${params(rng, MAIL_PARAMS)}`;
    case 4: case 5: return `RCPT TO:<${address(rng)}>${params(rng, RCPT_PARAMS)}`;
    case 6: return `DATA\r\n${message(rng)}\r\n.`;
    case 7: return 'RSET';
    case 8: return `NOOP${rng.chance(0.3) ? ` ${rng.word()}` : ''}`;
    case 9: return `VRFY ${address(rng)}`;
    case 10: return rng.pick(['HELP', 'EXPN list', 'TURN', 'ETRN naver.com', 'STARTTLS', 'BDAT 10 LAST', 'LHLO x', 'XCLIENT ADDR=1.2.3.4', 'SHELL', 'WIZ secret', 'GET / HTTP/1.1']);
    case 11: return `AUTH PLAIN ${rng.pick([b64('\0lee\x001234'), b64('\0lee\0wrong'), b64('kim\0lee\x001234'), '=', '***', b64(rng.word())])}`;
    case 12: return `AUTH PLAIN\r\n${rng.pick([b64('\0lee\x001234'), '*', 'not-base64'])}`;
    case 13: return `AUTH LOGIN\r\n${b64('lee')}\r\n${rng.pick([b64('1234'), b64('x'), '*'])}`;
    case 14: return `AUTH ${rng.pick(['CRAM-MD5', 'XOAUTH2 abc', 'GSSAPI', 'LOGIN ' + b64('lee')])}`;
    case 15: return `MAIL FROM:<${address(rng)}> SMTPUTF8\r\nRCPT TO:<김유신@naver.com>\r\nRCPT TO:<lee@naver.com> NOTIFY=SUCCESS ORCPT=rfc822;lee@naver.com`;
    case 16: return `${rng.word(8).toUpperCase()} ${rng.word(20)}`;
    case 17: return 'QUIT';
    default: return `MAIL FROM:<kim@daum.net>\r\nRCPT TO:<lee@naver.com>\r\nDATA\r\n${message(rng)}\r\n.`;
  }
}

/** A session: mostly a proper one (EHLO first), with commands from the grammar. */
export function smtpSession(rng: Random): Buffer {
  const lines: string[] = rng.chance(0.85) ? [`EHLO fuzz${rng.int(0, 9)}.example`] : [];
  const n = rng.int(1, 12);
  for (let i = 0; i < n; i++) lines.push(command(rng));
  if (rng.chance(0.5)) lines.push('QUIT');
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export const smtpTarget: Target = {
  name: 'smtp',
  concurrency: 8,
  generate: (rng, index, seed) => sessionCase('smtp', rng, index, seed, smtpSession(rng), () => command(rng)),
  async setup(workDir) {
    const { ctx, net } = fuzzHost(workDir);
    const server = await startMailServer(ctx, { port: 0, retry: '1s*1' });
    net.bind('Server', 'smtp', server.port);
    await resetMailbox(ctx);
    return {
      run: (c) => runSession(server.port, fromBase64(c.chunks)),
      probe: () => probeSession(server.port, /^220 .*\r\n/m, 'NOOP\r\n', /^250 .*\r\n/m),
      reset: () => resetMailbox(ctx),
      close: () => server.close(),
    };
  },
};
