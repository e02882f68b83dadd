import net from 'node:net';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { HostContext, Service } from '../host/host-context.ts';
import { Pop3Connection } from './pop3-connection.ts';
import { SizeCache } from './maildrop.ts';

export interface Pop3Options {
  /** the real port to listen on; 0 lets the OS choose */
  port: number;
  /** inactivity autologout; RFC 1939 section 3 asks for at least 10 minutes, the default */
  idleTimeoutMs?: number;
  /** concurrent clients; default the host's mail limit (topology `limits.clients`) */
  maxClients?: number;
  /** failed logins before the connection is closed; default 3 */
  maxFailedLogins?: number;
  /** longest command line, CRLF included; default 255 (RFC 2449 section 4) */
  maxCommandOctets?: number;
}

export type ResolvedPop3Options = Required<Pop3Options>;

/** Maildrops open in a session, by folder: one session per maildrop (RFC 1939 section 8, RFC 2449 [IN-USE]). */
const openMaildrops = new Map<string, Pop3Connection>();

/**
 * The dovecot role's POP3 side (RFC 1939, CAPA from RFC 2449, AUTH PLAIN from RFC 5034):
 * owns the listener, the live sessions and the maildrop locks. Steps 8 to 10 of the seed.
 */
export class Pop3Server {
  readonly ctx: HostContext;
  readonly options: ResolvedPop3Options;
  readonly sizes = new SizeCache();
  readonly connections = new Set<Pop3Connection>();
  /** 'session-end' (connection) once a session is over and its maildrop let go */
  readonly events = new EventEmitter();
  private readonly server: net.Server;
  private readonly mailRoot: string;

  constructor(ctx: HostContext, options: Pop3Options) {
    this.ctx = ctx;
    this.options = {
      port: options.port,
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      maxClients: options.maxClients ?? ctx.host.mail?.limits.clients ?? 50,
      maxFailedLogins: options.maxFailedLogins ?? 3,
      maxCommandOctets: options.maxCommandOctets ?? 255,
    };
    this.mailRoot = path.resolve(ctx.dataDir, 'mail');
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

  /** The user's Maildir; the name is checked so that no login can leave the mail folder. */
  maildirOf(user: string): string {
    if (!/^[a-z0-9._-]+$/.test(user) || user.startsWith('.')) throw new Error(`not a mailbox name: ${JSON.stringify(user)}`);
    return path.join(this.mailRoot, user);
  }

  lockMaildrop(user: string, connection: Pop3Connection): boolean {
    const key = this.maildirOf(user);
    const holder = openMaildrops.get(key);
    if (holder && holder !== connection) return false;
    openMaildrops.set(key, connection);
    return true;
  }

  unlockMaildrop(user: string, connection: Pop3Connection): void {
    const key = this.maildirOf(user);
    if (openMaildrops.get(key) === connection) openMaildrops.delete(key);
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
