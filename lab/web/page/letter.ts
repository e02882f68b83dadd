import { html } from 'lab-page/html.ts';
import { t } from 'lab-page/i18n.ts';
import type { LetterView } from 'lab-page/types.ts';

// A letter as the page shows it: the decoded headers (the Received line this server added
// marked), the body, and the raw source as it is on disk.

export function Letter({ letter, open = false }: { letter: LetterView; open?: boolean }) {
  return html`<div class="letter-view">
    <table class="headers">
      <caption>${t('headers')}</caption>
      <tbody>
        ${letter.headers.map((h) => html`<tr class=${h.added ? 'added' : ''}>
          <th>${h.name}</th>
          <td>${h.value}${h.added ? html` <span class="added-tag">◀ ${t('addedReceived')}</span>` : null}</td>
        </tr>`)}
      </tbody>
    </table>
    <h4>${t('body')}</h4>
    <pre class="body">${letter.text}</pre>
    <details open=${open}>
      <summary>${t('raw')}</summary>
      <pre class="raw">${letter.raw}</pre>
    </details>
  </div>`;
}
