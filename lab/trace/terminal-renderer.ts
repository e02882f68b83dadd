import { util } from '../node-builtins.ts';

const { styleText } = util;
import path from 'node:path';
import type { HopEvent, HopKind } from './hop-event.ts';
import { circled } from './steps.ts';
import type { Lang } from './language.ts';
import { LetterView } from './letter-view.ts';
import { displayWidth, wrapLine } from './text-width.ts';

/** Pad to a number of terminal columns (Hangul takes two). */
function padColumns(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - displayWidth(text)));
}

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
  /** the data folder: files are named relative to it (Server-B/queue/qf...) */
  dataDir?: string;
  /** wrap lines at this many columns (the terminal's width); undefined: no wrapping */
  width?: number;
  /** --letter: the letter's headers, decoded, wherever a hop changed them */
  letter?: boolean;
}

const KIND_LABEL: Record<HopKind, string> = {
  dns: 'DNS', smtp: 'SMTP', queue: 'QUEUE', relay: 'SMTP', mda: 'MDA', pop3: 'POP3', imap: 'IMAP', bounce: 'BOUNCE', net: 'NET', lab: 'LAB',
};
/** the same in Korean: protocols keep their names, the lab's own words are Korean */
const KIND_LABEL_KO: Record<HopKind, string> = { ...KIND_LABEL, queue: '메일 큐', bounce: '반송', net: '네트워크', lab: '실습' };

/** A hop kind's label: QUEUE, 메일 큐. */
export function kindLabel(kind: HopKind, lang: Lang): string {
  return (lang === 'ko' ? KIND_LABEL_KO : KIND_LABEL)[kind];
}

/** A host as the class reads it: "outside" is 바깥 컴퓨터 in Korean. */
export function hostLabel(name: string, lang: Lang): string {
  return name === 'outside' && lang === 'ko' ? '바깥 컴퓨터' : name;
}

/** The seed's names of its two figures. */
export function figureNames(lang: Lang): { overview: string; sendmail: string } {
  return lang === 'ko' ? { overview: '전체 과정', sendmail: '센드메일 상세 원리' } : { overview: 'overview', sendmail: 'sendmail' };
}

/**
 * The step label. With one figure: "전체 과정 ②", "sendmail ③". With both (the default) the
 * compact "②·③" (overview · sendmail), which the header's legend explains.
 */
export function stepLabel(event: Pick<HopEvent, 'steps'>, lang: Lang, figure: Figure = 'both'): string {
  if (!event.steps) return '';
  const o = circled(event.steps.overview);
  const s = circled(event.steps.sendmail);
  const names = figureNames(lang);
  if (figure === 'overview') return `${names.overview} ${o}`;
  if (figure === 'sendmail') return `${names.sendmail} ${s}`;
  return `${o}·${s}`;
}

/** The legend for the header: which number is which figure's, and what the times are. */
export function legend(lang: Lang, figure: Figure = 'both', step = false): string[] {
  const names = figureNames(lang);
  const lines: string[] = [];
  if (figure === 'both') {
    lines.push(lang === 'ko'
      ? `단계 번호 ②·③ = 교재의 [${names.overview}] 그림 ② · [${names.sendmail}] 그림 ③`
      : 'Step numbers ②·③ = the textbook\'s overview figure ② · sendmail figure ③');
  }
  lines.push(lang === 'ko'
    ? `시간(ms)은 실습을 시작한 뒤 흐른 실습 시간입니다${step ? ' (단계에서 멈춰 둔 시간은 세지 않습니다)' : ''}`
    : `Times (ms) are the lab's own time since it started${step ? ' (time a hop was held at a step is not counted)' : ''}`);
  return lines;
}

function paint(color: boolean, style: Parameters<typeof styleText>[0], text: string): string {
  return color ? styleText(style, text) : text;
}

/** A file as the class sees it: relative to the data folder (Server-B/queue/qf...). */
export function shownPath(file: string, dataDir: string | undefined): string {
  if (!dataDir || !path.isAbsolute(file)) return file;
  const relative = path.relative(dataDir, file);
  return relative.startsWith('..') ? file : relative + (file.endsWith(path.sep) ? path.sep : '');
}

/**
 * The far end of a relay (④⑤): the receiving server's own report of the same SMTP session.
 * Its conversation is the one shown under ④⑤, so the terminal does not print it twice.
 */
function farEndOfRelay(event: HopEvent): boolean {
  return event.kind === 'smtp' && !event.steps && event.status === 'ok' && event.from !== 'outside' && event.detail?.sender !== undefined;
}

/** One hop as terminal lines (not yet wrapped). */
export function renderHop(event: HopEvent, options: RenderOptions): string[] {
  const color = options.color ?? false;
  const ko = options.lang === 'ko';
  const who = (name: string, address?: string) => {
    const addr = address ?? options.addresses?.[name];
    return addr ? `${hostLabel(name, options.lang)} (${addr})` : hostLabel(name, options.lang);
  };
  const label = stepLabel(event, options.lang, options.figure);
  const status = event.status && event.status !== 'ok' ? ` [${statusWord(event.status, options.lang)}]` : '';
  const head = [
    paint(color, 'dim', `#${String(event.seq).padStart(2)} ${String(event.at).padStart(5)}ms`),
    label ? paint(color, ['bold', 'cyan'], label.padEnd(options.figure === 'both' || !options.figure ? 5 : 0)) : paint(color, 'dim', '·'.padEnd(5)),
    paint(color, 'yellow', padColumns(kindLabel(event.kind, options.lang), 6)),
    event.from === event.to ? who(event.from, event.fromAddress) : `${who(event.from, event.fromAddress)} → ${who(event.to, event.toAddress)}`,
  ].join('  ');
  const lines = [head + paint(color, event.status === 'ok' || !event.status ? 'green' : 'red', status), `      ${event.summary[options.lang]}`];
  if (event.files?.length) lines.push(paint(color, 'dim', `      ${ko ? '파일' : 'files'}: ${event.files.map((f) => shownPath(f, options.dataDir)).join(', ')}`));
  if (options.transcripts && event.transcript?.length) {
    if (farEndOfRelay(event)) lines.push(paint(color, 'dim', `        ${ko ? '(대화 내용은 위 ④⑤와 같습니다)' : '(the same conversation as under ④⑤ above)'}`));
    else for (const { dir, line } of event.transcript) lines.push(paint(color, dir === 'C' ? 'blue' : 'magenta', `        ${dir}: ${line}`));
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

function statusWord(status: NonNullable<HopEvent['status']>, lang: Lang): string {
  if (lang === 'en') return status;
  return { ok: '성공', deferred: '보류', bounced: '반송', refused: '거절', failed: '실패' }[status];
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
  /** --letter: the letter as it changes */
  readonly letters: LetterView;

  constructor(options: RenderOptions, write: (text: string) => void = (t) => process.stdout.write(t)) {
    this.options = options;
    this.write = write;
    this.letters = new LetterView(options.lang);
  }

  shows(event: Pick<HopEvent, 'kind' | 'protocol'>): boolean {
    return shownBy(this.options.filter, event);
  }

  /** A hop's lines as printed: with the letter (--letter, or always) and wrapped to the width. */
  lines(event: HopEvent, options: { transcripts?: boolean; letter?: 'changed' | 'always' } = {}): string[] {
    const lines = renderHop(event, { ...this.options, transcripts: options.transcripts ?? this.options.transcripts });
    const letter = options.letter ?? (this.options.letter ? 'changed' : undefined);
    if (letter) lines.push(...this.letters.lines(event, letter === 'always').map((l) => `      ${l}`));
    return this.wrap(lines);
  }

  /** Wrap lines to the terminal's width, continuation lines indented under their own line. */
  wrap(lines: string[]): string[] {
    const width = this.options.width;
    if (!width) return lines;
    return lines.flatMap((line) => wrapLine(line, width));
  }

  /** Print a hop; `write` overrides where (the step prompt prints above itself). */
  render(event: HopEvent, write: (text: string) => void = this.write): void {
    if (!this.shows(event)) {
      // the letter still changes where the class does not look: keep the view up to date
      if (this.options.letter) this.letters.lines(event, false);
      return;
    }
    write(`${this.lines(event).join('\n')}\n`);
  }

  /** The data folder once the lab has chosen it (--ports auto makes a new one). */
  setDataDir(dataDir: string): void {
    this.options.dataDir = dataDir;
  }

  get lang(): Lang {
    return this.options.lang;
  }

  setTranscripts(on: boolean): void {
    this.options.transcripts = on;
  }

  get transcripts(): boolean {
    return this.options.transcripts ?? false;
  }
}
