import { styleText } from 'node:util';
import type { HopEvent, HopKind } from './hop-event.ts';
import { circled } from './steps.ts';
import type { Lang } from './language.ts';

export type Figure = 'overview' | 'sendmail' | 'both';

export interface RenderOptions {
  lang: Lang;
  figure?: Figure;
  /** show the protocol transcripts under each hop */
  transcripts?: boolean;
  /** only these kinds (--filter smtp,dns) */
  filter?: HopKind[];
  color?: boolean;
  /** host name -> virtual address, for "WinClient (192.168.111.132)" */
  addresses?: Record<string, string>;
}

const KIND_LABEL: Record<HopKind, string> = {
  dns: 'DNS', smtp: 'SMTP', queue: 'QUEUE', relay: 'SMTP', mda: 'MDA', pop3: 'POP3', imap: 'IMAP', bounce: 'BOUNCE', net: 'NET', lab: 'LAB',
};

/** The step label in the chosen numbering(s): "개요 ② · 센드메일 ③" or "overview 2 / sendmail 3". */
export function stepLabel(event: Pick<HopEvent, 'steps'>, lang: Lang, figure: Figure = 'both'): string {
  if (!event.steps) return '';
  const o = circled(event.steps.overview);
  const s = circled(event.steps.sendmail);
  const names = lang === 'ko' ? { overview: '개요', sendmail: '센드메일' } : { overview: 'overview', sendmail: 'sendmail' };
  if (figure === 'overview') return `${names.overview} ${o}`;
  if (figure === 'sendmail') return `${names.sendmail} ${s}`;
  return `${names.overview} ${o} · ${names.sendmail} ${s}`;
}

function paint(color: boolean, style: Parameters<typeof styleText>[0], text: string): string {
  return color ? styleText(style, text) : text;
}

/** One hop as terminal lines. */
export function renderHop(event: HopEvent, options: RenderOptions): string[] {
  const color = options.color ?? false;
  const who = (name: string, address?: string) => {
    const addr = address ?? options.addresses?.[name];
    return addr ? `${name} (${addr})` : name;
  };
  const label = stepLabel(event, options.lang, options.figure);
  const status = event.status && event.status !== 'ok' ? ` [${event.status}]` : '';
  const head = [
    paint(color, 'dim', `#${String(event.seq).padStart(2)} ${String(event.at).padStart(5)}ms`),
    label ? paint(color, ['bold', 'cyan'], label) : paint(color, 'dim', '·'),
    paint(color, 'yellow', KIND_LABEL[event.kind].padEnd(6)),
    `${who(event.from, event.fromAddress)} → ${who(event.to, event.toAddress)}`,
  ].join('  ');
  const lines = [head + paint(color, event.status === 'ok' || !event.status ? 'green' : 'red', status), `      ${event.summary[options.lang]}`];
  if (event.files?.length) lines.push(paint(color, 'dim', `      ${options.lang === 'ko' ? '파일' : 'files'}: ${event.files.join(', ')}`));
  if (options.transcripts && event.transcript?.length) {
    for (const { dir, line } of event.transcript) {
      lines.push(paint(color, dir === 'C' ? 'blue' : 'magenta', `        ${dir}: ${line}`));
    }
  }
  // the configuration lines that decided the hop: the real file and line, then the lab's own
  if (options.transcripts) {
    for (const ref of event.config ?? []) {
      const quote = (text: string) => ` \`${text.replace(/\s+/g, ' ')}\``;
      const where = ref.real ? `${ref.real}${ref.realText ? quote(ref.realText) : ''} (${ref.file}:${ref.line})` : `${ref.file}:${ref.line}${quote(ref.text)}`;
      lines.push(paint(color, 'dim', `      ${options.lang === 'ko' ? '설정' : 'config'}: ${where}${ref.why ? `: ${ref.why[options.lang]}` : ''}`));
    }
  }
  return lines;
}

/** --filter names protocols or hop kinds: smtp also shows the relay, which speaks SMTP. */
export function shownBy(filter: readonly string[] | undefined, event: Pick<HopEvent, 'kind' | 'protocol'>): boolean {
  if (!filter) return true;
  return filter.includes(event.kind) || (event.kind === 'relay' && filter.includes('smtp'));
}

/** Prints hops as they happen. */
export class TerminalRenderer {
  private readonly options: RenderOptions;
  private readonly write: (text: string) => void;
  constructor(options: RenderOptions, write: (text: string) => void = (t) => process.stdout.write(t)) {
    this.options = options;
    this.write = write;
  }

  shows(event: Pick<HopEvent, 'kind' | 'protocol'>): boolean {
    return shownBy(this.options.filter, event);
  }

  /** Print a hop; `write` overrides where (the step prompt prints above itself). */
  render(event: HopEvent, write: (text: string) => void = this.write): void {
    if (!this.shows(event)) return;
    write(`${renderHop(event, this.options).join('\n')}\n`);
  }

  setTranscripts(on: boolean): void {
    this.options.transcripts = on;
  }

  get transcripts(): boolean {
    return this.options.transcripts ?? false;
  }
}
