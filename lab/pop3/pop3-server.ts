import net from 'node:net';
import { EventEmitter } from 'node:events';
import type { HostContext, Service } from '../host/host-context.ts';
import { Pop3Connection } from './pop3-connection.ts';

export interface Pop3Options {
  /** the real port to listen on; 0 lets the OS choose */
  port: number;
  /**
   * Inactivity autologout after login, on the host's clock; default the topology's
   * `limits.idleTimeout` or 10 minutes, whichever is longer (RFC 1939 section 3: at least 10).
   */
  idleTimeoutMs?: number;
  /** the same before login; default the topology's `limits.idleTimeout` (or idleTimeoutMs when given) */
  loginIdleTimeoutMs?: number;
  /** concurrent clients; default the host's mail limit (topology `limits.clients`) */
  maxClients?: number;
  /** failed logins before the connection is closed; default 3 */
  maxFailedLogins?: number;
  /** longest command line, CRLF included; default 255 (RFC 2449 section 4) */
  maxCommandOctets?: number;
}

export type ResolvedPop3Options = Required<Pop3Options>;

/**
 * The dovecot role's POP3 side (RFC 1939, CAPA from RFC 2449, AUTH PLAIN from RFC 5034):
 * owns the listener and the live sessions; the maildrops are views of the host's one mail store,
 * which also keeps who holds each (one session per maildrop). Steps 8 to 10 of the seed.
 */
export class Pop3Server {
  readonly ctx: HostContext;
  readonly options: ResolvedPop3Options;
  readonly connections = new Set<Pop3Connection>();
  /** 'session-end' (connection) once a session is over and its maildrop let go */
  readonly events = new EventEmitter();
  private readonly server: net.Server;

  constructor(ctx: HostContext, options: Pop3Options) {
    this.ctx = ctx;
    this.options = {
      port: options.port,
      // the topology's limits, with the schema's defaults where they did not come through
      idleTimeoutMs: options.idleTimeoutMs ?? Math.max(ctx.host.mail?.limits.idleTimeout ?? 0, 10 * 60_000),
      loginIdleTimeoutMs: options.loginIdleTimeoutMs ?? options.idleTimeoutMs ?? ctx.host.mail?.limits.idleTimeout ?? 5 * 60_000,
      maxClients: options.maxClients ?? ctx.host.mail?.limits.clients ?? 50,
      maxFailedLogins: options.maxFailedLogins ?? 3,
      maxCommandOctets: options.maxCommandOctets ?? 255,
    };
    // Half-open: a client may send its commands and close its side; it still gets every answer.
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server.on('error', () => {
      // Accept errors (EMFILE) must not end the lab; listen errors reach listen()'s caller.
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      this.server.once('error', fail);
      this.server.listen(this.options.port, this.ctx.listen, () => {
        this.server.off('error', fail);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    // its idle time-out stands still while a hop is held (--step)
    this.ctx.clock.track(socket);
    if (this.connections.size >= this.options.maxClients) {
      // RFC 2449 section 8.1.2 SYS/TEMP: a passing condition; the client may try again later.
      socket.end(`-ERR [SYS/TEMP] too many connections (${this.options.maxClients}); try again later\r\n`);
      // Half-open sockets wait for the client's close; one that never closes is cut off.
      const timer = setTimeout(() => socket.destroy(), 2000);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    const connection = new Pop3Connection(this, socket);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    connection.run().catch(() => socket.destroy());
    connection.ended.then(() => this.events.emit('session-end', connection));
  }

  /** Stop listening, tell every session the server goes, and wait until all are closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await closed;
  }
}

export async function startPop3Server(ctx: HostContext, options: Pop3Options): Promise<Service> {
  const server = new Pop3Server(ctx, options);
  const port = await server.listen();
  return { port, close: () => server.close() };
}
