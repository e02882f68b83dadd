import type { Lab } from '../runtime/lab.ts';
import type { Expectation, Scenario } from './schema.ts';
import type { ScenarioState } from './runner.ts';
import type { Bilingual } from '../trace/hop-event.ts';
import { header, headerAll, decodeHeader } from '../runtime/mailbox-view.ts';

export interface ExpectationResult {
  line: number;
  expectation: Expectation;
  ok: boolean;
  /** what was expected and what was found, in words, in Korean and English */
  expected: Bilingual;
  actual: Bilingual;
}

export async function checkExpectations(lab: Lab, scenario: Scenario, state: ScenarioState): Promise<ExpectationResult[]> {
  const results: ExpectationResult[] = [];
  for (const [i, expectation] of scenario.expect.entries()) {
    const { ok, expected, actual } = await check(lab, expectation, state);
    results.push({ line: scenario.lines.expect[i], expectation, ok, expected, actual });
  }
  return results;
}

type Checked = { ok: boolean; expected: Bilingual; actual: Bilingual };
const both = (text: string): Bilingual => ({ ko: text, en: text });
const quoted = (items: string[]) => items.map((s) => `"${s}"`).join(', ');

async function check(lab: Lab, e: Expectation, state: ScenarioState): Promise<Checked> {
  if ('mailbox' in e) {
    const m = e.mailbox;
    const letters = await lab.mailbox(m.host, m.user);
    const matching = letters.filter((l) =>
      (m.subject === undefined || l.subject === m.subject) &&
      (m.contains === undefined || l.raw.toString('utf8').includes(m.contains)) &&
      (m.bounceFor === undefined || isBounceFor(l.raw.toString('utf8'), m.bounceFor)) &&
      (m.receivedFrom === undefined || m.receivedFrom.every((a) => headerAll(l.headers, 'received').some((r) => r.includes(a)))),
    );
    const ko = [m.subject && `제목 "${m.subject}"`, m.bounceFor && `${m.bounceFor}에 대한 반송 (DSN)`, m.contains && `"${m.contains}" 포함`, m.receivedFrom && `${m.receivedFrom.join(', ')}을 거친 Received 헤더`].filter(Boolean).join(', ');
    const en = [m.subject && `subject "${m.subject}"`, m.bounceFor && `a bounce (DSN) naming ${m.bounceFor}`, m.contains && `containing "${m.contains}"`, m.receivedFrom && `Received headers naming ${m.receivedFrom.join(', ')}`].filter(Boolean).join(', ');
    const count = m.count === undefined ? undefined : m.count;
    return {
      ok: count === undefined ? matching.length > 0 : matching.length === count,
      expected: {
        ko: `${m.host}의 ${m.user} 메일함에 ${ko ? `${ko}인 ` : ''}편지가 ${count === undefined ? '있음' : `${count}통`}`,
        en: `${m.user}'s mailbox on ${m.host} holds ${count === undefined ? 'a letter' : `${count} letter(s)`}${en ? ` with ${en}` : ''}`,
      },
      actual: {
        ko: `편지 ${letters.length}통${letters.length ? `: ${quoted(letters.map((l) => l.subject))}` : ''}; 맞는 것 ${matching.length}통`,
        en: `${letters.length} letter(s)${letters.length ? `: ${quoted(letters.map((l) => l.subject))}` : ''}; ${matching.length} matching`,
      },
    };
  }
  if ('queue' in e) {
    const q = e.queue;
    const entries = await lab.queue(q.host);
    const matching = entries.filter((entry) => !q.status || entry.recipients.some((r) => r.status === q.status));
    const list = entries.map((x) => `${x.id} (${x.recipients.map((r) => `${r.address} ${r.status}${r.lastError ? `: ${r.lastError}` : ''}`).join('; ')})`).join(', ');
    return {
      ok: matching.length === q.count,
      expected: {
        ko: `${q.host}의 메일 큐에 ${q.status === 'deferred' ? '보류된 ' : q.status === 'pending' ? '대기 중인 ' : ''}메일 ${q.count}통`,
        en: `${q.host}'s queue holds ${q.count}${q.status ? ` ${q.status}` : ''} message(s)`,
      },
      actual: { ko: `${entries.length}통${list ? `: ${list}` : ''}`, en: `${entries.length} message(s)${list ? `: ${list}` : ''}` },
    };
  }
  if ('steps' in e) {
    const seen = lab.trace.events.filter((ev) => ev.seq > state.since && ev.steps).map((ev) => ev.steps!.sendmail);
    let at = 0;
    for (const step of seen) if (step === e.steps[at]) at++;
    return {
      ok: at === e.steps.length,
      expected: { ko: `단계 ${e.steps.join(', ')}가 이 순서로`, en: `steps ${e.steps.join(', ')} in this order` },
      actual: { ko: `단계 ${seen.join(', ') || '(없음)'}`, en: `steps ${seen.join(', ') || '(none)'}` },
    };
  }
  if ('asked' in e) {
    const a = e.asked;
    const asked = lab.trace.events.filter((ev) => ev.seq > state.since && ev.kind === 'dns' && (!a.by || ev.from === a.by));
    const ok = asked.some((ev) => (ev.transcript ?? []).some((t) => t.dir === 'C' && new RegExp(`\\b${escape(a.name)}\\.?\\s+(IN\\s+)?${a.type}\\b`, 'i').test(t.line)));
    const queries = asked.flatMap((ev) => (ev.transcript ?? []).filter((t) => t.dir === 'C').map((t) => `${ev.from}: ${t.line}`)).join('; ');
    return {
      ok,
      expected: { ko: `${a.by ? `${a.by}가 ` : ''}네임 서버에 ${a.name}의 ${a.type}를 물음`, en: `the name server was asked ${a.type} ${a.name}${a.by ? ` by ${a.by}` : ''}` },
      actual: queries ? both(queries) : { ko: '트레이스에 DNS 질의가 없음', en: 'no DNS query in the trace' },
    };
  }
  if ('fetched' in e) {
    const f = e.fetched;
    const letters = state.fetched.get(f.client) ?? [];
    const subjects = letters.map((l) => decodeHeader(header(headPart(l.raw), 'subject')));
    const matching = subjects.filter((s) => f.subject === undefined || s === f.subject);
    return {
      ok: f.count === undefined ? matching.length > 0 : matching.length === f.count,
      expected: {
        ko: `${f.client}가 ${f.subject ? `제목 "${f.subject}"인 ` : ''}편지를 ${f.count === undefined ? '' : `${f.count}통 `}받아 옴`,
        en: `${f.client} fetched ${f.count ?? 'a'} letter(s)${f.subject ? ` with subject "${f.subject}"` : ''}`,
      },
      actual: state.fetched.has(f.client)
        ? { ko: `${letters.length}통 받음: ${quoted(subjects)}`, en: `${letters.length} fetched: ${quoted(subjects)}` }
        : { ko: `${f.client}는 아무것도 받아 오지 않음 (fetch 동작 없음)`, en: `${f.client} fetched nothing (no fetch action ran)` },
    };
  }
  if ('refused' in e) {
    const r = e.refused;
    const matching = state.refusals.filter((x) => x.host === r.host && (!r.recipient || (x.recipient ?? x.text).toLowerCase().includes(r.recipient.toLowerCase())) && (!r.code || x.code === r.code || x.text.startsWith(String(r.code))) && (!r.text || x.text.includes(r.text)));
    const refusals = state.refusals.map((x) => `${x.host}: ${x.text}`).join('; ');
    return {
      ok: matching.length > 0,
      expected: {
        ko: `${r.host}가 ${r.recipient ? `${r.recipient}을(를) ` : ''}거절${r.code ? ` (${r.code})` : ''}${r.text ? `: "${r.text}"` : ''}`,
        en: `${r.host} refused${r.recipient ? ` ${r.recipient}` : ''}${r.code ? ` with ${r.code}` : ''}${r.text ? ` saying "${r.text}"` : ''}`,
      },
      actual: refusals ? both(refusals) : { ko: '거절된 것이 없음', en: 'nothing was refused' },
    };
  }
  const ev = e.event;
  const found = lab.trace.events.some((x) => x.seq > state.since && x.kind === ev.kind && (!ev.status || x.status === ev.status) && (!ev.from || x.from === ev.from) && (!ev.to || x.to === ev.to));
  const route = `${ev.from ? ` ${ev.from}` : ''}${ev.to ? ` → ${ev.to}` : ''}`;
  return {
    ok: found,
    expected: { ko: `${ev.kind} 단계${ev.status ? ` (${ev.status})` : ''}${route}`, en: `a ${ev.kind} hop${ev.status ? ` (${ev.status})` : ''}${ev.from ? ` from ${ev.from}` : ''}${ev.to ? ` to ${ev.to}` : ''}` },
    actual: found ? { ko: '있음', en: 'found' } : both(lab.trace.summaryLines().join(' | ')),
  };
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
