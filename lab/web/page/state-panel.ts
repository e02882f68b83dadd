import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from 'lab-page/html.ts';
import { t, lang } from 'lab-page/i18n.ts';
import { useStore, update, type SideTab } from 'lab-page/store.ts';
import { HopDetailsPane } from 'lab-page/hop-details.ts';
import { LabActions } from 'lab-page/controls.ts';
import type { Source } from 'lab-page/source.ts';
import type { LabModel, LabState } from 'lab-page/types.ts';

// Beside the picture, one panel with tabs: the details of the hop shown, and the lab's state,
// live: each mail server's queue as mailq shows it, each user's mailbox, the zones the name
// server serves; and the lab's controls (faults, flush, fetch, scenarios, reset, export).

export function SidePanel({ source }: { source: Source }) {
  const s = useStore();
  const queued = s.state?.queues.reduce((n, q) => n + q.entries.length, 0) ?? 0;
  const letters = s.state?.mailboxes.reduce((n, m) => n + m.letters.length + m.more, 0) ?? 0;
  const tabs: SideTab[] = source.live ? ['details', 'queue', 'mailboxes', 'zones', 'actions'] : ['details', 'queue', 'mailboxes', 'zones'];
  const tab = tabs.includes(s.side) ? s.side : 'details';
  return html`<aside class="side" aria-label=${t('sidePanel')}>
    <div class="tabs" role="tablist">
      ${tabs.map((name) => html`<button role="tab" class=${tab === name ? 'on' : ''} aria-selected=${tab === name} data-tab=${name} onClick=${() => update(() => ({ side: name }))}>
        ${t(TAB_WORD[name])}${name === 'queue' && queued ? html` <span class="count">${queued}</span>` : name === 'mailboxes' && letters ? html` <span class="count">${letters}</span>` : null}
      </button>`)}
    </div>
    <div class="side-body">
      ${tab === 'details' ? html`<${HopDetailsPane} source=${source} />` : tab === 'queue' ? html`<${Queues} state=${s.state} live=${source.live} />` : tab === 'mailboxes' ? mailboxes(s.state) : tab === 'zones' ? zones(s.model) : html`<${LabActions} source=${source} />`}
    </div>
  </aside>`;
}

const RCPT_WORD: Record<string, Parameters<typeof t>[0]> = { pending: 'rcptPending', deferred: 'rcptDeferred', delivered: 'rcptDelivered', bounced: 'rcptBounced' };

const TAB_WORD = { details: 'details', queue: 'queue', mailboxes: 'mailboxes', zones: 'zones', actions: 'labControls' } as const;

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return lang() === 'ko' ? `${s}초` : `${s}s`;
  const m = Math.floor(s / 60);
  return lang() === 'ko' ? `${m}분 ${s % 60}초` : `${m}m${s % 60}s`;
}

/**
 * The queues as mailq shows them. The lab sends them when something happens; in between, a
 * letter waiting for its next try still ages, so the ages and the next try are counted on from
 * when the page heard last (the lab's clock, not this computer's).
 */
function Queues({ state, live }: { state: LabState | undefined; live: boolean }) {
  const [, tick] = useState(0);
  const heard = useMemo(() => Date.now(), [state]);
  // a recording stands still: its queues are as they were at the end
  const waiting = live && (state?.queues.some((q) => q.entries.length) ?? false);
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [waiting]);
  if (!state) return null;
  const since = live ? Date.now() - heard : 0;
  return html`<div class="queues">${state.queues.map((q) => html`<div class="queue" data-host=${q.host}>
    <h3>${q.host} <span class="muted">mailq</span></h3>
    ${q.entries.length === 0 ? html`<p class="muted">${t('queueEmpty')}</p>` : html`<table>
      <thead><tr><th>${t('id')}</th><th>${t('age')}</th><th>${t('sender')}</th><th>${t('recipients')}</th><th>${t('lastError')}</th><th>${t('nextTry')}</th></tr></thead>
      <tbody>${q.entries.map((e) => html`<tr data-queue-id=${e.id}>
        <td><code>${e.id}</code></td>
        <td>${age(e.ageMs + since)}</td>
        <td>${e.from || '<>'}</td>
        <td>${e.recipients.map((r) => html`<div class=${`rcpt rcpt-${r.status}`}>${r.address} <span class="muted">(${t(RCPT_WORD[r.status] ?? 'rcptPending')})</span></div>`)}</td>
        <td class="error-text">${e.recipients.map((r) => r.lastError).filter(Boolean).join('; ')}</td>
        <td>${nextTry(e.recipients.map((r) => r.nextTry).filter((n): n is number => n !== undefined), state.now + since)}</td>
      </tr>`)}</tbody>
    </table>`}
  </div>`)}</div>`;
}

function nextTry(times: number[], now: number): string {
  if (!times.length) return '';
  const soonest = Math.min(...times);
  return soonest <= now ? t('now') : age(soonest - now);
}

function mailboxes(state: LabState | undefined) {
  if (!state) return null;
  return html`<div class="mailboxes">${state.mailboxes.map((m) => html`<div class="mailbox" data-mailbox=${`${m.host}/${m.user}`}>
    <h3>${m.address} <span class="muted">${m.host}</span></h3>
    ${m.letters.length === 0 ? html`<p class="muted">${t('mailboxEmpty')}</p>` : html`<ul>${[...m.letters].reverse().map((l) => html`<li>
      <button class="letter-row" data-letter=${l.id} onClick=${() => update(() => ({ dialog: { kind: 'letter', host: m.host, user: m.user, id: l.id } }))}>
        <span class="subject">${l.subject || t('noSubject')}</span>
        <span class="muted">${l.from}</span>
        <span class="muted">${l.folder}/</span>
      </button>
    </li>`)}</ul>`}
  </div>`)}</div>`;
}

function zones(model: LabModel | undefined) {
  if (!model) return null;
  return html`<div class="zones">${model.zones.map((z) => html`<div class="zone">
    <h3>${z.origin} <span class="muted">${z.file}</span></h3>
    <table><tbody>${z.records.map((r) => html`<tr class=${`rr rr-${r.type}`}><td>${r.name}.</td><td>${r.ttl}</td><td>IN</td><td><b>${r.type}</b></td><td>${r.data}</td></tr>`)}</tbody></table>
  </div>`)}</div>`;
}
