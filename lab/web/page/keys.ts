import { back, next, togglePlay } from 'lab-page/player.ts';
import { store, update } from 'lab-page/store.ts';
import { switchLang, switchProjector } from 'lab-page/settings.ts';

// The keyboard, as the terminal's step prompt and Packet Tracer have it; shown under "? Keys".

export function listenToKeys(canCompose: () => boolean): void {
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select, [contenteditable]') || e.ctrlKey || e.metaKey || e.altKey) return;
    if (target.closest('button, a') && (e.key === 'Enter' || e.key === ' ')) return; // the focused button takes it
    if (store.state.dialog) {
      if (e.key === 'Escape') update(() => ({ dialog: undefined }));
      return;
    }
    const key = e.key;
    if (key === 'Enter' || key === ' ' || key === 'ArrowRight' || key === 'n') void next();
    else if (key === 'ArrowLeft' || key === 'b') back();
    else if (key === 'p') togglePlay();
    else if (key === 'f') update((s) => ({ figure: s.figure === 'overview' ? 'detail' : 'overview' }));
    else if (key === 'l') switchLang();
    else if (key === 'v') switchProjector();
    else if (key === 'c' && canCompose()) update(() => ({ dialog: { kind: 'compose' } }));
    else if (key === '?') update(() => ({ dialog: { kind: 'keys' } }));
    else return;
    e.preventDefault();
  });
}
