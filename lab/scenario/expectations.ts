import type { Lab } from '../runtime/lab.ts';
import type { Expectation, Scenario } from './schema.ts';
import type { ScenarioState } from './runner.ts';
import { header, headerAll, decodeHeader } from '../runtime/mailbox-view.ts';
import { SENDMAIL_ORDER } from '../trace/steps.ts';

export interface ExpectationResult {
  line: number;
  expectation: Expectation;
  ok: boolean;
  /** what was expected and what was found, in words */
  expected: string;
  actual: string;
}

export async function checkExpectations(lab: Lab, scenario: Scenario, state: ScenarioState): Promise<ExpectationResult[]> {
  const results: ExpectationResult[] = [];
  for (const [i, expectation] of scenario.expect.entries()) {
    const { ok, expected, actual } = await check(lab, expectation, state);
    results.push({ line: scenario.lines.expect[i], expectation, ok, expected, actual });
  }
  return results;
}

async function check(lab: Lab, e: Expectation, state: ScenarioState): Promise<{ ok: boolean; expected: string; actual: string }> {
  if ('mailbox' in e) {
    const m = e.mailbox;
    const letters = await lab.mailbox(m.host, m.user);
    const matching = letters.filter((l) =>
      (m.subject === undefined || l.subject === m.subject) &&
      (m.contains === undefined || l.raw.toString('utf8').includes(m.contains)) &&
      (m.bounceFor === undefined || isBounceFor(l.raw.toString('utf8'), m.bounceFor)) &&
      (m.receivedFrom === undefined || m.receivedFrom.every((a) => headerAll(l.headers, 'received').some((r) => r.includes(a)))),
    );
    const what = [m.subject && `subject "${m.subject}"`, m.bounceFor && `a bounce (DSN) naming ${m.bounceFor}`, m.contains && `containing "${m.contains}"`, m.receivedFrom && `Received headers naming ${m.receivedFrom.join(', ')}`].filter(Boolean).join(', ');
    const expected = `${m.user}'s mailbox on ${m.host} holds ${m.count === undefined ? 'a letter' : `${m.count} letter(s)`}${what ? ` with ${what}` : ''}`;
    const actual = `${letters.length} letter(s)${letters.length ? `: ${letters.map((l) => `"${l.subject}"`).join(', ')}` : ''}; ${matching.length} matching`;
    const ok = m.count === undefined ? matching.length > 0 : matching.length === m.count;
    return { ok, expected, actual };
  }
  if ('queue' in e) {
    const q = e.queue;
    const entries = await lab.queue(q.host);
    const matching = entries.filter((entry) => !q.status || entry.recipients.some((r) => r.status === q.status));
    return {
      ok: matching.length === q.count,
      expected: `${q.host}'s queue holds ${q.count} ${q.status ?? ''} message(s)`.replace(/\s+/g, ' '),
      actual: `${entries.length} message(s)${entries.length ? `: ${entries.map((x) => `${x.id} (${x.recipients.map((r) => `${r.address} ${r.status}${r.lastError ? `: ${r.lastError}` : ''}`).join('; ')})`).join(', ')}` : ''}`,
    };
  }
  if ('steps' in e) {
    const seen = lab.trace.events.filter((ev) => ev.steps).map((ev) => ev.steps!.sendmail);
    let at = 0;
    for (const step of seen) if (step === e.steps[at]) at++;
    return { ok: at === e.steps.length, expected: `steps ${e.steps.join(', ')} in this order`, actual: `steps ${seen.join(', ') || '(none)'}` };
  }
  if ('asked' in e) {
    const a = e.asked;
    const asked = lab.trace.events.filter((ev) => ev.kind === 'dns' && (!a.by || ev.from === a.by));
    const ok = asked.some((ev) => (ev.transcript ?? []).some((t) => t.dir === 'C' && new RegExp(`\\b${escape(a.name)}\\.?\\s+(IN\\s+)?${a.type}\\b`, 'i').test(t.line)));
    return { ok, expected: `the name server was asked ${a.type} ${a.name}${a.by ? ` by ${a.by}` : ''}`, actual: asked.flatMap((ev) => (ev.transcript ?? []).filter((t) => t.dir === 'C').map((t) => `${ev.from}: ${t.line}`)).join('; ') || 'no DNS query in the trace' };
  }
  if ('fetched' in e) {
    const f = e.fetched;
    const letters = state.fetched.get(f.client) ?? [];
    const subjects = letters.map((l) => decodeHeader(header(headPart(l.raw), 'subject')));
    const matching = subjects.filter((s) => f.subject === undefined || s === f.subject);
    const ok = f.count === undefined ? matching.length > 0 : matching.length === f.count;
    return { ok, expected: `${f.client} fetched ${f.count ?? 'a'} letter(s)${f.subject ? ` with subject "${f.subject}"` : ''}`, actual: state.fetched.has(f.client) ? `${letters.length} fetched: ${subjects.map((s) => `"${s}"`).join(', ')}` : `${f.client} fetched nothing (no fetch action ran)` };
  }
  if ('refused' in e) {
    const r = e.refused;
    const matching = state.refusals.filter((x) => x.host === r.host && (!r.recipient || (x.recipient ?? x.text).toLowerCase().includes(r.recipient.toLowerCase())) && (!r.code || x.code === r.code || x.text.startsWith(String(r.code))) && (!r.text || x.text.includes(r.text)));
    return { ok: matching.length > 0, expected: `${r.host} refused${r.recipient ? ` ${r.recipient}` : ''}${r.code ? ` with ${r.code}` : ''}${r.text ? ` saying "${r.text}"` : ''}`, actual: state.refusals.map((x) => `${x.host}: ${x.text}`).join('; ') || 'nothing was refused' };
  }
  const ev = e.event;
  const found = lab.trace.events.some((x) => x.kind === ev.kind && (!ev.status || x.status === ev.status) && (!ev.from || x.from === ev.from) && (!ev.to || x.to === ev.to));
  return { ok: found, expected: `a ${ev.kind} hop${ev.status ? ` (${ev.status})` : ''}${ev.from ? ` from ${ev.from}` : ''}${ev.to ? ` to ${ev.to}` : ''}`, actual: found ? 'found' : `hops: ${lab.trace.summaryLines().join(' | ')}` };
}

function headPart(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function isBounceFor(source: string, recipient: string): boolean {
  return /multipart\/report/i.test(source) && new RegExp(`Final-Recipient:\\s*rfc822;\\s*<?${escape(recipient)}>?`, 'i').test(source);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export { SENDMAIL_ORDER };
