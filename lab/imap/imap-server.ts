import net from 'node:net';
import type { HostContext, Service } from '../host/host-context.ts';
import type { MailStore } from '../mailbox/mail-store.ts';
import { ImapConnection } from './imap-connection.ts';

// The IMAP half of the dovecot role (seed steps 8 to 10): IMAP4rev1 (RFC 3501) with IDLE,
// UIDPLUS, LITERAL+, NAMESPACE, MOVE, UNSELECT and ID over the host's Maildir store.

export interface ImapServerOptions {
  port: number;
  /**
   * Autologout after this long without a command, on the host's clock. Default: the topology's
   * `limits.idleTimeout` before login, and after login that or 30 minutes, whichever is longer
   * (RFC 3501 section 5.4: an autologout timer of at least 30 minutes). Given, it is both.
   */
  idleTimeoutMs?: number;
  /** sessions at once; more are greeted with BYE */
  maxClients?: number;
  /** longest command line, octets */
  maxLineLength?: number;
  /** largest APPEND literal, octets (defaults to the host's message size limit) */
  maxLiteralSize?: number;
}

export interface ImapLimits {
  /** after login */
  idleTimeoutMs: number;
  /** before login: a client that connects and says nothing is not kept for half an hour */
  loginIdleTimeoutMs: number;
  maxClients: number;
  maxLineLength: number;
  maxLiteralSize: number;
  /** failed logins before the session is closed */
  maxFailedLogins: number;
}

export class ImapServer implements Service {
  readonly ctx: HostContext;
  readonly store: MailStore;
  readonly limits: ImapLimits;
  readonly connections = new Set<ImapConnection>();
  private readonly server: net.Server;
  private listeningPort = 0;

  constructor(ctx: HostContext, options: ImapServerOptions) {
    this.ctx = ctx;
    const hostLimits = ctx.host.mail?.limits;
    this.limits = {
      // the topology's limits, with the schema's defaults where they did not come through
      idleTimeoutMs: options.idleTimeoutMs ?? Math.max(hostLimits?.idleTimeout ?? 0, 30 * 60_000),
      loginIdleTimeoutMs: options.idleTimeoutMs ?? hostLimits?.idleTimeout ?? 5 * 60_000,
      maxClients: options.maxClients ?? hostLimits?.clients ?? 50,
      // RFC 7162 section 4 asks for at least 8192; long UID sets make long lines
      maxLineLength: options.maxLineLength ?? 64 * 1024,
      maxLiteralSize: options.maxLiteralSize ?? hostLimits?.messageSize ?? 10 * 1024 * 1024,
      maxFailedLogins: 3,
    };
    // the host's one store, shared with the MDA and POP3
    this.store = ctx.mailStore;
    this.server = net.createServer((socket) => {
      ctx.clock.track(socket);
      this.accept(socket);
    });
    this.server.on('error', () => undefined);
  }

  get port(): number {
    return this.listeningPort;
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.ctx.listen, () => {
        this.server.off('error', reject);
        this.listeningPort = (this.server.address() as net.AddressInfo).port;
        resolve(this.listeningPort);
      });
    });
  }

  private accept(socket: net.Socket): void {
    if (this.connections.size >= this.limits.maxClients) {
      // the topology's limits.clients: refused with a reason, the sessions already here go on
      // (RFC 5530 UNAVAILABLE: a passing condition)
      socket.on('error', () => undefined);
      socket.end(`* BYE [UNAVAILABLE] Too many connections (${this.limits.maxClients} at most); try again later\r\n`);
      socket.resume();
      const timer = setTimeout(() => socket.destroy(), 2000);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    const conn = new ImapConnection(this, socket);
    this.connections.add(conn);
    conn.start().catch(() => socket.destroy());
  }

  async close(): Promise<void> {
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of [...this.connections]) conn.shutdown();
    this.connections.clear();
    await closing;
  }
}

export async function startImapServer(ctx: HostContext, options: ImapServerOptions): Promise<ImapServer> {
  const server = new ImapServer(ctx, options);
  await server.listen(options.port);
  return server;
}
