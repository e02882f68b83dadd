import type net from 'node:net';

/**
 * Write to a socket and, when its buffer is full, wait until the client has read it (or gone):
 * back-pressure, so a slow reader never makes a server hold a whole mailbox in memory.
 */
export async function writeAndDrain(socket: net.Socket, data: Buffer | string): Promise<void> {
  if (socket.write(data)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
