// One login policy per host (DESIGN.md, "One of each per host"): whether plaintext logins are
// allowed (mail.plaintextAuth), how a SASL PLAIN or LOGIN response is decoded, who may log in
// as whom, and how long a failed login waits. SMTP AUTH, POP3 (USER/PASS, AUTH PLAIN) and IMAP
// (LOGIN, AUTHENTICATE PLAIN) all ask here, so the three services never disagree.
import type { Host } from '../topology/types.ts';
import { checkLogin, type Account } from '../topology/accounts.ts';

/** What the policy needs of the host's clock: waits run on the lab's clock, which can stand still. */
export interface PolicyClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The fields of a SASL PLAIN response (RFC 4616): authzid NUL authcid NUL passwd. */
export interface PlainFields {
  authzid: string;
  authcid: string;
  password: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The result of one login attempt. */
export type LoginOutcome =
  | { ok: true; account: Account }
  | { ok: false; reason: 'refused' | 'disabled' | 'authzid'; message: string };

export interface LoginPolicyOptions {
  /** wait after a failed login before the refusal; default 1000 ms (tests pass a small value) */
  failedLoginDelayMs?: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class LoginPolicy {
  readonly host: Host;
  readonly failedLoginDelayMs: number;
  private readonly clock: PolicyClock;

  constructor(host: Host, clock: PolicyClock, options: LoginPolicyOptions = {}) {
    this.host = host;
    this.clock = clock;
    this.failedLoginDelayMs = options.failedLoginDelayMs ?? 1000;
  }

  /**
   * No TLS in the lab: a password can only travel in clear text, which the topology allows or
   * not (mail.plaintextAuth). Off means no SMTP AUTH, no POP3 USER/PASS or AUTH PLAIN, and IMAP
   * LOGINDISABLED (RFC 3501 section 6.2.3).
   */
  get plaintextAllowed(): boolean {
    return this.host.mail?.plaintextAuth !== false;
  }

  /** The SASL mechanisms offered (SMTP EHLO's AUTH line, POP3 CAPA's SASL, IMAP's AUTH=). */
  get mechanisms(): ('PLAIN' | 'LOGIN')[] {
    return this.plaintextAllowed ? ['PLAIN', 'LOGIN'] : [];
  }

  /** The words every service uses when plaintext logins are off. */
  get disabledMessage(): string {
    return `plaintext logins are disabled on ${this.host.hostname ?? this.host.name} (mail.plaintextAuth: false) and the lab has no TLS`;
  }

  /** Decode a SASL PLAIN response (RFC 4616): base64 of authzid NUL authcid NUL passwd. */
  decodePlain(base64: string): Decoded<PlainFields> {
    const text = base64.trim();
    if (!BASE64.test(text)) return { ok: false, reason: 'the PLAIN response is not valid base64' };
    const parts = Buffer.from(text, 'base64').toString('utf8').split('\0');
    if (parts.length !== 3 || parts[1] === '') {
      return { ok: false, reason: 'the PLAIN response must be authzid NUL authcid NUL password (RFC 4616)' };
    }
    const [authzid, authcid, password] = parts;
    return { ok: true, value: { authzid, authcid, password } };
  }

  /** Decode one line of a SASL LOGIN exchange (the user name or the password, each base64). */
  decodeLoginLine(base64: string): Decoded<string> {
    const text = base64.trim();
    if (!BASE64.test(text)) return { ok: false, reason: 'the LOGIN response is not valid base64' };
    return { ok: true, value: Buffer.from(text, 'base64').toString('utf8') };
  }

  /**
   * Check a login (user name and password, or the fields of a PLAIN response). A failure
   * waits the failed-login delay first, on the host's clock, which slows password guessing.
   */
  async login(login: string | PlainFields, password?: string): Promise<LoginOutcome> {
    const fields: PlainFields = typeof login === 'string' ? { authzid: '', authcid: login, password: password ?? '' } : login;
    if (!this.plaintextAllowed) return { ok: false, reason: 'disabled', message: this.disabledMessage };
    // One user may not act as another (an authzid naming someone else).
    if (fields.authzid !== '' && fields.authzid.toLowerCase() !== fields.authcid.toLowerCase()) {
      await this.failedDelay();
      return { ok: false, reason: 'authzid', message: 'logging in as another user (authzid) is not allowed' };
    }
    const account = checkLogin(this.host, fields.authcid, fields.password);
    if (!account) {
      await this.failedDelay();
      return { ok: false, reason: 'refused', message: 'invalid user name or password' };
    }
    return { ok: true, account };
  }

  private async failedDelay(): Promise<void> {
    if (this.failedLoginDelayMs > 0) await this.clock.sleep(this.failedLoginDelayMs);
  }
}
