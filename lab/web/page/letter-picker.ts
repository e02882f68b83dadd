import { html } from 'lab-page/html.ts';
import { t } from 'lab-page/i18n.ts';
import { useStore, update } from 'lab-page/store.ts';
import { lettersOf, letterAt, type LetterTrack } from 'lab-page/letters.ts';
import type { LabState } from 'lab-page/types.ts';

// Which letter the figure shows: the latest (following the lab), or one a student picks by its
// Message-ID. Picking one puts the cursor on its last hop, so the figure draws its whole way and
// the details show that hop.

export function LetterPicker() {
  const s = useStore();
  const found = lettersOf(s.events);
  if (!found.letters.length) return null;
  const shown = letterAt(found, s.cursor);
  const latest = s.following && s.cursor === s.events.length - 1;
  const pick = (value: string) => {
    if (value === 'latest') return update((st) => ({ cursor: st.events.length - 1, following: true }));
    const track = found.letters[Number(value) - 1];
    if (track) update(() => ({ cursor: track.hops.at(-1)!, following: false }));
  };
  return html`<div class="letter-picker">
    <label>${t('letterShown')}
      <select name="letter" value=${latest ? 'latest' : String(shown + 1)} onChange=${(e: Event) => pick((e.target as HTMLSelectElement).value)}>
        <option value="latest">${t('latestLetter')}</option>
        ${[...found.letters].reverse().map((track) => html`<option value=${String(track.n)} title=${track.messageId ?? ''}>${letterLabel(track, s.state)}</option>`)}
      </select>
    </label>
    ${found.letters[shown]?.messageId ? html`<code class="muted" title="Message-ID">${found.letters[shown].messageId}</code>` : null}
  </div>`;
}

/** "✉2 kim@daum.net → lee@naver.com · 과제 제출": the subject when a mailbox holds the letter. */
export function letterLabel(track: LetterTrack, state: LabState | undefined): string {
  const subject = track.messageId ? state?.mailboxes.flatMap((m) => m.letters).find((l) => l.messageId === track.messageId)?.subject : undefined;
  return `✉${track.n} ${track.sender ?? '?'} → ${track.recipients.join(', ') || '?'}${subject ? ` · ${subject}` : ''}`;
}
