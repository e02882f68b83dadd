import { html, circled } from 'lab-page/html.ts';
import { t, tr, lang } from 'lab-page/i18n.ts';
import { useStore, update, toast, protocolOf, protocolWord } from 'lab-page/store.ts';
import { hostSwitched, serviceSwitched, linkSwitched, flushing, scenarioStarted } from 'lab-page/sentences.ts';
import { back, next, play, togglePlay } from 'lab-page/player.ts';
import { faultsUpTo, linkKey } from 'lab-page/figure-state.ts';
import { switchLang, switchProjector } from 'lab-page/settings.ts';
import type { Source } from 'lab-page/source.ts';

// The toolbar (figure, step mode, Back/Next/Play, language, projector), the banner of the hop
// held in step mode, the scenario's outcome, and the lab's controls (faults, flush, fetch,
// scenarios, reset, export). Every action is one POST to the API.

const SPEEDS = [3000, 1500, 700, 300];

async function act(source: Source, path: string, body?: unknown, done?: string): Promise<void> {
  try {
    await source.post(path, body);
    if (done) toast(done);
  } catch (err) {
    toast((err as Error).message, false);
  }
}

export function Toolbar({ source }: { source: Source }) {
  const s = useStore();
  const model = s.model;
  const playing = s.replaying > 0 || s.step.playing > 0;
  const speed = Number(localStorage.getItem('mail-lab.speed') ?? 1500);
  return html`<header class="toolbar">
    <div class="brand" title=${t('title')}><b>mail-lab</b> ${model ? html`<span class="muted" title=${model.file}>${model.name}${model.runtime === 'containers' ? ` · ${t('runtimeContainers')}` : ''}</span>` : null}
      <span class=${`conn ${source.live ? (s.connected ? 'on' : 'off') : 'rec'}`}>${source.live ? (s.connected ? t('live') : t('offline')) : t('recording')}</span>
    </div>
    <div class="group figure-switch" role="group">
      <button class=${s.figure === 'overview' ? 'on' : ''} data-figure="overview" onClick=${() => update(() => ({ figure: 'overview' }))}>${t('overview')}</button>
      <button class=${s.figure === 'detail' ? 'on' : ''} data-figure="detail" onClick=${() => update(() => ({ figure: 'detail' }))}>${t('detail')}</button>
    </div>
    <div class="group player" role="group">
      ${source.live ? html`<label class=${`switch ${s.step.on ? 'on' : ''} ${s.step.available ? '' : 'unavailable'}`} title=${s.step.available ? t('keyStep') : t('stepUnavailable')}>
        <input type="checkbox" name="step" checked=${s.step.on} disabled=${!s.step.available || !model?.canAct} onChange=${(e: Event) => act(source, '/api/step', { on: (e.target as HTMLInputElement).checked })} /> ${t('step')}
      </label>` : null}
      ${source.live && !s.step.available ? html`<button class="step-note" data-action="step-why" title=${t('stepUnavailable')} onClick=${() => toast(t('stepUnavailable'), false)}>${t('stepUnavailableShort')} ⓘ</button>` : null}
      <button data-action="back" onClick=${back} title="← b">◀ ${t('back')}</button>
      <button data-action="next" class="primary" onClick=${() => void next()} title="Enter Space →">${t('next')} ▶</button>
      <button data-action="play" onClick=${togglePlay} title="p">${playing ? `■ ${t('pause')}` : `▶▶ ${t('play')}`}</button>
      <select name="speed" aria-label=${t('speed')} value=${speed} onChange=${(e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        localStorage.setItem('mail-lab.speed', v);
        if (playing) void play(Number(v));
      }}>${SPEEDS.map((ms) => html`<option value=${ms}>${(ms / 1000).toFixed(1)} s</option>`)}</select>
    </div>
    <div class="group">
      ${source.live && model?.canAct ? html`<button data-action="compose" onClick=${() => update(() => ({ dialog: { kind: 'compose' } }))}>✉ ${t('compose')}</button>` : null}
      <button data-action="lang" onClick=${switchLang}>${t('language')}</button>
      <button data-action="projector" class=${s.projector ? 'on' : ''} onClick=${switchProjector}>${t('projector')}</button>
      <button data-action="keys" title=${t('keys')} aria-label=${t('keys')} onClick=${() => update(() => ({ dialog: { kind: 'keys' } }))}>?</button>
    </div>
  </header>`;
}

export function HeldBanner() {
  const s = useStore();
  const held = s.step.held;
  if (!held) return null;
  const steps = held.steps ? `${t('overviewStep')} ${circled(held.steps.overview)} · ${t('sendmailStep')} ${circled(held.steps.sendmail)}` : '';
  return html`<div class="held" role="status">
    <span class="held-title">■ ${t('held')}</span>
    <b>${steps}</b> <span class="proto-text">${protocolWord(protocolOf(held))}</span>
    <span>${held.from}${held.fromAddress ? ` (${held.fromAddress})` : ''} → ${held.to}${held.toAddress ? ` (${held.toAddress})` : ''}</span>
    <span class="held-summary">${tr(held.summary)}</span>
    ${held.files?.length ? html`<span class="muted">${held.files.map((f) => f.split('/').slice(-3).join('/')).join(', ')}</span>` : null}
    <button class="primary" data-action="release" onClick=${() => void next()}>${t('next')} ▶ <kbd>Enter</kbd></button>
  </div>`;
}

export function ScenarioBanner() {
  const s = useStore();
  const run = s.scenario;
  if (!run) return null;
  const word = run.state === 'running' ? t('running') : run.state === 'done' ? t('passed') : t('failed');
  const held = run.expectations?.filter((e) => e.ok).length ?? 0;
  const all = run.expectations?.length ?? 0;
  // one line; the expectations open below it (at once when one failed)
  return html`<details class=${`scenario-banner ${run.state}`} data-scenario=${run.name} open=${run.state === 'failed'}>
    <summary><b>${t('scenario')}: ${tr(run.title)}</b> <span class="state-word">${word}</span>
      ${all ? html` <span class="muted">${t('expectations')} ${held}/${all}</span>` : null}
      ${run.error ? html` <span class="error-text">${run.error}</span>` : null}</summary>
    ${all ? html`<ul>${run.expectations!.map((e) => html`<li class=${e.ok ? 'ok' : 'bad'}>${e.ok ? '✓' : '✗'} ${tr(e.expected)}${e.ok ? '' : html` <span class="muted">(${tr(e.actual)})</span>`}</li>`)}</ul>` : null}
  </details>`;
}

export function LabActions({ source }: { source: Source }) {
  const s = useStore();
  const model = s.model;
  if (!model || !source.live) return null;
  if (!model.canAct) return html`<section class="actions"><p class="muted">${t('watchOnly')}</p></section>`;
  const faults = faultsUpTo(s.events, s.events.length - 1);
  const servers = model.hosts.filter((h) => h.mail);
  const pairs: [string, string][] = [];
  for (let i = 0; i < servers.length; i++) for (let j = i + 1; j < servers.length; j++) pairs.push([servers[i].name, servers[j].name]);
  return html`<section class="actions" aria-label=${t('faults')}>
    <h3>${t('faults')}</h3>
    <table><tbody>
      ${model.hosts.map((h) => {
        const down = faults.hosts.has(h.name);
        return html`<tr data-host=${h.name}>
          <th>${h.name}</th>
          <td>${h.services.length || h.client ? html`<button data-fault=${down ? 'host-up' : 'host-down'} class=${down ? 'on-bad' : ''} onClick=${() => act(source, '/api/fault', { fault: down ? 'host-up' : 'host-down', host: h.name }, hostSwitched(h.name, down))}>${down ? t('hostUp') : t('hostDown')}</button>` : null}
            ${h.services.map((sv) => {
              const off = faults.services.has(`${h.name}/${sv}`);
              return html`<button data-service=${sv} class=${off ? 'on-bad' : ''} disabled=${down} onClick=${() => act(source, '/api/fault', { fault: off ? 'service-up' : 'service-down', host: h.name, service: sv }, serviceSwitched(h.name, sv, off))}>${sv.toUpperCase()} ${off ? t('hostUp') : t('hostDown')}</button>`;
            })}
            ${h.mail ? html`<button data-flush=${h.name} onClick=${() => act(source, '/api/flush', { host: h.name }, flushing(h.name))}>${t('flush')}</button>` : null}
            ${h.client ? html`<button data-fetch="pop3" onClick=${() => act(source, '/api/fetch', { client: h.name, protocol: 'pop3' })}>${t('fetchPop3')}</button><button data-fetch="imap" onClick=${() => act(source, '/api/fetch', { client: h.name, protocol: 'imap' })}>${t('fetchImap')}</button>` : null}
          </td>
        </tr>`;
      })}
      ${pairs.map(([a, b]) => {
        const cut = faults.links.has(linkKey(a, b));
        return html`<tr data-link=${`${a}|${b}`}><th>${a} ↔ ${b}</th><td><button class=${cut ? 'on-bad' : ''} onClick=${() => act(source, '/api/fault', { fault: cut ? 'link-up' : 'link-down', host: a, peer: b }, linkSwitched(a, b, cut))}>${cut ? t('linkUp') : t('linkDown')}</button></td></tr>`;
      })}
    </tbody></table>
    <div class="scenario-run">
      <label>${t('scenario')} <select name="scenario">${model.scenarios.map((sc) => html`<option value=${sc.name}>${sc.name}: ${tr(sc.title)}</option>`)}</select></label>
      <button data-action="run-scenario" onClick=${(e: Event) => {
        const select = (e.currentTarget as HTMLElement).parentElement!.querySelector('select') as HTMLSelectElement;
        const chosen = model.scenarios.find((sc) => sc.name === select.value);
        void act(source, '/api/scenario', { name: select.value }, scenarioStarted(chosen ? tr(chosen.title) : select.value));
      }}>▶ ${t('run')}</button>
      <button data-action="reset" onClick=${() => confirm(t('resetAsk')) && act(source, '/api/reset')}>⟲ ${t('reset')}</button>
      <a class="button" data-action="export" href="/api/export" download>⤓ ${t('export')}</a>
    </div>
  </section>`;
}

