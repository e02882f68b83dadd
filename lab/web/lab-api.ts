import path from 'node:path';
import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Lesson } from './lesson.ts';
import { Conflict } from './lesson.ts';
import type { LiveStream } from './live-stream.ts';
import { insideData, type HopFiles, type HopFile } from './hop-files.ts';
import { labModel, labState, type LabModel } from './lab-model.ts';
import { viewLetter, type LetterView } from './letter-view.ts';
import { indexHtml } from './index-html.ts';
import { exportHtml } from './export-html.ts';
import { StepControl } from './step-control.ts';
import { josa } from './page/josa.ts';
import { BadRequest, requireHost } from './bad-request.ts';
import { webModules } from './web-modules.ts';
import type { HopEvent } from '../trace/hop-event.ts';
import type { Lang } from '../trace/language.ts';

/** the request schemas (zod): loaded by the web server before it answers a request (web-modules.ts) */
const schemas = webModules;

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** a JSON answer, or undefined when the handler wrote the response itself */
  handler: (ctx: RouteContext) => Promise<{ status?: number; body: unknown } | undefined>;
}

/** What a hop's details are: the event and its files as they were right after it. */
export interface HopDetails {
  event: HopEvent;
  files: (HopFile & { letter?: LetterView; control?: unknown })[];
}

/** How often the queues and mailboxes are looked at again while hops come in. */
const STATE_EVERY_MS = 150;

/**
 * The page's API (documented in README.md, "The page"): every read goes through the Lab API
 * (queue, mailbox, topology) or the trace; every action is the same call the CLI and the
 * scenarios make (client().send, fetch, hostDown, linkDown, flush ...). The page uses nothing else.
 */
export class LabApi {
  private readonly lesson: Lesson;
  private readonly stream: LiveStream;
  private readonly files: HopFiles;
  private readonly options: { lang: Lang; token?: string };
  readonly step: StepControl;
  private readonly routes: Route[];
  private actionSeq = 0;
  private stateTimer: NodeJS.Timeout | undefined;
  private stateRunning = false;
  private readonly offs: (() => void)[] = [];

  constructor(lesson: Lesson, stream: LiveStream, files: HopFiles, options: { lang: Lang; token?: string }) {
    this.lesson = lesson;
    this.stream = stream;
    this.files = files;
    this.options = options;
    this.step = new StepControl(lesson, (state) => stream.send('step', state));
    stream.since = () => lesson.resetAt;
    stream.hello = () => ({ resetAt: lesson.resetAt, step: this.step.state(), scenario: lesson.scenario });
    this.offs.push(lesson.trace.on((event) => {
      if (event.kind !== 'dns') this.stateSoon();
    }));
    this.offs.push(lesson.onChange((what) => {
      if (what === 'reset') {
        this.files.dataDir = lesson.lab.dataDir;
        stream.send('reset', { resetAt: lesson.resetAt });
        this.stateSoon();
      }
      stream.send('scenario', lesson.scenario ?? null);
    }));
    this.routes = [
      { method: 'GET', path: '/api/lab', handler: async ({ req }) => ({ body: this.model(req) }) },
      { method: 'GET', path: '/api/state', handler: async () => ({ body: { ...(await labState(lesson.lab)), step: this.step.state(), scenario: lesson.scenario ?? null } }) },
      { method: 'GET', path: '/api/stream', handler: async ({ req, res, url }) => this.openStream(req, res, url) },
      { method: 'GET', path: '/api/events', handler: async ({ url }) => ({ body: this.events(numberParam(url, 'after', 0)) }) },
      { method: 'GET', path: '/api/hop', handler: async ({ url }) => ({ body: await this.hop(numberParam(url, 'seq')) }) },
      { method: 'GET', path: '/api/letter', handler: async ({ url }) => ({ body: await this.letter(url) }) },
      { method: 'GET', path: '/api/file', handler: async ({ url }) => ({ body: await this.file(url) }) },
      { method: 'GET', path: '/api/export', handler: async ({ res }) => this.download(res) },
      { method: 'POST', path: '/api/send', handler: async ({ body }) => this.send(body) },
      { method: 'POST', path: '/api/fetch', handler: async ({ body }) => this.fetch(body) },
      { method: 'POST', path: '/api/fault', handler: async ({ body }) => this.fault(body) },
      { method: 'POST', path: '/api/flush', handler: async ({ body }) => this.flush(body) },
      { method: 'POST', path: '/api/scenario', handler: async ({ body }) => this.scenario(body) },
      { method: 'POST', path: '/api/reset', handler: async ({ body }) => this.reset(body) },
      { method: 'POST', path: '/api/step', handler: async ({ body }) => ({ body: this.step.setOn(schemas().parseBody(schemas().stepRequest, body).on) }) },
      { method: 'POST', path: '/api/next', handler: async ({ body }) => (schemas().parseBody(schemas().emptyRequest, body), { body: this.step.next() }) },
      { method: 'POST', path: '/api/play', handler: async ({ body }) => ({ body: this.step.play(schemas().parseBody(schemas().playRequest, body).interval) }) },
    ];
  }

  route(method: string, pathname: string): Route | undefined {
    const found = this.routes.find((r) => r.path === pathname);
    if (found && found.method !== method && !(found.method === 'GET' && method === 'HEAD')) {
      throw new BadRequest({ en: `${pathname} takes ${found.method}, not ${method}`, ko: `${pathname}: ${method}가 아니라 ${found.method}로 요청하세요` }, 405);
    }
    return found;
  }

  model(req?: IncomingMessage): LabModel {
    const lab = this.lesson.lab;
    return labModel(lab.topology, lab.runtime.kind, {
      lang: this.options.lang,
      scenarios: this.lesson.scenarios(),
      lead: this.lesson.lead,
      canAct: !this.options.token || (req !== undefined && req.headers['x-lab-token'] === this.options.token),
      tokenRequired: this.options.token !== undefined,
      resetAt: this.lesson.resetAt,
    });
  }

  indexHtml(req: IncomingMessage): string {
    return indexHtml({ lang: pickLang(req.headers['accept-language'], this.options.lang) });
  }

  private openStream(req: IncomingMessage, res: ServerResponse, url: URL): undefined {
    const lastId = Number(req.headers['last-event-id'] ?? url.searchParams.get('after') ?? 0);
    this.stream.open(req, res, Number.isFinite(lastId) ? lastId : 0);
    void this.stateNow();
    return undefined;
  }

  private events(after: number): HopEvent[] {
    const from = Math.max(after, this.lesson.resetAt);
    return this.lesson.trace.events.filter((e) => e.seq > from);
  }

  async hop(seq: number): Promise<HopDetails> {
    const event = this.lesson.trace.events.find((e) => e.seq === seq);
    if (!event) throw new BadRequest({ en: `no hop #${seq} in the trace (it keeps the latest 5000 hops)`, ko: `#${seq} 단계가 기록에 없습니다 (최근 5000개만 남깁니다)` }, 404);
    const hostnames = new Map(this.lesson.lab.topology.hosts.map((h) => [h.name, h.hostname]));
    const files = await Promise.all(this.files.files(seq).map(async (file) => {
      if (file.content === undefined) return file;
      if (file.kind === 'qf') {
        try {
          return { ...file, control: JSON.parse(file.content) };
        } catch {
          return file; // a control file caught half-written cannot be: it is renamed into place
        }
      }
      if (file.kind === 'df' || file.kind === 'maildir') return { ...file, letter: await viewLetter(Buffer.from(file.content), hostnames.get(file.host)) };
      return file;
    }));
    return { event, files };
  }

  private async letter(url: URL): Promise<LetterView & { host: string; user: string; id: string }> {
    const host = stringParam(url, 'host');
    const user = stringParam(url, 'user');
    const id = stringParam(url, 'id');
    requireHost(this.lesson.lab.topology, host, 'mail');
    const mailHost = this.lesson.lab.topology.hosts.find((h) => h.name === host)!;
    const users = Object.keys(mailHost.mail!.users).join(', ');
    if (!Object.hasOwn(mailHost.mail!.users, user)) throw new BadRequest({ en: `${host} has no user "${user}"; users: ${users}`, ko: `${host}에 "${user}" 사용자가 없습니다. 사용자: ${users}` });
    // The id is the Maildir name's unique part, looked up in the mailbox: never a path.
    const letters = await this.lesson.lab.mailbox(host, user);
    const letter = letters.find((l) => path.basename(l.file).split(':')[0] === id.split(':')[0]);
    if (!letter) throw new BadRequest({ en: `no letter "${id}" in ${user}'s mailbox on ${host} (read by POP3 or IMAP it keeps its name up to ":")`, ko: `${host}의 ${user} 메일 박스에 "${id}" 메일이 없습니다 (지워졌을 수 있습니다)` }, 404);
    return { ...(await viewLetter(letter.raw, mailHost.hostname)), host, user, id };
  }

  /** A file under the data folder, as text; nothing outside it. */
  private async file(url: URL): Promise<{ path: string; size: number; content: string }> {
    const wanted = stringParam(url, 'path');
    const full = insideData(this.lesson.lab.dataDir, wanted);
    if (!full) throw new BadRequest({ en: `"${wanted}" is outside the lab's data folder; give a path inside it, such as Server-B/queue/qf...`, ko: `${josa(`"${wanted}"`, '은/는')} 실습망의 데이터 폴더 밖입니다. Server-B/queue/qf... 같은 데이터 폴더 안의 경로를 쓰세요` });
    let stat;
    try {
      stat = await fs.stat(full);
    } catch {
      throw new BadRequest({ en: `"${wanted}" is not there (a queue file is removed once its letter has left)`, ko: `"${wanted}" 파일이 없습니다 (큐 파일은 메일이 떠나면 지워집니다)` }, 404);
    }
    if (!stat.isFile()) throw new BadRequest({ en: `"${wanted}" is a folder, not a file`, ko: `${josa(`"${wanted}"`, '은/는')} 파일이 아니라 폴더입니다` });
    const handle = await fs.open(full, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(stat.size, 1024 * 1024));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return { path: path.relative(this.lesson.lab.dataDir, full).split(path.sep).join('/'), size: stat.size, content: buffer.subarray(0, bytesRead).toString('utf8') };
    } finally {
      await handle.close();
    }
  }

  private async download(res: ServerResponse): Promise<undefined> {
    const html = await exportHtml(this);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-disposition': `attachment; filename="mail-lab-${this.lesson.lab.topology.name}.html"`,
      'cache-control': 'no-store',
    });
    res.end(html);
    return undefined;
  }

  /** The hops since the last reset, each with its details, for the exported file. */
  async recorded(): Promise<HopDetails[]> {
    return Promise.all(this.events(0).map((e) => this.hop(e.seq)));
  }

  /** The queues and mailboxes now, and every letter in them opened, for the exported file. */
  async stateForExport(): Promise<{ state: Awaited<ReturnType<typeof labState>>; letters: Record<string, LetterView> }> {
    const state = await labState(this.lesson.lab);
    const letters: Record<string, LetterView> = {};
    for (const m of state.mailboxes) {
      for (const l of m.letters) {
        const url = new URL(`http://lab/?${new URLSearchParams({ host: m.host, user: m.user, id: l.id })}`);
        letters[`${m.host}/${m.user}/${l.id.split(':')[0]}`] = await this.letter(url);
      }
    }
    return { state, letters };
  }

  // ---- actions: each is the Lab API call the CLI and the scenarios make

  private send(body: unknown) {
    const letter = schemas().parseBody(schemas().sendRequest, body);
    const lab = this.lesson.lab;
    requireHost(lab.topology, letter.from, 'client');
    this.notBusy();
    return this.background('send', letter.from, () => lab.client(letter.from).send({ to: letter.to, cc: letter.cc, subject: letter.subject, text: letter.body, inReplyTo: letter.inReplyTo }));
  }

  private fetch(body: unknown) {
    const { client, protocol } = schemas().parseBody(schemas().fetchRequest, body);
    const lab = this.lesson.lab;
    requireHost(lab.topology, client, 'client');
    this.notBusy();
    return this.background('fetch', client, async () => {
      const pc = lab.client(client);
      const letters = protocol === 'imap' ? await pc.fetchImap() : protocol === 'pop3' ? await pc.fetchPop3() : await pc.fetch();
      return { letters: letters.length };
    });
  }

  private async fault(body: unknown) {
    const fault = schemas().parseBody(schemas().faultRequest, body);
    const lab = this.lesson.lab;
    requireHost(lab.topology, fault.host);
    this.notBusy();
    try {
      switch (fault.fault) {
        case 'host-down': await lab.hostDown(fault.host); break;
        case 'host-up': await lab.hostUp(fault.host); break;
        case 'service-down': await lab.serviceDown(fault.host, fault.service); break;
        case 'service-up': await lab.serviceUp(fault.host, fault.service); break;
        case 'link-down': requireHost(lab.topology, fault.peer); await lab.linkDown(fault.host, fault.peer); break;
        case 'link-up': requireHost(lab.topology, fault.peer); await lab.linkUp(fault.host, fault.peer); break;
      }
    } catch (err) {
      if (err instanceof BadRequest) throw err;
      // the lab says it cannot (no such service on that host ...): nothing changed
      throw cannot(err as Error);
    }
    return { body: { ok: true } };
  }

  private async flush(body: unknown) {
    const { host } = schemas().parseBody(schemas().flushRequest, body);
    requireHost(this.lesson.lab.topology, host, 'mail');
    try {
      await this.lesson.lab.flush(host);
    } catch (err) {
      throw cannot(err as Error);
    }
    return { body: { ok: true } };
  }

  private async scenario(body: unknown) {
    const { name } = schemas().parseBody(schemas().scenarioRequest, body);
    if (!this.lesson.scenarios().some((s) => s.name === name)) {
      const names = this.lesson.scenarios().map((s) => s.name).join(', ');
      throw new BadRequest({ en: `no shipped scenario "${name}"; write one of: ${names}`, ko: `"${name}" 시나리오는 없습니다. 다음 중 하나를 쓰세요: ${names}` });
    }
    await this.conflicts(() => this.lesson.play(name));
    return { status: 202, body: { ok: true, scenario: name } };
  }

  private async reset(body: unknown) {
    schemas().parseBody(schemas().emptyRequest, body);
    await this.conflicts(() => this.lesson.reset());
    return { body: { ok: true, resetAt: this.lesson.resetAt } };
  }

  private async conflicts(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (err) {
      if (err instanceof Conflict) throw new BadRequest({ en: err.message, ko: err.ko }, 409);
      throw err;
    }
  }

  private notBusy(): void {
    if (this.lesson.restarting) throw new BadRequest({ en: 'the lab is restarting; try again in a moment', ko: '실습망을 다시 시작하는 중입니다. 잠시 뒤에 다시 해 보세요' }, 409);
  }

  /**
   * Start an action that may take a while (in step mode a send waits at every hop) and answer
   * 202 at once; its outcome comes over the stream as `action`.
   */
  private background(kind: string, from: string, run: () => Promise<unknown>) {
    const id = ++this.actionSeq;
    run().then(
      (result) => this.stream.send('action', { id, kind, from, ok: true, result }),
      (err: Error & { response?: string }) => this.stream.send('action', { id, kind, from, ok: false, error: err.response ?? err.message }),
    );
    return { status: 202, body: { ok: true, action: id } };
  }

  // ---- live state: queues and mailboxes, looked at again after hops, sent to every page

  private stateSoon(): void {
    if (this.stateTimer) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      void this.stateNow();
    }, STATE_EVERY_MS);
  }

  private async stateNow(): Promise<void> {
    if (this.stateRunning) return this.stateSoon();
    this.stateRunning = true;
    try {
      this.stream.send('state', await labState(this.lesson.lab));
    } catch {
      // the lab is restarting: the next hop asks again
    } finally {
      this.stateRunning = false;
    }
  }

  close(): void {
    clearTimeout(this.stateTimer);
    this.step.close();
    for (const off of this.offs) off();
  }
}

/** The lab says an action cannot be done (its message is the runtime's, in English): a 409 that changes nothing. */
function cannot(err: Error): BadRequest {
  return new BadRequest({ en: err.message, ko: `실습망이 이 조작을 할 수 없다고 합니다: ${err.message}` }, 409);
}

function numberParam(url: URL, name: string, fallback?: number): number {
  const text = url.searchParams.get(name);
  if (text === null && fallback !== undefined) return fallback;
  if (text === null || !/^\d{1,9}$/.test(text)) throw new BadRequest({ en: `?${name}= takes a number, such as ?${name}=3`, ko: `?${name}=에는 ?${name}=3처럼 숫자를 쓰세요` });
  return Number(text);
}

function stringParam(url: URL, name: string): string {
  const text = url.searchParams.get(name);
  if (!text) throw new BadRequest({ en: `?${name}= is missing`, ko: `?${name}=이 빠졌습니다` });
  if (text.length > 500) throw new BadRequest({ en: `?${name}= is too long`, ko: `?${name}=이 너무 깁니다` });
  return text;
}

/** Korean where the browser or the lab's LANG says so (the page's own switch overrides it). */
function pickLang(acceptLanguage: string | undefined, labLang: Lang): Lang {
  if (labLang === 'ko') return 'ko';
  return /^\s*ko\b/i.test(acceptLanguage ?? '') ? 'ko' : 'en';
}
