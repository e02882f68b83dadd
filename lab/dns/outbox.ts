// Answers to one burst of datagrams go out together, once the burst has been read. libuv reads
// up to 32 datagrams each time the socket is readable and hands them over one by one; answering
// each at once interleaves our sends with the asker's reads, so that every answer finds the asker
// asleep and pays for waking it (on this project's machine a seventh of the name server's CPU under
// dnsperf went to waking it). Sent back to back after the burst, the first answer wakes it and the
// rest find it awake. The answers wait only for the rest of the burst: setImmediate runs right
// after the poll phase that read it.
import type dgram from 'node:dgram';

interface Pending {
  bytes: Buffer;
  port: number;
  address: string;
  /** the asker's own connected socket (asker-flows.ts), or the name server's socket */
  socket: dgram.Socket;
  connected: boolean;
}

export class Outbox {
  private pending: Pending[] = [];
  private scheduled = false;

  add(bytes: Buffer, rinfo: dgram.RemoteInfo, socket: dgram.Socket | undefined, connected = false): void {
    if (!socket) return;
    this.pending.push({ bytes, port: rinfo.port, address: rinfo.address, socket, connected });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Send what is waiting (also when the server closes: nothing answered is left unsent). */
  flush(): void {
    const pending = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (const { bytes, port, address, socket, connected } of pending) {
      try {
        if (connected) socket.send(bytes);
        else socket.send(bytes, port, address);
      } catch {
        // the socket closed meanwhile (the lab stops, an asker's own socket went idle): the
        // asker asks again, as for any datagram lost
      }
    }
  }
}
