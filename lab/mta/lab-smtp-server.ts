// smtp-server, made to answer as a lab host: who is calling is known before the session starts,
// and the greeting goes out at once.
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { SmtpListener } from './smtp-listener.ts';

/**
 * smtp-server with a lab-aware connect(): the peer is identified before the session starts, so
 * smtp-server's session, its reverse lookup and its replies all see the virtual address.
 */
export class LabSmtpServer extends SMTPServer {
  listener!: Pick<SmtpListener, 'identify' | 'attach'>;

  override connect(socket: net.Socket, socketOptions?: ConstructorParameters<typeof SMTPConnection>[2]): void {
    const early = () => {};
    socket.on('error', early);
    this.listener.identify(socket).then(
      (peer) => {
        if (socket.destroyed) return;
        // As SMTPServer.connect, with the lab's address and our hooks before init().
        const connection = new SMTPConnection(this, socket, { ...socketOptions, remoteAddress: peer.address });
        this.connections.add(connection);
        connection.on('error', (err: Error) => this._onError(err));
        connection.on('connect', (data: unknown) => (this as unknown as { _onClientConnect(d: unknown): void })._onClientConnect(data));
        this.listener.attach(connection, peer);
        greetAtOnce(connection, this);
        socket.off('error', early);
      },
      () => socket.destroy(),
    );
  }
}

/**
 * smtp-server's init() without its fixed 100 ms wait for early talkers (an anti-spam pause that
 * would only slow every hop of the lesson): the same listener set-up and client limit, then the
 * greeting at once.
 */
function greetAtOnce(connection: SMTPConnection, server: SMTPServer): void {
  const c = connection as unknown as { _setListeners(cb: () => void): void; connectionReady(): void; send(code: number, text: string, close?: boolean): void; name: string };
  const limit = (server as unknown as { options: { maxClients?: number } }).options.maxClients;
  c._setListeners(() => {
    if (limit && server.connections.size > limit) return c.send(421, `${c.name} Too many connected clients, try again in a moment`, false);
    c.connectionReady();
  });
}
