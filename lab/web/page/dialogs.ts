import { useEffect, useState } from 'preact/hooks';
import { html } from 'lab-page/html.ts';
import { t, lang } from 'lab-page/i18n.ts';
import { useStore, update, toast } from 'lab-page/store.ts';
import { Letter } from 'lab-page/letter.ts';
import type { Source } from 'lab-page/source.ts';
import type { LetterView } from 'lab-page/types.ts';

// The page's dialogs: write a letter from a client PC, open a letter from a mailbox, the keys.

export function Dialogs({ source }: { source: Source }) {
  const s = useStore();
  if (!s.dialog) return null;
  const close = () => update(() => ({ dialog: undefined }));
  return html`<div class="dialog-back" onClick=${(e: Event) => e.target === e.currentTarget && close()}>
    <div class="dialog" role="dialog" aria-modal="true">
      <button class="close" onClick=${close} aria-label=${t('close')}>✕</button>
      ${s.dialog.kind === 'compose' ? html`<${Compose} source=${source} dialog=${s.dialog} />` : s.dialog.kind === 'letter' ? html`<${OpenLetter} source=${source} dialog=${s.dialog} />` : html`<${Keys} />`}
    </div>
  </div>`;
}

function Compose({ source, dialog }: { source: Source; dialog: Extract<NonNullable<ReturnType<typeof useStore>['dialog']>, { kind: 'compose' }> }) {
  const model = useStore().model!;
  const pcs = model.hosts.filter((h) => h.client);
  const [from, setFrom] = useState(dialog.from ?? pcs.find((p) => p.name === model.lead)?.name ?? pcs[0]?.name ?? '');
  const other = pcs.find((p) => p.name !== from)?.client?.account ?? '';
  const [to, setTo] = useState(dialog.to ?? other);
  const [subject, setSubject] = useState(dialog.subject ?? t('welcome'));
  const [body, setBody] = useState(dialog.body ?? (lang() === 'ko' ? '안녕하세요.\n메일 서버 실습에서 보내는 메일입니다.\n' : 'Hello,\nthis letter comes from the mail lab.\n'));
  const [sending, setSending] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    setSending(true);
    try {
      await source.post('/api/send', { from, to: to.split(/[,;\s]+/).filter(Boolean), subject, body, ...(dialog.inReplyTo ? { inReplyTo: dialog.inReplyTo } : {}) });
      update(() => ({ dialog: undefined, following: true }));
    } catch (err) {
      toast((err as Error).message, false);
    } finally {
      setSending(false);
    }
  };
  const account = pcs.find((p) => p.name === from)?.client;
  return html`<form class="compose" onSubmit=${send}>
    <h2>${dialog.inReplyTo ? t('reply') : t('compose')}</h2>
    <label>${t('pc')}
      <select name="from" value=${from} onChange=${(e: Event) => setFrom((e.target as HTMLSelectElement).value)}>
        ${pcs.map((p) => html`<option value=${p.name}>${p.name} (${p.client!.account} → ${p.client!.server})</option>`)}
      </select>
    </label>
    <div class="muted">${t('letterFrom')}: ${account?.account}</div>
    <label>${t('letterTo')} <input name="to" value=${to} onInput=${(e: Event) => setTo((e.target as HTMLInputElement).value)} placeholder="lee@naver.com" /></label>
    <label>${t('subject')} <input name="subject" value=${subject} onInput=${(e: Event) => setSubject((e.target as HTMLInputElement).value)} /></label>
    <label>${t('body2')} <textarea name="body" rows="6" value=${body} onInput=${(e: Event) => setBody((e.target as HTMLTextAreaElement).value)}></textarea></label>
    <div class="hint muted">${lang() === 'ko' ? '없는 사용자(nobody@naver.com)나 없는 도메인(lee@naverr.com)에 보내면 반송 메일(DSN)이 돌아옵니다.' : 'Send to an unknown user (nobody@naver.com) or domain (lee@naverr.com) to see a bounce (DSN).'}</div>
    <button type="submit" class="primary" disabled=${sending}>${t('send')}</button>
  </form>`;
}

function OpenLetter({ source, dialog }: { source: Source; dialog: { host: string; user: string; id: string } }) {
  const model = useStore().model!;
  const [letter, setLetter] = useState<LetterView | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    source.letter(dialog.host, dialog.user, dialog.id).then(setLetter, (err: Error) => setError(err.message));
  }, [dialog.host, dialog.user, dialog.id]);
  // The reply goes from the PC whose account this mailbox is.
  const host = model.hosts.find((h) => h.name === dialog.host);
  const address = host?.mail?.users.find((u) => u.user === dialog.user)?.address;
  const pc = model.hosts.find((h) => h.client?.account === address);
  const reply = () => letter && update(() => ({
    dialog: { kind: 'compose', from: pc?.name, to: /<([^>]+)>/.exec(letter.from)?.[1] ?? letter.from, subject: /^re:/i.test(letter.subject) ? letter.subject : `Re: ${letter.subject}`, body: `\n\n> ${letter.text.trim().split('\n').join('\n> ')}\n`, inReplyTo: letter.messageId },
  }));
  return html`<div class="open-letter">
    <h2>${letter?.subject ?? ''}</h2>
    <div class="muted">${dialog.host} · ${address}</div>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${letter ? html`<${Letter} letter=${letter} />` : null}
    ${letter && pc && model.canAct && source.live ? html`<button class="primary" onClick=${reply}>${t('reply')} (${pc.name})</button>` : null}
  </div>`;
}

function Keys() {
  return html`<div class="keys-help"><h2>${t('keys')}</h2><ul>
    ${(['keyNext', 'keyBack', 'keyPlay', 'keyFigure', 'keyLang', 'keyProjector', 'keyCompose'] as const).map((k) => html`<li>${t(k)}</li>`)}
    <li>?: ${t('keys')}</li>
  </ul></div>`;
}
