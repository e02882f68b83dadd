import { html, render } from 'lab-page/html.ts';
import { t, setLang, initialLang } from 'lab-page/i18n.ts';
import { sentBy, fetchedBy } from 'lab-page/sentences.ts';
import { store, update, toast, useStore } from 'lab-page/store.ts';
import { LiveSource, RecordingSource, type Recording, type Source } from 'lab-page/source.ts';
import { usePlayer } from 'lab-page/player.ts';
import { listenToKeys } from 'lab-page/keys.ts';
import { Figure } from 'lab-page/figure.ts';
import { LetterPicker } from 'lab-page/letter-picker.ts';
import { EventList } from 'lab-page/event-list.ts';
import { SidePanel } from 'lab-page/state-panel.ts';
import { Toolbar, HeldBanner, ScenarioBanner } from 'lab-page/controls.ts';
import { Dialogs } from 'lab-page/dialogs.ts';
import type { HopEvent } from 'lab-page/types.ts';

// The page: the running lab (its API and live stream), or, in an exported file, the recording
// in it. Figures on top, the event list and a hop's details below, the lab's state beside.

const recordingElement = document.getElementById('recording');
const source: Source = recordingElement ? new RecordingSource(JSON.parse(recordingElement.textContent!) as Recording) : new LiveSource();
usePlayer(source);

function App() {
  const s = useStore();
  return html`<div class=${`app ${s.projector ? 'projector' : ''}`}>
    <${Toolbar} source=${source} />
    <${HeldBanner} />
    <${ScenarioBanner} />
    <main>
      <div class="stage"><${LetterPicker} /><${Figure} /></div>
      <${EventList} />
      <${SidePanel} source=${source} />
    </main>
    <div class="toasts">${s.toasts.map((x) => html`<div class=${`toast ${x.ok ? 'ok' : 'bad'}`} role="alert">${x.text}${x.quote ? html` <code>${x.quote}</code>` : null}</div>`)}</div>
    <${Dialogs} source=${source} />
  </div>`;
}

// Hops that come in a burst (a class sending at once) are added together, once per frame, so
// the page renders once for all of them rather than once each.
let arriving: HopEvent[] = [];

function addHop(event: HopEvent): void {
  if (!arriving.length) requestAnimationFrame(addArrived);
  arriving.push(event);
}

function addArrived(): void {
  const batch = arriving;
  arriving = [];
  update((s) => {
    const last = s.events.at(-1)?.seq ?? 0;
    const fresh = batch.filter((e) => e.seq > last); // already here: a reconnect
    if (!fresh.length) return {};
    const events = [...s.events, ...fresh];
    return { events, cursor: s.following ? events.length - 1 : s.cursor };
  });
}

async function loadModel(): Promise<void> {
  const model = await source.model();
  update(() => ({ model }));
}

async function start(): Promise<void> {
  const model = await source.model();
  const lang = initialLang(model.lang);
  setLang(lang);
  const projector = localStorage.getItem('mail-lab.projector') === '1';
  document.body.classList.toggle('projector', projector);
  update(() => ({ model, lang, projector, following: source.live }));
  render(html`<${App} />`, document.getElementById('app')!);
  listenToKeys(() => source.live && !!store.state.model?.canAct);
  source.connect({
    hello: (data) => {
      // A reset while this page was away: start the list over.
      if (store.state.model && data.resetAt !== store.state.model.resetAt) {
        update(() => ({ events: [], cursor: -1 }));
        void loadModel();
      }
      update(() => ({ step: data.step, scenario: data.scenario }));
    },
    hop: addHop,
    state: (state) => update(() => ({ state })),
    step: (step) => update(() => ({ step })),
    reset: () => {
      update(() => ({ events: [], cursor: -1, following: true }));
      void loadModel();
    },
    scenario: (scenario) => update(() => ({ scenario })),
    action: (a) => {
      const server = (pc: string | undefined) => store.state.model?.hosts.find((h) => h.name === pc)?.client?.server ?? '';
      if (a.kind === 'send' && a.ok) toast(sentBy(a.from ?? '', server(a.from)), true, (a.result as { response?: string }).response);
      else if (a.kind === 'fetch' && a.ok) toast(fetchedBy(a.from ?? '', (a.result as { letters?: number }).letters ?? 0));
      else toast(`${a.kind === 'send' ? t('notSent') : t('notFetched')}:`, false, a.error);
    },
    connected: (on) => update(() => ({ connected: on })),
  });
  if (!source.live) {
    addArrived();
    update((s) => ({ cursor: s.events.length ? 0 : -1, following: false }));
  }
}

start().catch((err: Error) => {
  document.getElementById('app')!.textContent = `mail-lab: ${err.message}`;
});
