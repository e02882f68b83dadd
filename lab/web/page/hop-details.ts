import { useEffect, useState } from 'preact/hooks';
import { html, circled, clock } from 'lab-page/html.ts';
import { t, tr, lang } from 'lab-page/i18n.ts';
import { useStore, protocolOf, protocolWord } from 'lab-page/store.ts';
import { colorOf } from 'lab-page/colors.ts';
import { Letter } from 'lab-page/letter.ts';
import { statusWord } from 'lab-page/event-list.ts';
import { lettersOf, type LetterTrack } from 'lab-page/letters.ts';
import type { Source } from 'lab-page/source.ts';
import type { HopDetails, HopEvent } from 'lab-page/types.ts';

// A hop's details: what happened, the configuration line that decided it, the reply codes,
// the DNS question and answer, the conversation (passwords masked by the lab), and the files
// it touched as they were right after it.

const cache = new Map<number, HopDetails>();

export function HopDetailsPane({ source }: { source: Source }) {
  const s = useStore();
  const event = s.events[s.cursor];
  const letters = lettersOf(s.events);
  const [details, setDetails] = useState<HopDetails | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    setError('');
    if (!event) return setDetails(undefined);
    const hit = cache.get(event.seq);
    if (hit) return setDetails(hit);
    setDetails(undefined);
    let live = true;
    // While hops stream in, the cursor moves on each; the files are asked for once it rests.
    const timer = setTimeout(() => source.hop(event.seq).then((d) => {
      cache.set(event.seq, d);
      if (live) setDetails(d);
    }, (err: Error) => live && setError(err.message)), source.live ? 120 : 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [event?.seq]);
  if (!event) return html`<section class="details"><h2>${t('details')}</h2><p class="empty">${t('noHops')}</p></section>`;
  return html`<section class="details" aria-label=${t('details')} data-seq=${event.seq}>
    ${head(event)}
    <p class="hop-summary">${tr(event.summary)}</p>
    ${config(event)}
    ${replies(event)}
    ${event.kind === 'dns' ? dns(event) : null}
    ${ids(event, letters.letters[letters.of[s.cursor]])}
    ${event.transcript?.length ? html`<h3>${t('transcript')}</h3><div class="transcript">${event.transcript.map((l) => html`<div class=${`dir-${l.dir}`}>${l.dir}: ${l.line}</div>`)}</div>` : null}
    ${error ? html`<p class="error">${error}</p>` : null}
    ${details?.files.length ? html`<h3>${t('files')}</h3>${details.files.map((f) => html`<div class="file">
      <div class="file-head"><code>${f.path}</code> <span class="file-kind">${fileKind(f.kind)}</span> ${f.gone ? html`<em>${t('fileGone')}</em>` : html`<span class="size">${f.size} ${t('bytes')}</span>`}</div>
      ${f.letter ? html`<${Letter} letter=${f.letter} />` : f.control ? html`<pre class="control">${JSON.stringify(f.control, null, 2)}</pre>` : f.content !== undefined ? html`<pre>${f.content}</pre>` : null}
    </div>`)}` : null}
  </section>`;
}

function head(e: HopEvent) {
  const p = protocolOf(e);
  const who = (name: string, address?: string) => (address ? `${name} (${address})` : name);
  return html`<header class="hop-head">
    <span class="seq">#${e.seq}</span>
    <span class="time">${clock(e.at)}</span>
    ${e.steps ? html`<span class="steps">${t('overviewStep')} ${circled(e.steps.overview)} · ${t('sendmailStep')} ${circled(e.steps.sendmail)}</span>` : null}
    <span class="proto" style=${`--c:${colorOf(p)}`}>${protocolWord(p)}</span>
    <span class="route">${who(e.from, e.fromAddress)} → ${who(e.to, e.toAddress)}</span>
    ${e.status ? html`<span class=${`status status-${e.status}`}>${statusWord(e.status)}</span>` : null}
  </header>`;
}

function config(e: HopEvent) {
  if (!e.config?.length) return null;
  return html`<div class="config"><h3>${t('config')}</h3>${e.config.map((c) => html`<div class="config-line">
    <div><code>${c.file}:${c.line}</code> <code class="text">${c.text}</code></div>
    ${c.real ? html`<div class="real"><code>${c.real}</code> ${c.realText ? html`<code class="text">${c.realText}</code>` : null}</div>` : null}
    ${c.why ? html`<div class="why">${tr(c.why)}</div>` : null}
  </div>`)}</div>`;
}

/** The protocol's reply codes: SMTP's 250/550, POP3's +OK/-ERR, IMAP's tagged OK/NO/BAD. */
function replies(e: HopEvent) {
  const codes = new Set<string>();
  for (const l of e.transcript ?? []) {
    if (l.dir !== 'S') continue;
    const m = /^(\d{3})[ -](\d\.\d{1,3}\.\d{1,3})?/.exec(l.line) ?? /^([+-](?:OK|ERR))\b/.exec(l.line) ?? /^[A-Za-z0-9]+ (OK|NO|BAD)\b/.exec(l.line);
    if (m) codes.add(m[2] ? `${m[1]} ${m[2]}` : m[1]);
  }
  const reply = e.detail?.reply;
  if (typeof reply === 'string') codes.add(reply.split(' ').slice(0, 2).join(' '));
  if (!codes.size) return null;
  return html`<div class="replies"><h3>${t('replies')}</h3>${[...codes].map((c) => html`<code class=${`code code-${c[0] === '2' || c[0] === '3' || c.startsWith('+') || c === 'OK' ? 'ok' : 'bad'}`}>${c}</code>`)}</div>`;
}

function dns(e: HopEvent) {
  const questions = (e.transcript ?? []).filter((l) => l.dir === 'C').map((l) => l.line.replace(/^QUERY\s+/, ''));
  const answers = (e.transcript ?? []).filter((l) => l.dir === 'S').map((l) => l.line);
  return html`<div class="dns">
    <div><h3>${t('dnsQuestion')}</h3><pre>${questions.join('\n')}</pre></div>
    <div><h3>${t('dnsAnswer')}</h3><pre>${answers.join('\n')}</pre></div>
  </div>`;
}

/** The queue ID of this hop, and the letter it belongs to (its Message-ID, even where the hop itself names none: a POP3 RETR). */
function ids(e: HopEvent, letter: LetterTrack | undefined) {
  const messageId = e.messageId ?? letter?.messageId;
  if (!e.queueId && !messageId && !letter) return null;
  return html`<p class="ids">${letter ? html`<b>${t('thisLetter')}: ✉${letter.n}</b> ` : null}${e.queueId ? html`${t('queueId')} <code>${e.queueId}</code> ` : null}${messageId ? html`${t('messageId')} <code>${messageId}</code>` : null}</p>`;
}

function fileKind(kind: string): string {
  const ko = lang() === 'ko';
  if (kind === 'qf') return ko ? 'qf: 제어 파일 (봉투, 받는 사람별 상태)' : 'qf: control file (envelope, each recipient\'s state)';
  if (kind === 'df') return ko ? 'df: 데이터 파일 (받은 그대로의 메일)' : 'df: data file (the message as received)';
  if (kind === 'maildir') return ko ? 'Maildir: 메일 박스의 메일 한 통' : 'Maildir: one letter in the mailbox';
  return '';
}
