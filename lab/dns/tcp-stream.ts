// DNS over TCP framing (RFC 1035 section 4.2.2): each message is preceded by its length in two
// bytes. Kept apart from answering, as smtp-server keeps its stream apart from its commands.
import type net from 'node:net';

/** Collect length-prefixed messages from a socket and hand each one over, in order. */
export class DnsStream {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly onMessage: (message: Buffer) => void;

  constructor(socket: net.Socket, onMessage: (message: Buffer) => void) {
    this.onMessage = onMessage;
    socket.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 2) {
      const length = this.buffered.readUInt16BE(0);
      if (this.buffered.length < 2 + length) return;
      const message = this.buffered.subarray(2, 2 + length);
      this.buffered = this.buffered.subarray(2 + length);
      this.onMessage(message);
    }
  }
}

export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}
