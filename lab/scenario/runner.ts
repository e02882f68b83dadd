import type { Lab } from '../runtime/lab.ts';
import type { HopEvent } from '../trace/hop-event.ts';
import { loadNodemailer, type FetchedLetter, type SendResult } from '../client/client-pc.ts';
import type { Action, Scenario } from './schema.ts';
import { toMs } from './duration.ts';
import { checkExpectations, type ExpectationResult } from './expectations.ts';
import { RunLetters } from './run-letters.ts';
import type { Bilingual } from '../trace/hop-event.ts';

export interface ActionRecord {
  /** 1 for the scenario's first action */
  number: number;
  line: number;
  action: Action;
  ok: boolean;
  /** what went wrong, in English (the same as failure.en) */
  error?: string;
  /** what went wrong, in Korean and English; a wait that ran out adds the trace so far */
  failure?: Bilingual;
  sent?: SendResult;
  fetched?: FetchedLetter[];
}

export interface ScenarioResult {
  scenario: Scenario;
  ok: boolean;
  actions: ActionRecord[];
  expectations: ExpectationResult[];
}

/** What the actions left for the expectations to look at. */
export interface ScenarioState {
  /** the seq of the hop the last wait found: the next wait looks after it */
  cursor: number;
  /** this run's letters and hops: a letter an earlier run left behind is not judged */
  letters: RunLetters;
  fetched: Map<string, FetchedLetter[]>;
  refusals: { host: string; recipient?: string; code?: number; text: string }[];
}

export function matchesWait(wait: Extract<Action, { wait: unknown }>['wait'], event: HopEvent): boolean {
  const recipientOk = () => !wait.recipient || JSON.stringify(event.detail ?? {}).toLowerCase().includes(wait.recipient.toLowerCase());
  switch (wait.for) {
    case 'delivered':
      return event.kind === 'mda' && event.status !== 'failed' && (!wait.host || event.to === wait.host) && recipientOk();
    case 'queued':
      // the write into the queue (②), not the queue run (③) nor a reload notice
      return event.kind === 'queue' && event.steps?.sendmail === '2' && (!wait.host || event.from === wait.host) && recipientOk();
    case 'deferred':
      // the queue's own report, made once the control file says "deferred"
      return event.kind === 'queue' && event.status === 'deferred' && (!wait.host || event.from === wait.host) && recipientOk();
    case 'relayed':
      return event.kind === 'relay' && event.status === 'ok' && (!wait.host || event.from === wait.host) && recipientOk();
    case 'bounced':
      return event.kind === 'bounce' && (!wait.host || event.from === wait.host) && recipientOk();
    case 'dequeued':
      return event.kind === 'queue' && event.detail?.removed === true && (!wait.host || event.from === wait.host) && recipientOk();
    case 'fetched':
      return (event.kind === 'pop3' || event.kind === 'imap') && event.steps?.sendmail === '9-10' && (!wait.host || event.to === wait.host);
    case 'dns':
      return event.kind === 'dns' && (!wait.host || event.from === wait.host);
  }
}

/** A failure of an action, in both languages. */
export class ActionFailure extends Error {
  readonly failure: Bilingual;
  constructor(failure: Bilingual) {
    super(failure.en);
    this.failure = failure;
  }
}

/**
 * Run a scenario's actions on a started lab, then check its expectations. A failed action ends
 * the run at once (the rest would only fail with it); the expectations are checked all the same,
 * so the class sees what did and did not happen.
 */
export async function runActions(lab: Lab, scenario: Scenario, onAction?: (record: ActionRecord) => void): Promise<ScenarioResult> {
  const state: ScenarioState = { cursor: lab.trace.events.at(-1)?.seq ?? 0, letters: new RunLetters(lab.trace), fetched: new Map(), refusals: [] };
  const records: ActionRecord[] = [];
  let failed = false;
  try {
    for (const [i, action] of scenario.actions.entries()) {
      const record: ActionRecord = { number: i + 1, line: scenario.lines.actions[i], action, ok: true };
      try {
        await runAction(lab, action, state, record);
      } catch (err) {
        record.ok = false;
        record.failure = err instanceof ActionFailure ? err.failure : { ko: (err as Error).message, en: (err as Error).message };
        record.error = record.failure.en;
        failed = true;
      }
      records.push(record);
      onAction?.(record);
      if (failed) break;
    }
    await lab.settle();
    const expectations = await checkExpectations(lab, scenario, state);
    return { scenario, ok: !failed && expectations.every((e) => e.ok), actions: records, expectations };
  } finally {
    state.letters.close();
  }
}

/** Waits a bounce of this run's letter ends at once: the letter will not be delivered. */
const ENDED_BY_BOUNCE = new Set(['delivered', 'relayed', 'deferred']);

async function waitFor(lab: Lab, wait: Extract<Action, { wait: unknown }>['wait'], state: ScenarioState): Promise<HopEvent> {
  const after = state.cursor;
  const { letters } = state;
  const bounced = (event: HopEvent) => ENDED_BY_BOUNCE.has(wait.for) && event.kind === 'bounce' && event.status === 'bounced'
    && (!wait.recipient || String(event.detail?.recipient ?? '').toLowerCase() === wait.recipient.toLowerCase());
  const ms = toMs(wait.timeout);
  const where = { ko: `${wait.host ? ` (${wait.host})` : ''}${wait.recipient ? ` ${wait.recipient}` : ''}`, en: `${wait.host ? ` at ${wait.host}` : ''}${wait.recipient ? ` for ${wait.recipient}` : ''}` };
  let found: HopEvent;
  try {
    found = await lab.trace.waitFor((event) => event.seq > after && letters.owns(event) && (matchesWait(wait, event) || bounced(event)), ms, `"${wait.for}"${where.en}`);
  } catch {
    const so = (lang: 'ko' | 'en') => lab.trace.summaryLines(lang).join('\n');
    throw new ActionFailure({
      ko: `"${wait.for}"${where.ko}: ${formatMs(ms, 'ko')} 동안 기다렸지만 오지 않았습니다. 지금까지의 단계:\n${so('ko')}`,
      en: `timed out after ${ms} ms waiting for "${wait.for}"${where.en}; trace so far:\n${so('en')}`,
    });
  }
  if (bounced(found)) {
    const reason = String(found.detail?.reason ?? found.summary.en);
    const to = String(found.detail?.recipient ?? wait.recipient ?? '');
    throw new ActionFailure({
      ko: `"${wait.for}"${where.ko}을 기다렸지만 ${to} 앞 메일이 반송되었습니다 (${found.at} ms): "${reason}"`,
      en: `waiting for "${wait.for}"${where.en}, but the letter to ${to} bounced at ${found.at} ms: ${reason}`,
    });
  }
  return found;
}

function formatMs(ms: number, lang: 'ko' | 'en'): string {
  if (lang === 'en') return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000}초` : `${ms}ms`;
}

async function runAction(lab: Lab, action: Action, state: ScenarioState, record: ActionRecord): Promise<void> {
  if ('send' in action) {
    const s = action.send;
    let sent: SendResult | undefined;
    let error: (Error & { responseCode?: number; response?: string; rejected?: string[] }) | undefined;
    try {
      if (s.from === 'outside') sent = await sendFromOutside(lab, s);
      else {
        let inReplyTo: string | undefined;
        if (s.replyToLast) inReplyTo = await lastMessageId(lab, s.from);
        sent = await lab.client(s.from).send({ to: s.to, cc: s.cc, subject: s.subject, text: s.body, from: s.sender, inReplyTo });
      }
    } catch (err) {
      error = err as typeof error;
    }
    state.letters.sent(sent?.messageId);
    const server = s.from === 'outside' ? s.server! : lab.client(s.from).server.name;
    if (error) state.refusals.push({ host: server, code: error.responseCode, text: error.response ?? error.message, recipient: error.rejected?.[0] });
    for (const r of sent?.rejected ?? []) state.refusals.push({ host: server, recipient: r, text: 'rejected at RCPT' });
    record.sent = sent;
    if (s.expect === 'accepted' && !sent) {
      const why = error?.response ?? error?.message;
      throw new ActionFailure({ ko: `${server}가 메일을 거절했습니다: "${why}"`, en: `the server refused the letter: ${why}` });
    }
    if (s.expect === 'refused' && sent && sent.accepted.length) {
      throw new ActionFailure({ ko: `${server}가 메일을 거절해야 하는데 받았습니다: "${sent.response}"`, en: `expected the server to refuse the letter, but it answered ${sent.response}` });
    }
    return;
  }
  if ('fetch' in action) {
    const pc = lab.client(action.fetch.client);
    const letters = action.fetch.protocol === 'imap' ? await pc.fetchImap() : action.fetch.protocol === 'pop3' ? await pc.fetchPop3() : await pc.fetch();
    state.fetched.set(action.fetch.client, letters);
    record.fetched = letters;
    return;
  }
  if ('wait' in action) {
    const found = await waitFor(lab, action.wait, state);
    state.cursor = found.seq;
    return;
  }
  if ('down' in action) return lab.hostDown(action.down);
  if ('up' in action) return lab.hostUp(action.up);
  if ('link-down' in action) return lab.linkDown(...action['link-down']);
  if ('link-up' in action) return lab.linkUp(...action['link-up']);
  if ('flush' in action) return lab.flush(action.flush);
  if ('service-down' in action) return lab.serviceDown(...action['service-down']);
  if ('service-up' in action) return lab.serviceUp(...action['service-up']);
}

/** A student's own mail program on the teacher's laptop: it connects from outside the lab. */
async function sendFromOutside(lab: Lab, s: Extract<Action, { send: unknown }>['send']): Promise<SendResult> {
  if (!s.server) throw new Error('a send from outside needs "server:", the mail server to connect to (e.g. Server-B)');
  const transport = (await loadNodemailer()).createTransport({ host: lab.publicHost, port: lab.port(s.server, 'smtp'), ignoreTLS: true, name: 'student-laptop' });
  try {
    const info = await transport.sendMail({ from: s.sender ?? 'student@example.org', to: s.to, cc: s.cc, subject: s.subject, text: s.body });
    const addr = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);
    return { messageId: info.messageId, response: info.response, accepted: info.accepted.map(addr), rejected: info.rejected.map(addr) };
  } finally {
    transport.close();
  }
}

async function lastMessageId(lab: Lab, pcName: string): Promise<string | undefined> {
  const pc = lab.client(pcName);
  const [user] = pc.account.split('@');
  const letters = await lab.mailbox(pc.server.name, user);
  const last = letters.at(-1);
  return last ? /^message-id:\s*(<[^>]+>)/im.exec(last.headers)?.[1] : undefined;
}
