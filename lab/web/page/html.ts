// The page's one way to write markup: htm's tagged templates over preact (no JSX, no build step).
import { h, render } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
export { render };

const CIRCLED = ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨', '⑩'];

/** '4-5' -> '④⑤', as the textbook draws them. */
export function circled(label: string | undefined): string {
  if (!label) return '';
  const [a, b] = label.split('-').map(Number);
  if (!b) return CIRCLED[a - 1] ?? label;
  let out = '';
  for (let i = a; i <= b; i++) out += CIRCLED[i - 1] ?? String(i);
  return out;
}

/** mm:ss.t from ms since the lab started, as Packet Tracer's "Last Device / Time" column. */
export function clock(ms: number): string {
  const s = ms / 1000;
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${(s - m * 60).toFixed(3).padStart(6, '0')}`;
}
