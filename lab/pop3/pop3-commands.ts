import type { Pop3Connection, Pop3State } from './pop3-connection.ts';
import type { DropMessage } from '../mailbox/maildrop.ts';

/** What a handler answers; the connection writes it (the one place replies are written). */
export interface Pop3Reply {
  ok: boolean;
  /** an RFC 2449 section 8 response code: IN-USE, SYS/TEMP; AUTH from RFC 3206 */
  code?: string;
  text: string;
  /** the lines of a multi-line answer; sent byte-stuffed and ended with "." */
  lines?: string[];
  /** close the connection once this is sent */
  close?: boolean;
  /** the "+ " line of a SASL exchange (RFC 5034 section 4) instead of +OK */
  continuation?: boolean;
}

export interface CommandSpec {
  /** the states the command is allowed in (RFC 1939 sections 4 to 7) */
  states: Pop3State[];
  /** how many arguments, least and most */
  args: [number, number];
  /** shown when the arguments are wrong */
  usage: string;
  /** the rest of the line is one argument: a password may hold spaces (RFC 1939 section 7, PASS) */
  rest?: boolean;
  /** not listed in "commands here" */
  hidden?: boolean;
  /** answers, or sends its own answer (RETR and TOP stream the message) */
  handler(conn: Pop3Connection, args: string[]): Promise<Pop3Reply | void>;
}

const AUTHORIZATION: Pop3State[] = ['authorization'];
const TRANSACTION: Pop3State[] = ['transaction'];
const BOTH: Pop3State[] = ['authorization', 'transaction'];

// RFC 2449 section 5: what CAPA lists. Every capability of the AUTHORIZATION state is listed in
// both states, as the RFC asks.
// UTF8 USER (RFC 6856 section 2): USER, PASS and AUTH PLAIN take UTF-8 names (김유신), and
// after UTF8 the server's answers may be UTF-8 too. USER and SASL only where the host's login
// policy allows plaintext logins.
const CAPABILITIES = ['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'UTF8 USER', 'IMPLEMENTATION mail-lab'];
const LOGIN_CAPABILITIES = new Set(['USER', 'SASL PLAIN']);

export const COMMANDS: Record<string, CommandSpec> = {
  CAPA: {
    states: BOTH,
    args: [0, 0],
    usage: 'CAPA',
    async handler(conn) {
      const lines = conn.ctx.login.plaintextAllowed ? CAPABILITIES : CAPABILITIES.filter((c) => !LOGIN_CAPABILITIES.has(c));
      return { ok: true, text: 'capability list follows', lines };
    },
  },

  USER: {
    states: AUTHORIZATION,
    args: [1, 1],
    usage: 'USER name',
    async handler(conn, [name]) {
      if (!conn.ctx.login.plaintextAllowed) return { ok: false, code: 'AUTH', text: conn.ctx.login.disabledMessage };
      // The same answer for every name: whether an account exists is not told before PASS.
      conn.pendingUser = name;
      return { ok: true, text: `send the password of ${printable(name, conn.utf8)} with PASS` };
    },
  },

  // RFC 6856 section 2: the client may get UTF-8 in answers from now on
  UTF8: {
    states: AUTHORIZATION,
    args: [0, 0],
    usage: 'UTF8',
    async handler(conn) {
      conn.utf8 = true;
      return { ok: true, text: 'UTF-8 is on: names and answers may be UTF-8' };
    },
  },

  PASS: {
    states: AUTHORIZATION,
    args: [1, 1],
    usage: 'PASS password',
    rest: true,
    async handler(conn, [password]) {
      const user = conn.pendingUser;
      // RFC 1939 section 7: after PASS, right or wrong, USER must be given again.
      conn.pendingUser = undefined;
      if (user === undefined) return { ok: false, text: 'send USER first, then PASS' };
      return conn.login(user, password);
    },
  },

  AUTH: {
    states: AUTHORIZATION,
    args: [0, 2],
    usage: 'AUTH PLAIN [initial-response]',
    async handler(conn, [mechanism, initial]) {
      conn.pendingUser = undefined;
      // AUTH alone lists the mechanisms (RFC 1734's form, still sent by some mail programs).
      if (!conn.ctx.login.plaintextAllowed) return { ok: false, code: 'AUTH', text: conn.ctx.login.disabledMessage };
      if (mechanism === undefined) return { ok: true, text: 'SASL mechanisms follow', lines: ['PLAIN'] };
      if (mechanism.toUpperCase() !== 'PLAIN') {
        return { ok: false, text: `unsupported SASL mechanism "${printable(mechanism)}"; this server offers PLAIN` };
      }
      if (initial !== undefined) return plainLogin(conn, initial === '=' ? '' : initial);
      // RFC 5034 section 4: an empty challenge "+ ", the client answers with its response or "*".
      conn.continuation = async (line) => {
        if (line === '*') return { ok: false, text: 'authentication cancelled by the client' };
        return plainLogin(conn, line);
      };
      return { ok: true, continuation: true, text: '' };
    },
  },

  // APOP (RFC 1939 section 7) is not offered: it needs a timestamp in the greeting and the
  // plaintext password kept on the server, and rests on MD5. Answered, not unknown, so a mail
  // program that tries it learns what to use instead.
  APOP: {
    states: AUTHORIZATION,
    args: [0, 2],
    usage: 'APOP name digest',
    hidden: true,
    async handler() {
      return { ok: false, text: 'APOP is not offered here (no timestamp in the greeting); use USER and PASS or AUTH PLAIN' };
    },
  },

  STAT: {
    states: TRANSACTION,
    args: [0, 0],
    usage: 'STAT',
    async handler(conn) {
      const { count, octets } = conn.maildrop!.stat();
      return { ok: true, text: `${count} ${octets}` };
    },
  },

  LIST: {
    states: TRANSACTION,
    args: [0, 1],
    usage: 'LIST [msg]',
    async handler(conn, [arg]) {
      const maildrop = conn.maildrop!;
      if (arg !== undefined) {
        const found = visibleMessage(conn, arg);
        if ('ok' in found) return found;
        return { ok: true, text: `${found.number} ${found.size}` };
      }
      const { count, octets } = maildrop.stat();
      return {
        ok: true,
        text: `${count} message${count === 1 ? '' : 's'} (${octets} octets)`,
        lines: maildrop.visible().map((m) => `${m.number} ${m.size}`),
      };
    },
  },

  UIDL: {
    states: TRANSACTION,
    args: [0, 1],
    usage: 'UIDL [msg]',
    async handler(conn, [arg]) {
      if (arg !== undefined) {
        const found = visibleMessage(conn, arg);
        if ('ok' in found) return found;
        return { ok: true, text: `${found.number} ${found.uidl}` };
      }
      return { ok: true, text: 'unique-id listing follows', lines: conn.maildrop!.visible().map((m) => `${m.number} ${m.uidl}`) };
    },
  },

  RETR: {
    states: TRANSACTION,
    args: [1, 1],
    usage: 'RETR msg',
    async handler(conn, [arg]) {
      const found = visibleMessage(conn, arg);
      if ('ok' in found) return found;
      await conn.sendMessage(found, 'RETR');
    },
  },

  TOP: {
    states: TRANSACTION,
    args: [2, 2],
    usage: 'TOP msg lines',
    async handler(conn, [arg, linesArg]) {
      const found = visibleMessage(conn, arg);
      if ('ok' in found) return found;
      if (!/^\d{1,9}$/.test(linesArg)) return { ok: false, text: `invalid line count "${printable(linesArg)}"; give 0 or more` };
      await conn.sendMessage(found, 'TOP', Number(linesArg));
    },
  },

  DELE: {
    states: TRANSACTION,
    args: [1, 1],
    usage: 'DELE msg',
    async handler(conn, [arg]) {
      const found = visibleMessage(conn, arg);
      if ('ok' in found) return found;
      // RFC 1939 section 5: only marked now; removed in the UPDATE state after QUIT.
      found.deleted = true;
      return { ok: true, text: `message ${found.number} deleted` };
    },
  },

  RSET: {
    states: TRANSACTION,
    args: [0, 0],
    usage: 'RSET',
    async handler(conn) {
      const maildrop = conn.maildrop!;
      const unmarked = maildrop.reset();
      const { count, octets } = maildrop.stat();
      return { ok: true, text: `maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets); ${unmarked} undeleted` };
    },
  },

  NOOP: {
    states: TRANSACTION,
    args: [0, 0],
    usage: 'NOOP',
    async handler() {
      return { ok: true, text: '' };
    },
  },

  QUIT: {
    states: BOTH,
    args: [0, 0],
    usage: 'QUIT',
    async handler(conn) {
      // RFC 1939 section 6: QUIT before login ends the session without entering UPDATE.
      if (conn.state === 'authorization') return { ok: true, text: 'mail-lab POP3 server signing off', close: true };
      return conn.update();
    },
  },
};

/** Commands the client may give in this state, for "-ERR unknown command ...; commands here: ...". */
export function commandsFor(state: Pop3State): string[] {
  return Object.entries(COMMANDS)
    .filter(([, spec]) => !spec.hidden && spec.states.includes(state))
    .map(([verb]) => verb);
}

/** A message number argument that names a message not marked deleted, or the -ERR saying why not. */
function visibleMessage(conn: Pop3Connection, arg: string): DropMessage | Pop3Reply {
  const maildrop = conn.maildrop!;
  const total = maildrop.messages.length;
  if (!/^\d{1,9}$/.test(arg) || Number(arg) === 0) {
    return { ok: false, text: `invalid message number "${printable(arg)}"; give a number from 1 to ${total}` };
  }
  const message = maildrop.message(Number(arg));
  if (!message) return { ok: false, text: `no such message, only ${total} message${total === 1 ? '' : 's'} in maildrop` };
  if (message.deleted) return { ok: false, text: `message ${message.number} already deleted` };
  return message;
}

/** RFC 4616, decoded by the host's login policy (the same for SMTP, POP3 and IMAP). */
async function plainLogin(conn: Pop3Connection, base64: string): Promise<Pop3Reply> {
  const decoded = conn.ctx.login.decodePlain(base64);
  if (!decoded.ok) return { ok: false, code: 'AUTH', text: decoded.reason };
  return conn.login(decoded.value);
}

/** An argument as it may be echoed back: printable ASCII (letters of any script after UTF8), short. */
export function printable(text: string, utf8 = false): string {
  const clean = utf8 ? text.replace(/[\p{C}]/gu, '?') : text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}
