import nodemailer from 'nodemailer';
import type { Lab } from '../runtime/lab.ts';
import type { HopEvent } from '../trace/hop-event.ts';
import type { FetchedLetter, SendResult } from '../client/client-pc.ts';
import { toMs, type Action, type Scenario } from './schema.ts';
import { checkExpectations, type ExpectationResult } from './expectations.ts';

export interface ActionRecord {
  line: number;
  action: Action;
  ok: boolean;
  error?: string;
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
  /** the trace's last seq when the run began: the run judges its own hops only (the page plays one scenario after another on one trace) */
  since: number;
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

/** Run a scenario's actions on a started lab, then check its expectations. */
export async function runActions(lab: Lab, scenario: Scenario, onAction?: (record: ActionRecord) => void): Promise<ScenarioResult> {
  const since = lab.trace.events.at(-1)?.seq ?? 0;
  const state: ScenarioState = { cursor: since, since, fetched: new Map(), refusals: [] };
  const records: ActionRecord[] = [];
  let failed = false;
  for (const [i, action] of scenario.actions.entries()) {
    const record: ActionRecord = { line: scenario.lines.actions[i], action, ok: true };
    // After a failed action the rest would only fail with it: stop, and say which one it was.
    if (failed) break;
    try {
      await runAction(lab, action, state, record);
    } catch (err) {
      record.ok = false;
      record.error = (err as Error).message;
      failed = true;
    }
    records.push(record);
    onAction?.(record);
  }
  if (!failed) await lab.settle();
  const expectations = failed ? [] : await checkExpectations(lab, scenario, state);
  return { scenario, ok: !failed && expectations.every((e) => e.ok), actions: records, expectations };
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
    const server = s.from === 'outside' ? s.server! : lab.client(s.from).server.name;
    if (error) state.refusals.push({ host: server, code: error.responseCode, text: error.response ?? error.message, recipient: error.rejected?.[0] });
    for (const r of sent?.rejected ?? []) state.refusals.push({ host: server, recipient: r, text: 'rejected at RCPT' });
    record.sent = sent;
    if (s.expect === 'accepted' && !sent) throw new Error(`the server refused the letter: ${error?.response ?? error?.message}`);
    if (s.expect === 'refused' && sent && sent.accepted.length) throw new Error(`expected the server to refuse the letter, but it answered ${sent.response}`);
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
    const wait = action.wait;
    const after = state.cursor;
    const found = await lab.waitFor((event) => event.seq > after && matchesWait(wait, event), toMs(wait.timeout), `"${wait.for}"${wait.host ? ` at ${wait.host}` : ''}${wait.recipient ? ` for ${wait.recipient}` : ''}`);
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
  const transport = nodemailer.createTransport({ host: lab.publicHost, port: lab.port(s.server, 'smtp'), ignoreTLS: true, name: 'student-laptop' });
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
