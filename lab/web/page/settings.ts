import { update, store } from 'lab-page/store.ts';
import { setLang } from 'lab-page/i18n.ts';

// The teacher's choices, kept in this browser: the language and the projector mode.

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // a file:// page in a strict browser may have no storage: the choice lasts until reload
  }
}

export function switchLang(): void {
  const lang = store.state.lang === 'ko' ? 'en' : 'ko';
  remember('mail-lab.lang', lang);
  setLang(lang);
  update(() => ({ lang }));
}

export function switchProjector(): void {
  const projector = !store.state.projector;
  remember('mail-lab.projector', projector ? '1' : '0');
  document.body.classList.toggle('projector', projector);
  update(() => ({ projector }));
}
