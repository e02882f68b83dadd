import type { Lab } from '../runtime/lab.ts';
import type { Expectation, Scenario } from './schema.ts';
import type { ScenarioState } from './runner.ts';
import type { Bilingual } from '../trace/hop-event.ts';
import { header, headerAll, decodeHeader, isBounce } from '../runtime/mailbox-view.ts';
import type { HopEvent } from '../trace/hop-event.ts';
import { josa } from '../trace/korean.ts';
import { circled } from '../trace/steps.ts';

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
/** "1 letter", "2 letters": never "letter(s)" */
const messages = (n: number) => `${n} letter${n === 1 ? '' : 's'}`;

async function check(lab: Lab, e: Expectation, state: ScenarioState): Promise<Checked> {
  const { letters } = state;
  if ('mailbox' in e) {
    const m = e.mailbox;
    // this run's letters only: one an earlier run left in the mailbox is not judged
    const all = await lab.mailbox(m.host, m.user);
    const mine = all.filter((l) => letters.ownsLetter(l.raw));
    const matching = mine.filter((l) =>
      (m.subject === undefined || l.subject === m.subject) &&
      (m.contains === undefined || l.raw.toString('utf8').includes(m.contains)) &&
      (m.bounceFor === undefined || isBounce(l.raw, m.bounceFor)) &&
      (m.receivedFrom === undefined || m.receivedFrom.every((a) => headerAll(l.headers, 'received').some((r) => r.includes(a)))),
    );
    const ko = [m.subject && `제목이 "${m.subject}"`, m.bounceFor && `${m.bounceFor}에 대한 반송(DSN)`, m.contains && `"${m.contains}"${josa(m.contains, '을')} 담은`, m.receivedFrom && `Received 헤더에 ${m.receivedFrom.join(', ')}${josa(m.receivedFrom.at(-1)!, '이')} 있는`].filter(Boolean).join(', ');
    const en = [m.subject && `subject "${m.subject}"`, m.bounceFor && `a bounce (DSN) naming ${m.bounceFor}`, m.contains && `containing "${m.contains}"`, m.receivedFrom && `Received headers naming ${m.receivedFrom.join(', ')}`].filter(Boolean).join(', ');
    const count = m.count;
    const earlier = all.length - mine.length;
    return {
      ok: count === undefined ? matching.length > 0 : matching.length === count,
      expected: {
        ko: `${m.host}의 ${m.user} 메일 박스에 ${ko ? `${ko} ` : ''}메일이 ${count === undefined ? '있음' : `${count}통`}`,
        en: `${m.user}'s mailbox on ${m.host} holds ${count === undefined ? 'a letter' : messages(count)}${en ? ` with ${en}` : ''}`,
      },
      actual: {
        ko: `이번 실행의 메일 ${mine.length}통${mine.length ? `: ${quoted(mine.map((l) => l.subject))}` : ''}, 그중 맞는 것 ${matching.length}통${earlier ? ` (이전 실행의 메일 ${earlier}통은 세지 않음)` : ''}`,
        en: `${messages(mine.length)} from this run${mine.length ? `: ${quoted(mine.map((l) => l.subject))}` : ''}; ${matching.length} matching${earlier ? ` (${messages(earlier)} from earlier runs not counted)` : ''}`,
      },
    };
  }
  if ('queue' in e) {
    const q = e.queue;
    const all = await lab.queue(q.host);
    const entries = all.filter((entry) => letters.ownsQueueId(entry.id));
    const matching = entries.filter((entry) => !q.status || entry.recipients.some((r) => r.status === q.status));
    const list = entries.map((x) => `${x.id} (${x.recipients.map((r) => `${r.address} ${r.status}${r.lastError ? `: ${r.lastError}` : ''}`).join('; ')})`).join(', ');
    const earlier = all.length - entries.length;
    return {
      ok: matching.length === q.count,
      expected: {
        ko: `${q.host}의 메일 큐에 ${q.status === 'deferred' ? '보류된 ' : q.status === 'pending' ? '기다리는 ' : ''}메일 ${q.count}통`,
        en: `${q.host}'s queue holds ${q.count}${q.status ? ` ${q.status}` : ''} letter${q.count === 1 ? '' : 's'}`,
      },
      actual: {
        ko: `이번 실행의 메일 ${entries.length}통${list ? `: ${list}` : ''}${earlier ? ` (이전 실행의 메일 ${earlier}통은 세지 않음)` : ''}`,
        en: `${messages(entries.length)} from this run${list ? `: ${list}` : ''}${earlier ? ` (${messages(earlier)} from earlier runs not counted)` : ''}`,
      },
    };
  }
  if ('steps' in e) {
    // the order of this run's hops: a letter left by an earlier run travelling meanwhile is not counted
    const seen = letters.events().filter((ev) => ev.steps).map((ev) => ev.steps!.sendmail);
    let at = 0;
    for (const step of seen) if (step === e.steps[at]) at++;
    const shown = (list: string[]) => list.map(circled).join(' ');
    return {
      ok: at === e.steps.length,
      expected: { ko: `단계 ${shown(e.steps)}${josa(e.steps.at(-1)!, '이')} 이 순서로 일어남`, en: `steps ${e.steps.join(', ')} in this order` },
      actual: { ko: `일어난 단계: ${shown(seen) || '(없음)'}`, en: `steps ${seen.join(', ') || '(none)'}` },
    };
  }
  if ('asked' in e) {
    const a = e.asked;
    const asked = letters.events().filter((ev) => ev.kind === 'dns' && (!a.by || ev.from === a.by));
    const ok = asked.some((ev) => (ev.transcript ?? []).some((t) => t.dir === 'C' && new RegExp(`\\b${escape(a.name)}\\.?\\s+(IN\\s+)?${a.type}\\b`, 'i').test(t.line)));
    const queries = asked.flatMap((ev) => (ev.transcript ?? []).filter((t) => t.dir === 'C').map((t) => `${ev.from}: ${t.line}`)).join('; ');
    return {
      ok,
      expected: { ko: `${a.by ? `${a.by}${josa(a.by, '가')} ` : ''}네임 서버에 ${a.name}의 ${a.type} 레코드를 물음`, en: `the name server was asked ${a.type} ${a.name}${a.by ? ` by ${a.by}` : ''}` },
      actual: queries ? both(queries) : { ko: '트레이스에 DNS 질의가 없음', en: 'no DNS query in the trace' },
    };
  }
  if ('fetched' in e) {
    const f = e.fetched;
    const all = state.fetched.get(f.client) ?? [];
    const mine = all.filter((l) => letters.ownsLetter(l.raw));
    const subjects = mine.map((l) => decodeHeader(header(headPart(l.raw), 'subject')));
    const matching = subjects.filter((s) => f.subject === undefined || s === f.subject);
    const earlier = all.length - mine.length;
    return {
      ok: f.count === undefined ? matching.length > 0 : matching.length === f.count,
      expected: {
        ko: `${f.client}${josa(f.client, '가')} ${f.subject ? `제목이 "${f.subject}"인 ` : ''}메일을 ${f.count === undefined ? '' : `${f.count}통 `}받아 옴`,
        en: `${f.client} fetched ${f.count === undefined ? 'a letter' : messages(f.count)}${f.subject ? ` with subject "${f.subject}"` : ''}`,
      },
      actual: state.fetched.has(f.client)
        ? {
            ko: `이번 실행의 메일 ${mine.length}통을 받음${mine.length ? `: ${quoted(subjects)}` : ''}${earlier ? ` (이전 실행의 메일 ${earlier}통은 세지 않음)` : ''}`,
            en: `${messages(mine.length)} from this run fetched${mine.length ? `: ${quoted(subjects)}` : ''}${earlier ? ` (${messages(earlier)} from earlier runs not counted)` : ''}`,
          }
        : { ko: `${f.client}${josa(f.client, '는')} 아무것도 받아 오지 않음 (fetch 동작이 없음)`, en: `${f.client} fetched nothing (no fetch action ran)` },
    };
  }
  if ('refused' in e) {
    const r = e.refused;
    // a client's letter refused by its server, and a server refusing another at RCPT (the relay)
    const refusals = [...state.refusals, ...serverRefusals(letters.events())];
    const matching = refusals.filter((x) => x.host === r.host && (!r.recipient || (x.recipient ?? x.text).toLowerCase().includes(r.recipient.toLowerCase())) && (!r.code || x.code === r.code || x.text.startsWith(String(r.code))) && (!r.text || x.text.includes(r.text)));
    const list = refusals.map((x) => `${x.host}: ${x.text}`).join('; ');
    return {
      ok: matching.length > 0,
      expected: {
        ko: `${r.host}${josa(r.host, '가')} ${r.recipient ? `${r.recipient}${josa(r.recipient, '을')} ` : ''}거절함${r.code ? ` (${r.code})` : ''}${r.text ? `: "${r.text}"` : ''}`,
        en: `${r.host} refused${r.recipient ? ` ${r.recipient}` : ''}${r.code ? ` with ${r.code}` : ''}${r.text ? ` saying "${r.text}"` : ''}`,
      },
      actual: list ? both(list) : { ko: '거절된 것이 없음', en: 'nothing was refused' },
    };
  }
  const ev = e.event;
  const found = letters.events().some((x) => x.kind === ev.kind && (!ev.status || x.status === ev.status) && (!ev.from || x.from === ev.from) && (!ev.to || x.to === ev.to));
  const route = `${ev.from ? ` ${ev.from}` : ''}${ev.to ? ` → ${ev.to}` : ''}`;
  const kindKo: Record<string, string> = { dns: 'DNS', smtp: 'SMTP', queue: '메일 큐', relay: 'SMTP 전달', mda: 'MDA', pop3: 'POP3', imap: 'IMAP', bounce: '반송', net: '네트워크', lab: '실습' };
  const statusKo: Record<string, string> = { ok: '성공', deferred: '보류', bounced: '반송', refused: '거절', failed: '실패' };
  return {
    ok: found,
    expected: { ko: `${kindKo[ev.kind] ?? ev.kind} 단계${ev.status ? `(${statusKo[ev.status] ?? ev.status})` : ''}${route}`, en: `a ${ev.kind} hop${ev.status ? ` (${ev.status})` : ''}${ev.from ? ` from ${ev.from}` : ''}${ev.to ? ` to ${ev.to}` : ''}` },
    actual: found ? { ko: '있음', en: 'found' } : { ko: lab.trace.summaryLines('ko').join(' | '), en: lab.trace.summaryLines('en').join(' | ') },
  };
}

/** Refusals a server gave another server (Server refusing Server-B's relay at RCPT). */
function serverRefusals(events: HopEvent[]): ScenarioState['refusals'] {
  const out: ScenarioState['refusals'] = [];
  for (const e of events) {
    if (e.kind !== 'smtp' || e.status !== 'refused') continue;
    const text = String(e.detail?.reply ?? '');
    const rcpt = [...(e.transcript ?? [])].reverse().find((t) => t.dir === 'C' && /^RCPT TO:/i.test(t.line));
    const recipient = rcpt ? /<([^>]*)>/.exec(rcpt.line)?.[1] : undefined;
    out.push({ host: e.to, code: Number(text.slice(0, 3)) || undefined, text, recipient });
  }
  return out;
}

function headPart(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}


function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
