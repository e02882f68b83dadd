import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HopEvent } from '../trace/hop-event.ts';
import type { TraceBus } from '../trace/trace-bus.ts';

/** A browser that fell this far behind is dropped; it reconnects and catches up from the trace. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/**
 * The page's live feed, as Server-Sent Events (text/event-stream, HTML Living Standard section
 * 9.2): every hop as `event: hop` with `id: <seq>`, so a browser that reconnects sends
 * Last-Event-ID and gets exactly the hops it missed from the trace; other news (`hello`,
 * `state`, `preview`, `reset`, `scenario`, `action`) carries no id. Any number of browsers.
 */
export class LiveStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly trace: TraceBus;
  private readonly off: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  /** what every browser is told first (the reset point, so a page knows whether to start over) */
  hello: () => unknown = () => ({});
  /** the hops before this seq are from before the last reset and are not sent */
  since: () => number = () => 0;

  constructor(trace: TraceBus) {
    this.trace = trace;
    this.off = trace.on((event) => this.hop(event));
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** GET /api/stream: catch up from the trace after Last-Event-ID (or ?after=N), then live. */
  open(req: IncomingMessage, res: ServerResponse, after: number): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 1000\n\n`);
    res.write(frame('hello', this.hello()));
    const from = Math.max(after, this.since());
    // Written in one go, then the listener: the bus is synchronous, so no hop falls in between.
    const catchUp: string[] = [];
    for (const event of this.trace.events) if (event.seq > from) catchUp.push(frame('hop', event, event.seq));
    if (catchUp.length) res.write(catchUp.join(''));
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  }

  private hop(event: HopEvent): void {
    this.write(frame('hop', event, event.seq));
  }

  /** Tell every browser something that is not a hop. */
  send(name: string, data: unknown): void {
    this.write(frame(name, data));
  }

  private write(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  close(): void {
    this.off();
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

/** One SSE message; JSON has no raw line breaks, so one data line holds it. */
export function frame(name: string, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
