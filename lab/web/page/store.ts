import { useEffect, useState } from 'preact/hooks';
import { lettersOf, letterAt } from 'lab-page/letters.ts';
import { t } from 'lab-page/i18n.ts';
import type { Figure, HopEvent, LabModel, LabState, Lang, ScenarioRun, StepState } from 'lab-page/types.ts';

// The page's state in one place; components read it with useStore() and change it with update().

export interface Toast {
  id: number;
  text: string;
  ok: boolean;
  /** the lab's own words after the page's (a server's reply), shown as code */
  quote?: string;
}

export type Dialog =
  | { kind: 'compose'; from?: string; to?: string; subject?: string; body?: string; inReplyTo?: string }
  | { kind: 'letter'; host: string; user: string; id: string }
  | { kind: 'keys' };

export type SideTab = 'details' | 'queue' | 'mailboxes' | 'zones' | 'actions';

export interface PageState {
  model?: LabModel;
  /** the hops since the last reset, in order */
  events: HopEvent[];
  state?: LabState;
  step: StepState;
  scenario?: ScenarioRun | null;
  /** the hop shown on the figure and in the details: an index into `events`, -1 for none */
  cursor: number;
  /** the cursor follows each new hop (until Back is pressed) */
  following: boolean;
  figure: Figure;
  /** the side panel's tab */
  side: SideTab;
  lang: Lang;
  projector: boolean;
  /** protocols hidden from the event list */
  hidden: string[];
  numberedOnly: boolean;
  /** the list shows the hops of the letter on the figure only */
  letterOnly: boolean;
  connected: boolean;
  /** replaying the recorded hops in the page, ms per hop (0: not) */
  replaying: number;
  toasts: Toast[];
  dialog?: Dialog;
}

export const store: { state: PageState } = {
  state: {
    events: [],
    step: { available: false, on: false, waiting: 0, playing: 0 },
    cursor: -1,
    following: true,
    figure: 'overview',
    side: 'details',
    lang: 'ko',
    projector: false,
    hidden: [],
    numberedOnly: false,
    letterOnly: false,
    connected: false,
    replaying: 0,
    toasts: [],
  },
};

const listeners = new Set<() => void>();

export function update(change: (s: PageState) => Partial<PageState>): void {
  store.state = { ...store.state, ...change(store.state) };
  for (const listener of listeners) listener();
}

export function useStore(): PageState {
  const [, setTick] = useState(0);
  const seen = store.state;
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    // a change between this render and now (effects run after paint) would be missed otherwise
    if (store.state !== seen) listener();
    return () => void listeners.delete(listener);
  }, []);
  return store.state;
}

let toastSeq = 0;

export function toast(text: string, ok = true, quote?: string): void {
  const id = ++toastSeq;
  update((s) => ({ toasts: [...s.toasts, { id, text, ok, quote }].slice(-4) }));
  setTimeout(() => update((s) => ({ toasts: s.toasts.filter((x) => x.id !== id) })), ok ? 4000 : 9000);
}

/** The protocol a hop is filed under in the list (the relay speaks SMTP). */
export function protocolOf(e: Pick<HopEvent, 'kind' | 'protocol'>): string {
  if (e.kind === 'relay') return 'SMTP';
  if (e.kind === 'queue' || e.kind === 'mda' || e.kind === 'bounce' || e.kind === 'net' || e.kind === 'lab') return e.kind.toUpperCase();
  return (e.protocol ?? e.kind).toUpperCase();
}

const PROTOCOL_WORD: Record<string, Parameters<typeof t>[0]> = { QUEUE: 'protoQueue', BOUNCE: 'protoBounce', NET: 'protoNet', LAB: 'protoLab' };

/** A protocol as the page writes it: SMTP, DNS ... stay; the lab's own kinds in the page's language (큐, 반송). */
export function protocolWord(p: string): string {
  return PROTOCOL_WORD[p] ? t(PROTOCOL_WORD[p]) : p;
}

/** The hops the list shows, after the filters. */
export function visibleEvents(s: PageState): HopEvent[] {
  const letters = lettersOf(s.events);
  const letter = s.letterOnly ? letterAt(letters, s.cursor) : -1;
  return s.events.filter((e, i) => !s.hidden.includes(protocolOf(e)) && (!s.numberedOnly || e.steps) && (letter < 0 || letters.of[i] === letter || i === s.cursor));
}
