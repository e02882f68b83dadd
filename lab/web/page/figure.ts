import { useMemo } from 'preact/hooks';
import { html, circled } from 'lab-page/html.ts';
import { t, tr } from 'lab-page/i18n.ts';
import { useStore, protocolOf } from 'lab-page/store.ts';
import { layout } from 'lab-page/layout.ts';
import { hopPath, pathData, segmentData, type HopPath } from 'lab-page/hop-paths.ts';
import { faultsUpTo, trailUpTo } from 'lab-page/figure-state.ts';
import { hostBoxes, links, nameServerBubbles } from 'lab-page/figure-hosts.ts';
import { PROTOCOL_COLORS, colorOf } from 'lab-page/colors.ts';
import type { HopEvent, HopPreview } from 'lab-page/types.ts';

// The seed's two figures, drawn from the topology: the overview (the letter crossing the hosts,
// numbered 1-5) and the detail (the parts inside each mail server, numbered 1-10). The hop at
// the cursor moves as a letter along its line; the letter's earlier hops stay drawn, numbered;
// a held hop (step mode) is drawn dashed, about to happen.

export function Figure() {
  const s = useStore();
  const model = s.model;
  const l = useMemo(() => (model ? layout(model.hosts, s.figure, model.lead) : undefined), [model, s.figure]);
  if (!model || !l) return null;
  const faults = faultsUpTo(s.events, s.cursor);
  const trail = trailUpTo(s.events, s.cursor, s.figure);
  const current = s.events[s.cursor];
  const held = s.step.held;
  const stepOf = (e: Pick<HopEvent, 'steps'>) => (s.figure === 'overview' ? e.steps?.overview : e.steps?.sendmail);
  return html`<svg class=${`figure figure-${s.figure}`} viewBox=${`0 0 ${l.width} ${l.height}`} preserveAspectRatio="xMidYMid meet" role="img"
      aria-label=${s.figure === 'overview' ? t('overview') : t('detail')}>
    <defs>
      ${Object.entries({ ...PROTOCOL_COLORS, flow: '#94a3b8', held: '#f59e0b' }).map(([name, color]) => html`<marker id=${`arrow-${name}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill=${color} /></marker>`)}
    </defs>
    <rect class="lan" x="8" y="8" width=${l.width - 16} height=${l.height - 16} rx="18" />
    <text class="lan-label" x="24" y="32">${t('lan')} ${model.network}</text>
    ${s.figure === 'overview' ? links(model.hosts, l, faults) : null}
    ${s.figure === 'overview' ? nameServerBubbles(model.hosts, l, faults) : null}
    ${hostBoxes(model.hosts, l, faults, s.figure, s.state)}
    ${trail.filter((e) => e !== current).map((e) => hopLine(e, hopPath(e, l, s.figure), stepOf(e), 'past'))}
    ${current ? hopLine(current, hopPath(current, l, s.figure), stepOf(current), 'current') : null}
    ${held ? hopLine(held, hopPath(held, l, s.figure), stepOf(held), 'held') : null}
    ${current ? letter(current, hopPath(current, l, s.figure)) : null}
  </svg>`;
}

function hopLine(hop: HopEvent | HopPreview, path: HopPath | undefined, step: string | undefined, state: 'past' | 'current' | 'held') {
  if (!path) return null;
  const protocol = protocolOf(hop);
  const color = state === 'held' ? '#f59e0b' : colorOf(protocol);
  const failed = 'status' in hop && hop.status && hop.status !== 'ok';
  const key = 'seq' in hop ? `${state}-${hop.seq}` : `held-${hop.kind}-${hop.from}-${hop.to}`;
  return html`<g key=${key} class=${`hop hop-${state} ${failed ? 'hop-failed' : ''}`} data-step=${step ?? ''} data-kind=${hop.kind}>
    ${path.points.length
      ? segmentData(path.points).map((d) => html`<path d=${d} stroke=${color} marker-end=${`url(#arrow-${state === 'held' ? 'held' : protocol in PROTOCOL_COLORS ? protocol : 'NET'})`} />`)
      : html`<rect x=${path.at!.x} y=${path.at!.y} width=${path.at!.w} height=${path.at!.h} rx="20" stroke=${color} class="at-host" />`}
    ${step ? badge(path.label, circled(step), color) : null}
    ${failed ? html`<text class="failed-mark" x=${path.label.x + 24} y=${path.label.y + 8}>✕</text>` : null}
  </g>`;
}

/** The letter itself, travelling along the hop at the cursor (SVG animateMotion; restarts per hop). */
function letter(hop: HopEvent, path: HopPath | undefined) {
  if (!path || !path.points.length) return null;
  const d = pathData(path.points);
  return html`<g key=${`letter-${hop.seq}`} class="letter">
    <g>
      <animateMotion dur="1.1s" fill="freeze" path=${d} calcMode="spline" keyTimes="0;1" keySplines="0.4 0 0.2 1" />
      <rect x="-20" y="-14" width="40" height="28" rx="3" />
      <path d="M-20,-14 L0,3 L20,-14" />
    </g>
  </g>`;
}

/** The step number on its line: ② in a round badge, ④⑤ in a longer one. */
function badge(at: { x: number; y: number }, label: string, color: string) {
  const w = 26 + 22 * [...label].length;
  return html`<g class="badge"><rect x=${at.x - w / 2} y=${at.y - 20} width=${w} height="40" rx="20" fill=${color} /><text x=${at.x} y=${at.y + 8} text-anchor="middle">${label}</text></g>`;
}
