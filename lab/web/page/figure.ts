import { useEffect, useMemo, useRef } from 'preact/hooks';
import { html, circled } from 'lab-page/html.ts';
import { t } from 'lab-page/i18n.ts';
import { useStore, protocolOf } from 'lab-page/store.ts';
import { layout } from 'lab-page/layout.ts';
import { hopPath, pathData, segmentData, placeBadges, badgeWidth, BADGE_H, type HopPath } from 'lab-page/hop-paths.ts';
import { faultsUpTo, trailUpTo } from 'lab-page/figure-state.ts';
import { hostBoxes, links, nameServerBubbles } from 'lab-page/figure-hosts.ts';
import { lettersOf, letterAt } from 'lab-page/letters.ts';
import { PROTOCOL_COLORS, colorOf } from 'lab-page/colors.ts';
import type { HopEvent, HopPreview } from 'lab-page/types.ts';
import type { Point } from 'lab-page/route.ts';

// The seed's two figures, drawn from the topology: the overview (the letter crossing the hosts,
// numbered 1-5) and the detail (the parts inside each mail server, numbered 1-10). The hop at
// the cursor moves as a letter along its line; that letter's earlier hops stay drawn, numbered
// (other letters' are not: the event list has them, and picking one shows its path); a held hop
// (step mode) is drawn dashed, about to happen.

type State = 'past' | 'current' | 'held';

export function Figure() {
  const s = useStore();
  const model = s.model;
  const l = useMemo(() => (model ? layout(model.hosts, s.figure, model.lead) : undefined), [model, s.figure, s.lang]);
  const box = useRef<HTMLDivElement>(null);
  useFollow(box, s.step.held ? -1 - (s.step.heldId ?? 0) : s.events[s.cursor]?.seq, s.figure);
  if (!model || !l) return null;
  const faults = faultsUpTo(s.events, s.cursor);
  const letters = lettersOf(s.events);
  const shown = letters.letters[letterAt(letters, s.cursor)];
  const current = s.events[s.cursor];
  const trail = trailUpTo(s.events, s.cursor, s.figure, shown).filter((e) => e !== current);
  const stepOf = (e: Pick<HopEvent, 'steps'>) => (s.figure === 'overview' ? e.steps?.overview : e.steps?.sendmail);
  // the held hop and the current one choose where their numbers go first
  const drawn: { hop: HopEvent | HopPreview; state: State }[] = [
    ...(s.step.held ? [{ hop: s.step.held, state: 'held' as const }] : []),
    ...(current ? [{ hop: current, state: 'current' as const }] : []),
    ...[...trail].reverse().map((hop) => ({ hop, state: 'past' as const })),
  ];
  const paths = drawn.map((d) => hopPath(d.hop, l, s.figure));
  const labels = placeBadges(drawn.map((d, i) => ({ path: paths[i] ?? { segments: [] }, label: paths[i] ? circled(stepOf(d.hop)) : '' })), l);
  const lines = drawn.map((d, i) => hopLine(d.hop, paths[i], stepOf(d.hop), d.state, letters.of[s.events.indexOf(d.hop as HopEvent)] ?? -1));
  // the lines from the oldest up, then every number over every line (a later line never hides one)
  const order = (state: State) => lines.filter((_, i) => drawn[i].state === state);
  const numbers = drawn.map((d, i) => {
    const step = stepOf(d.hop);
    const color = d.state === 'held' ? '#f59e0b' : colorOf(protocolOf(d.hop));
    const failed = 'status' in d.hop && d.hop.status && d.hop.status !== 'ok';
    if (!paths[i] || !step || !labels[i]) return null;
    return html`<g key=${`n-${i}-${d.state}`} class=${`hop-number number-${d.state}`} data-step=${step}>
      ${badge(labels[i]!, circled(step), color)}
      ${failed ? html`<text class="failed-mark" x=${labels[i]!.x + badgeWidth(circled(step)) / 2 + 6} y=${labels[i]!.y + 9}>✕</text>` : null}
    </g>`;
  }).reverse();
  const currentPath = current ? paths[drawn.findIndex((d) => d.state === 'current')] : undefined;
  // Never smaller than half size: a wide lab (three mail servers inside out) scrolls sideways
  // rather than shrink its words past reading, and the hop shown is scrolled into view.
  return html`<div class="figure-box" ref=${box}><svg class=${`figure figure-${s.figure}`} viewBox=${`0 0 ${l.width} ${l.height}`} preserveAspectRatio="xMidYMid meet" role="img"
      style=${`min-width: ${Math.round(l.width * MIN_SCALE)}px`}
      aria-label=${s.figure === 'overview' ? t('overview') : t('detail')}>
    <defs>
      ${Object.entries({ ...PROTOCOL_COLORS, flow: '#94a3b8', held: '#f59e0b' }).map(([name, color]) => html`<marker id=${`arrow-${name}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill=${color} /></marker>`)}
    </defs>
    <rect class="lan" x="8" y="8" width=${l.width - 16} height=${l.height - 16} rx="18" />
    <text class="lan-label" x="24" y="32">${t('lan')} ${model.network}</text>
    ${s.figure === 'overview' ? links(model.hosts, l, faults) : null}
    ${s.figure === 'overview' ? nameServerBubbles(model.hosts, l, faults) : null}
    ${hostBoxes(model.hosts, l, faults, s.figure, s.state)}
    ${order('past')}
    ${order('current')}
    ${order('held')}
    ${numbers}
    ${current && currentPath?.segments.length ? html`<${Envelope} key=${`letter-${current.seq}-${s.figure}`} d=${pathData(currentPath.segments)} />` : null}
  </svg></div>`;
}

const MIN_SCALE = 0.5;

/** Scroll the figure (not the page) so that the hop shown, or the held one, is in view. */
function useFollow(box: { current: HTMLDivElement | null }, seq: number | undefined, figure: string): void {
  useEffect(() => {
    const el = box.current;
    if (!el || (el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight)) return;
    const hop = el.querySelector('.hop-held, .hop-current');
    if (!hop) return;
    const r = hop.getBoundingClientRect();
    const view = el.getBoundingClientRect();
    const left = r.left - view.left + el.scrollLeft;
    const top = r.top - view.top + el.scrollTop;
    if (r.left < view.left || r.right > view.right) el.scrollLeft = Math.max(0, left + r.width / 2 - el.clientWidth / 2);
    if (r.top < view.top || r.bottom > view.bottom) el.scrollTop = Math.max(0, top + r.height / 2 - el.clientHeight / 2);
  }, [seq, figure]);
}

function hopLine(hop: HopEvent | HopPreview, path: HopPath | undefined, step: string | undefined, state: State, letter: number) {
  if (!path) return null;
  const protocol = protocolOf(hop);
  const color = state === 'held' ? '#f59e0b' : colorOf(protocol);
  const failed = 'status' in hop && hop.status && hop.status !== 'ok';
  const key = 'seq' in hop ? `${state}-${hop.seq}` : `held-${hop.kind}-${hop.from}-${hop.to}`;
  const marker = `url(#arrow-${state === 'held' ? 'held' : protocol in PROTOCOL_COLORS ? protocol : 'NET'})`;
  return html`<g key=${key} class=${`hop hop-${state} ${failed ? 'hop-failed' : ''}`} data-step=${step ?? ''} data-kind=${hop.kind} data-from=${hop.from} data-to=${hop.to}
      data-seq=${'seq' in hop ? hop.seq : ''} data-letter=${letter >= 0 ? letter + 1 : ''}>
    ${path.segments.length
      ? segmentData(path.segments).map((d) => html`<path d=${d} stroke=${color} marker-end=${marker} />`)
      : html`<rect x=${path.at!.x} y=${path.at!.y} width=${path.at!.w} height=${path.at!.h} rx="20" stroke=${color} class="at-host" />`}
  </g>`;
}

/**
 * The letter itself, travelling along the hop at the cursor. An SVG animation that begins when
 * the envelope is drawn (begin="indefinite" and beginElement()): one that begins at the
 * document's start would be over already for every hop after the first second.
 */
function Envelope({ d }: { d: string }) {
  const motion = useRef<SVGAnimationElement>(null);
  const envelope = useRef<SVGGElement>(null);
  useEffect(() => {
    // hidden until it starts, or it would show for a frame where the figure begins
    envelope.current?.style.removeProperty('visibility');
    motion.current?.beginElement();
  }, [d]);
  return html`<g class="letter" ref=${envelope} style="visibility: hidden">
    <g>
      <animateMotion ref=${motion} begin="indefinite" dur="1.1s" fill="freeze" path=${d} calcMode="spline" keyPoints="0;1" keyTimes="0;1" keySplines="0.4 0 0.2 1" />
      <rect x="-20" y="-14" width="40" height="28" rx="3" />
      <path d="M-20,-14 L0,3 L20,-14" />
    </g>
  </g>`;
}

/** The step number on its line: ② in a round badge, ④⑤ in a longer one. */
function badge(at: Point, label: string, color: string) {
  const w = badgeWidth(label);
  return html`<g class="badge"><rect x=${at.x - w / 2} y=${at.y - BADGE_H / 2} width=${w} height=${BADGE_H} rx="20" fill=${color} /><text x=${at.x} y=${at.y + 8} text-anchor="middle">${label}</text></g>`;
}

