import { t, lang } from 'lab-page/i18n.ts';
import type { Bilingual, HopDetails, HopEvent, LabModel, LabState, LetterView, ScenarioRun, StepState } from 'lab-page/types.ts';

// Where the page's data comes from: the running lab's API (live), or the recording inside an
// exported file (offline, file://). The components do not know which.

export interface Handlers {
  hello(data: { resetAt: number; step: StepState; scenario: ScenarioRun | null }): void;
  hop(event: HopEvent): void;
  state(state: LabState): void;
  step(state: StepState): void;
  reset(data: { resetAt: number }): void;
  scenario(run: ScenarioRun | null): void;
  action(result: { id: number; kind: string; ok: boolean; from?: string; result?: unknown; error?: string }): void;
  connected(on: boolean): void;
}

export interface Source {
  live: boolean;
  model(): Promise<LabModel>;
  connect(handlers: Handlers): void;
  hop(seq: number): Promise<HopDetails>;
  letter(host: string, user: string, id: string): Promise<LetterView>;
  post(path: string, body?: unknown): Promise<Record<string, unknown>>;
}

export interface Recording {
  format: 'mail-lab-recording/1';
  model: LabModel;
  hops: HopDetails[];
  state: LabState;
  letters: Record<string, LetterView>;
}

export function letterKey(host: string, user: string, id: string): string {
  return `${host}/${user}/${id.split(':')[0]}`;
}

/** The API's reason for a refusal, in the page's language (it sends both). */
function apiError(body: { error?: string; message?: Bilingual }, res: Response): string {
  return body.message?.[lang()] ?? body.error ?? `${res.status} ${res.statusText}`;
}

/** How long the page waits before it sends a request again that the network lost (ms). */
const AGAIN_AFTER = [250, 500, 1000, 2000];

/**
 * A request to the lab, sent again when it never got an answer: fetch() fails only when no
 * HTTP answer came (the lab is gone, or Chromium cancelled the request because the computer's
 * network changed). After the last try the error says so in the page's language.
 */
async function reach(request: () => Promise<Response>): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      if (attempt >= AGAIN_AFTER.length) throw new Error(t('unreachable'));
      await new Promise((resolve) => setTimeout(resolve, AGAIN_AFTER[attempt]));
    }
  }
}

/** 24 hex digits of an action's own (crypto.randomUUID is there only on https and localhost) */
function requestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The live lab: GET for reads, POST (JSON, with the token when there is one) for actions, SSE for news. */
export class LiveSource implements Source {
  readonly live = true;
  private readonly token: string | undefined;

  constructor() {
    const params = new URLSearchParams(location.search);
    const given = params.get('token');
    if (given) sessionStorage.setItem('mail-lab.token', given);
    this.token = given ?? sessionStorage.getItem('mail-lab.token') ?? undefined;
  }

  private headers(): Record<string, string> {
    return this.token ? { 'x-lab-token': this.token } : {};
  }

  private async get<T>(path: string): Promise<T> {
    const res = await reach(() => fetch(path, { headers: this.headers() }));
    const body = await res.json();
    if (!res.ok) throw new Error(apiError(body, res));
    return body as T;
  }

  model(): Promise<LabModel> {
    return this.get('/api/lab');
  }

  hop(seq: number): Promise<HopDetails> {
    return this.get(`/api/hop?seq=${seq}`);
  }

  letter(host: string, user: string, id: string): Promise<LetterView> {
    return this.get(`/api/letter?${new URLSearchParams({ host, user, id })}`);
  }

  async post(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
    // sent again under the same ID when the network lost it: the lab does it once (repeated-actions.ts)
    const headers = { 'content-type': 'application/json', 'x-lab-request': requestId(), ...this.headers() };
    const text = JSON.stringify(body);
    const res = await reach(() => fetch(path, { method: 'POST', headers, body: text }));
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(apiError(answer, res));
    return answer;
  }

  connect(handlers: Handlers): void {
    // EventSource reconnects by itself and sends Last-Event-ID: the server replays what was missed.
    const events = new EventSource('/api/stream');
    const on = <K extends keyof Handlers>(name: K) => events.addEventListener(name, (e) => (handlers[name] as (data: unknown) => void)(JSON.parse((e as MessageEvent).data)));
    on('hello');
    on('hop');
    on('state');
    on('step');
    on('reset');
    on('scenario');
    on('action');
    events.onopen = () => handlers.connected(true);
    events.onerror = () => handlers.connected(false);
  }
}

/** An exported file: everything was recorded; actions are not there. */
export class RecordingSource implements Source {
  readonly live = false;
  private readonly recording: Recording;

  constructor(recording: Recording) {
    this.recording = recording;
  }

  async model(): Promise<LabModel> {
    return this.recording.model;
  }

  connect(handlers: Handlers): void {
    handlers.hello({ resetAt: this.recording.model.resetAt, step: { available: false, on: false, waiting: 0, playing: 0 }, scenario: null });
    for (const hop of this.recording.hops) handlers.hop(hop.event);
    handlers.state(this.recording.state);
    handlers.connected(true);
  }

  async hop(seq: number): Promise<HopDetails> {
    const found = this.recording.hops.find((h) => h.event.seq === seq);
    if (!found) throw new Error(`#${seq}: ${t('notInRecording')}`);
    return found;
  }

  async letter(host: string, user: string, id: string): Promise<LetterView> {
    const found = this.recording.letters[letterKey(host, user, id)];
    if (!found) throw new Error(t('notInRecording'));
    return found;
  }

  async post(): Promise<Record<string, unknown>> {
    throw new Error(t('recordingOnly'));
  }
}
