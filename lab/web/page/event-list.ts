import { Component } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html, circled, clock } from 'lab-page/html.ts';
import { t, tr } from 'lab-page/i18n.ts';
import { useStore, update, protocolOf, protocolWord, visibleEvents } from 'lab-page/store.ts';
import { colorOf, PROTOCOL_COLORS } from 'lab-page/colors.ts';
import type { HopEvent } from 'lab-page/types.ts';
import { select } from 'lab-page/player.ts';
import { lettersOf, letterAt } from 'lab-page/letters.ts';

// Packet Tracer's event list: time, both step numberings, from, to, protocol (a colour each),
// status; filters by protocol; a click shows the hop on the figure and its details.

const FILTERS = Object.keys(PROTOCOL_COLORS).filter((p) => p !== 'LAB');

export function EventList() {
  const s = useStore();
  const shown = visibleEvents(s);
  const current = s.events[s.cursor];
  const body = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Scroll the list only, never the page: the figure stays where the class looks.
    const box = body.current;
    const row = box?.querySelector<HTMLElement>('tr.current');
    if (!box || !row) return;
    const head = box.querySelector('thead')?.getBoundingClientRect().height ?? 0;
    if (row.offsetTop - head < box.scrollTop) box.scrollTop = row.offsetTop - head;
    else if (row.offsetTop + row.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = row.offsetTop + row.offsetHeight - box.clientHeight;
  }, [current?.seq]);
  const letters = lettersOf(s.events);
  const shownLetter = letterAt(letters, s.cursor) + 1;
  const indexOf = new Map(s.events.map((e, i) => [e, i]));
  const toggle = (p: string) => update((st) => ({ hidden: st.hidden.includes(p) ? st.hidden.filter((x) => x !== p) : [...st.hidden, p] }));
  return html`<section class="events" aria-label=${t('events')}>
    <header>
      <h2>${t('events')} <span class="count">${shown.length}</span></h2>
      <div class="filters" role="group">
        ${FILTERS.map((p) => html`<button class=${`filter ${s.hidden.includes(p) ? 'off' : 'on'}`} style=${`--c:${colorOf(p)}`} aria-pressed=${!s.hidden.includes(p)} onClick=${() => toggle(p)} data-protocol=${p}>${protocolWord(p)}</button>`)}
        <label class="numbered-only"><input type="checkbox" name="numbered-only" checked=${s.numberedOnly} onChange=${(e: Event) => update(() => ({ numberedOnly: (e.target as HTMLInputElement).checked }))} /> ${t('numberedOnly')}</label>
        ${letters.letters.length > 1 ? html`<label class="numbered-only"><input type="checkbox" name="letter-only" checked=${s.letterOnly} onChange=${(e: Event) => update(() => ({ letterOnly: (e.target as HTMLInputElement).checked }))} /> ${t('letterOnly')}${shownLetter ? ` (✉${shownLetter})` : ''}</label>` : null}
      </div>
    </header>
    ${letters.letters.length > 1 && shownLetter ? html`<style>${`.events tbody tr[data-letter]:not([data-letter="${shownLetter}"]) { opacity: .5; }`}</style>` : null}
    <div class="table" ref=${body}>
      <table>
        <thead><tr><th class="seq">#</th><th class="time">${t('time')}</th><th>${t('overviewStep')}</th><th>${t('sendmailStep')}</th><th class="letter-n">${t('letterColumn')}</th><th>${t('from')}</th><th>${t('to')}</th><th>${t('protocol')}</th><th>${t('status')}</th><th>${t('summary')}</th></tr></thead>
        <tbody>
          ${shown.length === 0 ? html`<tr><td colspan="10" class="empty">${t('noHops')}</td></tr>` : null}
          ${shown.map((e) => {
            const i = indexOf.get(e)!;
            return html`<${Row} key=${e.seq} event=${e} current=${e === current} lang=${s.lang} index=${i} last=${s.events.length - 1} letter=${letters.of[i] + 1} />`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

const STATUS_WORD = { ok: 'statusOk', deferred: 'statusDeferred', bounced: 'statusBounced', refused: 'statusRefused', failed: 'statusFailed' } as const;

export function statusWord(status: string | undefined): string {
  if (!status) return '';
  return status in STATUS_WORD ? t(STATUS_WORD[status as keyof typeof STATUS_WORD]) : status;
}

interface RowProps {
  event: HopEvent;
  current: boolean;
  lang: string;
  index: number;
  last: number;
  /** the letter it belongs to (1, 2 ...), 0 for none */
  letter: number;
}

/** One hop's row; drawn again only when it changes (a list of hundreds of hops stays quick). */
class Row extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps): boolean {
    const p = this.props;
    return next.event !== p.event || next.current !== p.current || next.lang !== p.lang || next.index !== p.index || next.letter !== p.letter || (next.last !== p.last && (next.index === next.last || p.index === p.last));
  }

  render() {
    const { event: e, current, index, last, letter } = this.props;
    const p = protocolOf(e);
    return html`<tr data-seq=${e.seq} data-letter=${letter || undefined} class=${`${current ? 'current' : ''} ${e.steps ? 'numbered' : ''} ${e.status && e.status !== 'ok' ? `bad ${e.status}` : ''}`} onClick=${() => (select(index, index === last), update(() => ({ side: 'details' })))}>
      <td class="seq">${e.seq}</td>
      <td class="time">${clock(e.at)}</td>
      <td class="step">${circled(e.steps?.overview)}</td>
      <td class="step">${circled(e.steps?.sendmail)}</td>
      <td class="letter-n">${letter ? `✉${letter}` : ''}</td>
      <td>${e.from}</td>
      <td>${e.to}</td>
      <td><span class="proto" style=${`--c:${colorOf(p)}`}>${protocolWord(p)}</span></td>
      <td class="status">${statusWord(e.status)}</td>
      <td class="summary">${tr(e.summary)}</td>
    </tr>`;
  }
}
