// One TCP session of a case: connect, send the chunks, close our side, and wait (bounded) for
// the server to close its side. A server that neither answers nor closes within the bound hangs.
import net from 'node:net';
import type { Outcome } from './target.ts';

/** How long a session may take after the client has sent everything; far above the servers' own idle time-outs. */
export const SESSION_BOUND_MS = 15_000;

/**
 * An outcome settled once: by the first `finish`, or by `onTimeout` after `bound` ms; `cleanup`
 * (closing the socket) runs either way.
 */
export function settleOnce(bound: number, onTimeout: () => Outcome, cleanup: () => void): { promise: Promise<Outcome>; finish(outcome: Outcome): void } {
  let done = false;
  let resolve!: (outcome: Outcome) => void;
  const promise = new Promise<Outcome>((r) => (resolve = r));
  const finish = (outcome: Outcome) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    cleanup();
    resolve(outcome);
  };
  const timer = setTimeout(() => finish(onTimeout()), bound);
  return { promise, finish };
}

export function runSession(port: number, chunks: Buffer[], bound = SESSION_BOUND_MS): Promise<Outcome> {
  const socket = net.connect(port, '127.0.0.1');
  const { promise, finish } = settleOnce(bound, () => ({ ok: false, failure: 'hang', detail: `the server neither closed nor finished the session within ${bound} ms of the client's last byte` }), () => socket.destroy());
  // what the server says is read and dropped: only whether it goes on matters here
  socket.on('data', () => {});
  socket.on('error', () => finish({ ok: true }));
  socket.on('close', () => finish({ ok: true }));
  socket.once('connect', () => {
    for (const chunk of chunks) socket.write(chunk);
    socket.end();
  });
  return promise;
}

/**
 * A fresh session that must answer: read the greeting, send `command`, wait for a line that
 * matches `answer`. Fails as unresponsive after `bound` ms.
 */
export function probeSession(port: number, greeting: RegExp, command: string, answer: RegExp, bound = 10_000): Promise<Outcome> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  let said = '';
  let sent = false;
  const heard = () => JSON.stringify((said + text).slice(0, 300));
  const { promise, finish } = settleOnce(bound, () => ({ ok: false, failure: 'unresponsive', detail: `no answer to ${JSON.stringify(command)} within ${bound} ms; got ${heard()}` }), () => socket.destroy());
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    text += d;
    if (!sent && greeting.test(text)) {
      sent = true;
      said = text;
      text = '';
      socket.write(command);
    } else if (sent && answer.test(text)) finish({ ok: true });
  });
  socket.on('error', (err) => finish({ ok: false, failure: 'unresponsive', detail: `probe failed: ${err.message}; got ${heard()}` }));
  socket.on('close', () => finish({ ok: false, failure: 'unresponsive', detail: `the server closed the probe session${sent ? ` after ${JSON.stringify(command)}` : ''}; got ${heard()}` }));
  return promise;
}
