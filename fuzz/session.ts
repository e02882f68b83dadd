// One TCP session of a case: connect, send the chunks, close our side, and wait (bounded) for
// the server to close its side. A server that neither answers nor closes within the bound hangs.
import net from 'node:net';
import type { Outcome } from './target.ts';

/** How long a session may take after the client has sent everything; far above the servers' own idle time-outs. */
export const SESSION_BOUND_MS = 15_000;

export function runSession(port: number, chunks: Buffer[], bound = SESSION_BOUND_MS): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, failure: 'hang', detail: `the server neither closed nor finished the session within ${bound} ms of the client's last byte` }), bound);
    // what the server says is read and dropped: only whether it goes on matters here
    socket.on('data', () => {});
    socket.on('error', () => finish({ ok: true }));
    socket.on('close', () => finish({ ok: true }));
    socket.once('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      socket.end();
    });
  });
}

/**
 * A fresh session that must answer: read the greeting, send `command`, wait for a line that
 * matches `answer`. Fails as unresponsive after `bound` ms.
 */
export function probeSession(port: number, greeting: RegExp, command: string, answer: RegExp, bound = 10_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let sent = false;
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, failure: 'unresponsive', detail: `no answer to ${JSON.stringify(command)} within ${bound} ms; got ${JSON.stringify(text.slice(0, 200))}` }), bound);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
      if (!sent && greeting.test(text)) {
        sent = true;
        text = '';
        socket.write(command);
      } else if (sent && answer.test(text)) finish({ ok: true });
    });
    socket.on('error', (err) => finish({ ok: false, failure: 'unresponsive', detail: `probe failed: ${err.message}` }));
    socket.on('close', () => finish({ ok: false, failure: 'unresponsive', detail: `the server closed the probe session; got ${JSON.stringify(text.slice(0, 200))}` }));
  });
}
