import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { crypto } from '../node-builtins.ts';
import type { AddressInfo } from 'node:net';
import type { Lang } from '../trace/language.ts';
import { Lesson } from './lesson.ts';
import { LiveStream } from './live-stream.ts';
import { HopFiles } from './hop-files.ts';
import { BadRequest } from './bad-request.ts';
import { loadWebModules } from './web-modules.ts';

// node:http by require: an ES module import of it makes Node read its lazy exports, which load
// undici and node:http2 (lab/mta/mail-packages.ts says more)
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
import { pageFile } from './page-files.ts';
import { LabApi, type Route } from './lab-api.ts';
import { RepeatedActions, type Answer } from './repeated-actions.ts';

export interface WebOptions {
  /** the address to listen on: the topology's listen address, or --web-listen */
  listen: string;
  /** 0: chosen by the OS */
  port: number;
  lang: Lang;
  /** actions need this token (X-Lab-Token header); set when the page is served beyond this computer */
  token?: string;
}

const MAX_BODY = 256 * 1024;

/**
 * The browser view's HTTP server (node:http): the page's files, the live stream and the API of
 * lab-api.ts. It is one more listener on the trace bus and one more caller of the Lab API: it
 * never reaches into a role.
 */
export class WebServer {
  readonly lesson: Lesson;
  readonly stream: LiveStream;
  readonly files: HopFiles;
  readonly api: LabApi;
  private readonly options: WebOptions;
  private readonly server: Server;
  /** actions by their X-Lab-Request ID, so that one sent again is done once (repeated-actions.ts) */
  private readonly repeated = new RepeatedActions();
  url = '';

  constructor(lesson: Lesson, options: WebOptions) {
    this.lesson = lesson;
    this.options = options;
    this.stream = new LiveStream(lesson.trace);
    this.files = new HopFiles(lesson.trace, lesson.lab.dataDir, localFiles(lesson));
    this.api = new LabApi(lesson, this.stream, this.files, options);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // an SSE response is open for as long as the page is
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 20_000;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.listen, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    const host = this.options.listen.includes(':') ? `[${this.options.listen}]` : this.options.listen;
    this.url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}/`;
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://lab');
    try {
      await loadWebModules();
      if (req.method === 'GET' || req.method === 'HEAD') {
        const file = pageFile(url.pathname);
        if (file) return reply(res, 200, file.body, file.type);
        if (url.pathname === '/' || url.pathname === '/index.html') return reply(res, 200, this.api.indexHtml(req), 'text/html; charset=utf-8');
      }
      const route = this.api.route(req.method ?? 'GET', url.pathname);
      if (!route) throw new BadRequest({ en: `no ${req.method} ${url.pathname} here; the API is listed in README.md ("The page")`, ko: `${req.method} ${url.pathname}: 이런 요청은 없습니다. API는 README.md의 "The page"에 있습니다` }, 404);
      if (route.method !== 'POST') {
        const result = await route.handler({ req, res, url, body: undefined });
        if (result !== undefined) reply(res, result.status ?? 200, JSON.stringify(result.body), JSON_TYPE);
        return; // else the handler answered itself (the stream, a download)
      }
      this.checkPost(req);
      const id = RepeatedActions.idOf(req.headers['x-lab-request']);
      const text = await readBody(req);
      const act = () => this.act(route, req, res, url, text);
      const answer = await (id === undefined ? act() : this.repeated.once(id, url.pathname, text, act));
      reply(res, answer.status, answer.body, JSON_TYPE);
    } catch (err) {
      const answer = failed(err);
      if (!res.headersSent) reply(res, answer.status, answer.body, JSON_TYPE);
      else res.end();
    }
  }

  /** An action: its answer, a refusal included, as the JSON to send (kept for a repeat). */
  private async act(route: Route, req: IncomingMessage, res: ServerResponse, url: URL, text: string): Promise<Answer> {
    try {
      const result = await route.handler({ req, res, url, body: parseJson(text) });
      return { status: result?.status ?? 200, body: JSON.stringify(result?.body ?? {}) };
    } catch (err) {
      return failed(err);
    }
  }

  /**
   * An action must be JSON (so another web site cannot post it from a student's browser without
   * a CORS preflight, which this server never grants), from this page's own origin, and carry the
   * token when the page is served to a classroom network.
   */
  private checkPost(req: IncomingMessage): void {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new BadRequest({ en: 'send the request as JSON (Content-Type: application/json)', ko: '요청을 JSON으로 보내세요 (Content-Type: application/json)' }, 415);
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && new URL(origin).host !== req.headers.host) throw new BadRequest({ en: `actions come from the lab's own page, not from ${origin}`, ko: `조작은 실습망의 웹 화면에서만 할 수 있습니다 (${origin}에서 온 요청)` }, 403);
    if (this.options.token && !sameToken(String(req.headers['x-lab-token'] ?? ''), this.options.token)) {
      throw new BadRequest({
        en: 'this action needs the token printed in the lab\'s terminal: open the address with ?token=... as printed there',
        ko: '이 조작에는 실습망 터미널에 찍힌 토큰이 필요합니다: 터미널에 나온 대로 ?token=...이 붙은 주소로 여세요',
      }, 403);
    }
  }

  async close(): Promise<void> {
    this.stream.close();
    this.files.close();
    this.api.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The files hops name, on this computer, for whichever lab the lesson runs now (a reset starts another). */
function localFiles(lesson: Lesson): (file: string) => string {
  return (file) => lesson.lab.runtime.localFile?.(file) ?? file;
}

export function newToken(): string {
  return crypto.randomBytes(9).toString('base64url');
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function reply(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A refusal (400...) or a failure (500) as the API answers it: the reason in English and Korean. */
function failed(err: unknown): Answer {
  const status = err instanceof BadRequest ? err.status : 500;
  const en = (err as Error).message;
  const ko = err instanceof BadRequest ? err.ko : `실습망에서 오류가 났습니다: ${en}`;
  return { status, body: JSON.stringify({ error: en, message: { ko, en } }) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadRequest({ en: `a request body of at most ${MAX_BODY} bytes`, ko: `요청 본문은 ${MAX_BODY}바이트까지입니다` }, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequest({ en: `the body is not JSON: ${(err as Error).message}`, ko: `요청 본문이 JSON이 아닙니다 (${(err as Error).message})` });
  }
}
