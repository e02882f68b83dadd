// The POP3 client gives a session up when an answer does not come within timeoutMs of its
// command, with one timer for the oldest answer awaited: a server that greets and then says
// nothing, and one that answers the first of two pipelined commands only.
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { Pop3Client } from '../../lab/client/pop3-client.ts';

async function server(onLine: (socket: net.Socket, line: string) => void): Promise<net.Server> {
  const s = net.createServer((socket) => {
    socket.write('+OK ready\r\n');
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d;
      for (let i = buffered.indexOf('\r\n'); i >= 0; i = buffered.indexOf('\r\n')) {
        onLine(socket, buffered.slice(0, i));
        buffered = buffered.slice(i + 2);
      }
    });
    socket.on('error', () => {});
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

async function client(s: net.Server, timeoutMs: number): Promise<Pop3Client> {
  const socket = net.connect((s.address() as net.AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  const c = new Pop3Client(socket, { timeoutMs });
  await c.greeting();
  return c;
}

describe('Pop3Client time-out', () => {
  it('gives up when the server says nothing after a command', async () => {
    const s = await server(() => {});
    try {
      const c = await client(s, 50);
      await expect(c.noop()).rejects.toThrow('no answer from the POP3 server within 50 ms');
      await expect(c.noop()).rejects.toThrow('within 50 ms'); // the session is over
    } finally {
      s.close();
    }
  });

  it('waits for each pipelined answer in turn, and gives up on the one that does not come', async () => {
    const s = await server((socket, line) => {
      if (line === 'NOOP') socket.write('+OK\r\n');
    });
    try {
      const c = await client(s, 80);
      const [first, second] = c.pipeline([{ line: 'NOOP', expect: 'single' }, { line: 'STAT', expect: 'single' }]);
      expect((await first).ok).toBe(true);
      await expect(second).rejects.toThrow('within 80 ms');
      expect(c.exchanges.map((e) => e.command)).toEqual(['', 'NOOP']);
      expect(c.exchanges[1].transcript).toEqual([{ dir: 'C', line: 'NOOP' }, { dir: 'S', line: '+OK' }]);
    } finally {
      s.close();
    }
  });

  it('keeps a long session going as long as every answer comes in time', async () => {
    const s = await server((socket, line) => {
      if (line === 'NOOP') setTimeout(() => socket.write('+OK\r\n'), 40);
    });
    try {
      const c = await client(s, 1000);
      for (let i = 0; i < 30; i++) await c.noop(); // 30 answers, ~1.2 s in all: longer than one time-out
      expect(c.exchanges).toHaveLength(31);
    } finally {
      s.close();
    }
  });
});
