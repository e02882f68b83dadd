// Everything mail-lab does to smtp-server that its public options cannot (DESIGN.md: "what must
// reach inside it lives in one adapter file that checks what it patches at start-up, with the
// version pinned"). The listener (smtp-listener.ts) uses smtp-server's options and hooks, and
// this file's three additions:
//   - who is calling is the lab network's answer (a virtual address), known before the session
//     starts: `connect()` builds the connection with it;
//   - the greeting goes out at once, without smtp-server's fixed 100 ms wait for early talkers
//     (an anti-spam pause that would only slow every hop of the lesson): `init()`;
//   - every command line passes the lab first (the transcript with its secrets marked, the
//     line limit answered with 500 instead of a dropped connection): a hook on each command
//     parser, set where smtp-server creates one, so a parser made after an upgrade has it too;
//   - a reply text may bring its own enhanced status code (`5.7.1 ... Relaying denied`): `send()`;
//   - after QUIT's 221 the socket is shut once the reply is out, not read to its end: `handler_QUIT()`.
// smtp-server is pinned to an exact version (SMTP_SERVER_VERSION, package.json). This file, and
// smtp-server with it, is loaded at a mail server's first connection: a mail server checks the
// installed version as it starts (mail-packages.ts), and `checkSmtpServer()` checks every member
// used here before the first server is made, naming what is missing if another version is there.
import net from 'node:net';
import { createRequire } from 'node:module';
import { smtpPackages, SMTP_SERVER_VERSION, smtpServerMismatch } from './mail-packages.ts';
import type { Peer } from '../net/lab-net.ts';
import { randomHex } from '../random-hex.ts';

// smtp-server is loaded with this file, which the listener imports on its first connection.
const { SMTPServer } = smtpPackages().server;
type SMTPServer = InstanceType<typeof SMTPServer>;
const { SMTPConnection } = smtpPackages().connection;
type SMTPConnection = InstanceType<typeof SMTPConnection>;

export { SMTP_SERVER_VERSION };

/** What a command line is, as the adapter hands it to the lab. */
export interface CommandInfo {
  /** a line of an AUTH exchange (smtp-server waits for it with a handler of its own), not a command */
  continuation: boolean;
}

/** The lab's side of one connection. */
export interface ConnectionHooks {
  /**
   * Called with every command line before smtp-server sees it. Returns a reply to answer the
   * line with instead (and smtp-server never sees it; a reply to an AUTH continuation line ends
   * that exchange), or undefined to let smtp-server go on.
   */
  command(line: Buffer, info: CommandInfo): { code: number; text: string } | undefined;
  /** bytes arrived from the client (a command line under way, or message data) */
  input?(): void;
}

/** The members of smtp-server's classes this file uses; checked at start-up. */
const CONNECTION_MEMBERS = ['init', '_createParser', '_setListeners', 'connectionReady', 'send', '_onCommand', '_getHandler', 'handler_QUIT'] as const;
const SERVER_MEMBERS = ['connect', '_onError', '_onClientConnect', 'updateSecureContext', '_resolveSNI', '_handleProxy', '_expectsProxyHeader'] as const;
/** instance fields of a new connection, and of its command parser */
const CONNECTION_FIELDS = ['_parser', '_nextHandler', 'name', 'session'] as const;

const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;

/** A reply text with the server's name first, after its enhanced status code if it brings one. */
export function withDomain(text: string, name: string): string {
  const code = ENHANCED_PREFIX.exec(text)?.[0] ?? '';
  const rest = text.slice(code.length);
  return rest === name || rest.startsWith(`${name} `) ? text : `${code}${name} ${rest}`;
}

let checked: string | undefined;

/**
 * Check that the installed smtp-server is the one this adapter patches: its version, and every
 * member used here. Throws one error naming all that is missing and what to do.
 */
export function checkSmtpServer(given?: { version: string; connection: object; server: object; sample?: () => Record<string, unknown> }): void {
  // the installed one is checked once per process
  if (!given && checked) return;
  const found = given ?? installed();
  const missing: string[] = [];
  for (const member of CONNECTION_MEMBERS) if (typeof (found.connection as Record<string, unknown>)[member] !== 'function') missing.push(`SMTPConnection.${member}()`);
  for (const member of SERVER_MEMBERS) if (typeof (found.server as Record<string, unknown>)[member] !== 'function') missing.push(`SMTPServer.${member}()`);
  if (found.sample && missing.length === 0) {
    const sample = found.sample();
    for (const field of CONNECTION_FIELDS) if (!(field in sample)) missing.push(`SMTPConnection#${field}`);
    const parser = sample._parser as { oncommand?: unknown } | undefined;
    if (parser && typeof parser.oncommand !== 'function') missing.push('SMTPStream#oncommand');
  }
  if (found.version !== SMTP_SERVER_VERSION || missing.length > 0) throw smtpServerMismatch(found.version, missing);
  if (!given) checked = found.version;
}

function installed() {
  const require = createRequire(import.meta.url);
  const { version } = require('smtp-server/package.json') as { version: string };
  return {
    version,
    connection: SMTPConnection.prototype,
    server: SMTPServer.prototype,
    // a connection as smtp-server builds it, on a socket that never connects (its server with
    // no TLS context: nothing here reads it)
    sample: () => new SMTPConnection(new (class extends SMTPServer { override updateSecureContext(): void {} })({ logger: false }), new net.Socket(), {}) as unknown as Record<string, unknown>,
  };
}

/** The sessions each server has let in under its client limit (LabSmtpConnection.init). */
const admittedByServer = new WeakMap<object, { count: number }>();
function admittedSessions(server: object): { count: number } {
  let admitted = admittedByServer.get(server);
  if (!admitted) admittedByServer.set(server, (admitted = { count: 0 }));
  return admitted;
}

/** smtp-server's connection with the lab's hooks (see the top of this file). */
export class LabSmtpConnection extends SMTPConnection {
  /** set by the listener before the session starts */
  declare lab: ConnectionHooks | undefined;

  /**
   * smtp-server's init() without the 100 ms wait: the same listeners, then the client limit and
   * the greeting. The limit counts the sessions let in (greeted 220 and not closed yet), not
   * smtp-server's set of sockets: that set also holds the ones about to be told 421, and as those
   * close, a later one could be let in beside the full count (a flood got 10 greetings for 5).
   */
  override init(): void {
    const server = this._server as unknown as SMTPServer & { options: { maxClients?: number } };
    this._socket.on('data', () => this.lab?.input?.());
    this._setListeners(() => {
      const limit = server.options.maxClients;
      if (limit) {
        if (this._socket.destroyed) return;
        const admitted = admittedSessions(server);
        if (admitted.count >= limit) return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
        admitted.count++;
        this._socket.once('close', () => admitted.count--);
      }
      this.connectionReady();
    });
  }

  /**
   * A reply text that starts with an enhanced status code carries its own. Replies given in one
   * turn of the event loop (those to a pipelined MAIL, RCPT and DATA, RFC 2920) leave in one
   * write: the socket is corked until the loop's next turn.
   */
  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    // a 421 names the server that closes (RFC 5321 section 4.2: "421 <domain> ..."), as the
    // lab's own 421s do; smtp-server's time-out and its error replies do not
    if (code === 421 && typeof data === 'string') data = withDomain(data, this.name);
    const socket = this._socket as net.Socket | undefined;
    // not the greeting nor a 421 (it closes the connection): only replies to commands
    if (socket && !this.corked && socket.writable && code !== 220 && code !== 421) {
      this.corked = true;
      socket.cork();
      setImmediate(() => {
        this.corked = false;
        if (socket.writableCorked) socket.uncork();
      });
    }
    super.send(code, data, typeof data === 'string' && ENHANCED_PREFIX.test(data) ? false : context);
  }

  private corked = false;

  /**
   * QUIT as smtp-server answers it (221, then its close: the FIN, and whatever the client still
   * sends read and dropped), and the socket shut as soon as the reply and the FIN are out. A
   * client that resets the connection as it leaves (Postfix's smtp-source does, after each
   * letter) otherwise costs a read error, made with its stack, for every connection: 1.5% of the
   * lab's CPU for two hops of 5,000 letters.
   */
  override handler_QUIT(command: Buffer, callback: () => void): void {
    super.handler_QUIT(command, callback);
    const socket = this._socket;
    if (socket.destroyed) return;
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  }

  /** Every parser smtp-server makes (the first, and a new one after STARTTLS) passes lines to the lab first. */
  override _createParser(): ReturnType<SMTPConnection['_createParser']> {
    const parser = super._createParser();
    const oncommand = parser.oncommand;
    // smtp-stream hands the last line of a closed connection over without a callback (its
    // _flushData); found by the fuzzer (npm run fuzz), it crashed the lab here
    parser.oncommand = (command: Buffer, callback?: () => void) => {
      const continuation = Boolean(this._nextHandler);
      const reply = this.lab?.command(command, { continuation });
      if (!reply) return oncommand.call(parser, command, callback);
      // smtp-server would take the next line for the rest of the exchange
      if (continuation) this._nextHandler = false;
      this.send(reply.code, reply.text);
      if (callback) setImmediate(callback);
    };
    return parser;
  }
}

/** The lab side of a server: who is calling, and the hooks for that connection. */
export interface ServerHooks {
  identify(socket: net.Socket): Promise<Peer>;
  attach(connection: LabSmtpConnection, peer: Peer): void;
}

/**
 * smtp-server with a lab-aware connect(): the peer is identified before the session starts, so
 * smtp-server's session, its reverse lookup and its replies all see the virtual address.
 */
export class LabSmtpServer extends SMTPServer {
  hooks!: ServerHooks;

  constructor(options: ConstructorParameters<typeof SMTPServer>[0]) {
    checkSmtpServer();
    super(options);
  }

  /**
   * smtp-server builds its TLS contexts (from its own key and certificate) for every server as
   * it is made, and reads them only for STARTTLS or implicit TLS, which the lab's servers never
   * offer (smtp-listener.ts): they are built on the first look instead, as smtp-server would
   * have built them. OpenSSL's parse of them cost each server about 0.2 MB.
   */
  override updateSecureContext(options?: Parameters<SMTPServer['updateSecureContext']>[0]): void {
    const self = this as unknown as { secureContext: Map<string, unknown> };
    const build = () => {
      super.updateSecureContext(options);
      return self.secureContext;
    };
    self.secureContext = new LazyMap(build);
  }

  /**
   * smtp-server's first look at a new socket: a session ID (16 characters of base 32 from 80
   * random bits) and, where the options say so, a PROXY header. The lab's servers expect none, so
   * only the ID is made here, from the lab's pool of random bytes (random-hex.ts): smtp-server's
   * crypto.randomBytes per connection was 1% of the lab's CPU for 5,000 letters from outside.
   */
  override _handleProxy(socket: net.Socket, callback: (err: Error | null, socketOptions: { id: string; ignore?: boolean }) => void): void {
    const self = this as unknown as { _expectsProxyHeader(socket: net.Socket): boolean; options: { ignoredHosts?: string[] } };
    if (self._expectsProxyHeader(socket)) return super._handleProxy(socket, callback as never);
    const id = BigInt(`0x${randomHex(10)}`).toString(32).padStart(16, '0');
    const ignore = self.options.ignoredHosts?.includes(socket.remoteAddress ?? '');
    setImmediate(() => callback(null, { id, ignore }));
  }

  override connect(socket: net.Socket, socketOptions?: ConstructorParameters<typeof SMTPConnection>[2]): void {
    const early = () => {};
    socket.on('error', early);
    this.hooks.identify(socket).then(
      (peer) => {
        if (socket.destroyed) return;
        // As SMTPServer.connect, with the lab's address and our hooks before init().
        const connection = new LabSmtpConnection(this, socket, { ...socketOptions, remoteAddress: peer.address });
        this.connections.add(connection);
        connection.on('error', (err: Error) => this._onError(err));
        connection.on('connect', (data: Parameters<SMTPServer['_onClientConnect']>[0]) => this._onClientConnect(data));
        this.hooks.attach(connection, peer);
        connection.init();
        socket.off('error', early);
      },
      () => socket.destroy(),
    );
  }
}

/** A Map that `build` makes on the first look into it (smtp-server only ever calls get). */
class LazyMap<K, V> extends Map<K, V> {
  private built: Map<K, V> | undefined;
  private readonly build: () => Map<K, V>;
  constructor(build: () => Map<K, V>) {
    super();
    this.build = build;
  }
  override get(key: K): V | undefined {
    return (this.built ??= this.build()).get(key);
  }
  override has(key: K): boolean {
    return (this.built ??= this.build()).has(key);
  }
}
