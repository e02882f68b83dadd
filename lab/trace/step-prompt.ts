import readline from 'node:readline';
import type { TraceBus } from './trace-bus.ts';
import type { HopEvent } from './hop-event.ts';
import type { HeldHop, HoldNews } from './step-hold.ts';
import { hostLabel, kindLabel, shownPath, stepLabel, type TerminalRenderer, type RenderOptions } from './terminal-renderer.ts';

/**
 * The terminal's controller of the step hold (step-hold.ts): it shows each held hop and its
 * prompt, and the teacher's keys act on it. Enter goes on, b shows the previous hop again with
 * its transcript, t switches transcripts, q stops the lab. In a terminal a single key press
 * acts (raw mode); with piped input each line advances one hop, and the end of the input lets
 * the rest of the journey run. Hops printed while the prompt is up go above it: the prompt is
 * drawn again below them, never written over.
 */
export interface StepPromptOptions extends RenderOptions {
  input?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(on: boolean): unknown };
  write?: (text: string) => void;
  /** the output is a terminal: the prompt line can be erased and drawn again */
  tty?: boolean;
  /** Ctrl-C in raw mode (the terminal sends no SIGINT then) */
  interrupt?: () => void;
}

type Key = 'go' | 'back' | 'transcripts' | 'quit';

export class StepPrompt {
  private readonly trace: TraceBus;
  private readonly renderer: TerminalRenderer;
  private readonly options: RenderOptions;
  private readonly input: NonNullable<StepPromptOptions['input']>;
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly raw: boolean;
  private readonly interrupt: () => void;
  /** the held hop whose prompt is on the screen */
  private shown: HeldHop | undefined;
  /** lines typed (piped input) before a hop was there to take them */
  private readonly typed: Key[] = [];
  private promptUp = false;
  private closed = false;
  private readonly off: () => void;
  private rl: readline.Interface | undefined;
  private readonly onKeypress = (text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => this.keypress(text, key);

  constructor(trace: TraceBus, renderer: TerminalRenderer, options: StepPromptOptions) {
    this.trace = trace;
    this.renderer = renderer;
    this.options = options;
    this.input = options.input ?? process.stdin;
    this.write = options.write ?? ((t) => process.stdout.write(t));
    this.tty = options.tty ?? process.stdout.isTTY === true;
    this.interrupt = options.interrupt ?? (() => process.emit('SIGINT'));
    this.raw = this.input.isTTY === true && typeof this.input.setRawMode === 'function';
    if (this.raw) {
      readline.emitKeypressEvents(this.input);
      this.input.setRawMode!(true);
      // whatever ends the process, the teacher's terminal is given back as it was
      process.once('exit', () => this.input.setRawMode?.(false));
      this.input.on('keypress', this.onKeypress);
      this.input.resume();
    } else {
      this.rl = readline.createInterface({ input: this.input, terminal: false });
      this.rl.on('line', (line) => this.key(lineKey(line)));
      // Input ended (a pipe ran dry): let the rest of the journey run.
      this.rl.on('close', () => {
        if (!this.closed) this.trace.stepHold.releaseAll('terminal');
      });
    }
    this.off = trace.stepHold.on((news) => this.news(news));
    trace.stepHold.setStepMode(true, 'terminal');
    for (const hop of trace.stepHold.held()) this.news({ type: 'held', hop, held: [] });
  }

  /** Write hop lines: above the prompt when it is up. */
  print(text: string): void {
    if (!this.promptUp) {
      this.write(text);
      return;
    }
    this.write(this.tty ? '\r\x1b[2K' : '\n');
    this.write(text);
    this.write(this.promptText());
  }

  private news(news: HoldNews): void {
    if (this.closed) return;
    if (news.type === 'held' && !this.shown) this.show(news.hop);
    else if (news.type === 'released' && this.shown?.id === news.hop.id) {
      this.takeDown();
      if (news.by !== 'terminal') this.write(`   ${this.options.lang === 'ko' ? `(${byName(news.by, 'ko')}에서 진행)` : `(moved on from the ${byName(news.by, 'en')})`}\n`);
      this.shown = undefined;
      const next = news.held[0];
      if (next) this.show(next);
    } else if (news.type === 'quit') this.close();
  }

  private show(hop: HeldHop): void {
    this.shown = hop;
    const { lang, figure } = this.options;
    const ko = lang === 'ko';
    const p = hop.preview;
    const who = (name: string, address?: string) => `${hostLabel(name, lang)}${address ? ` (${address})` : ''}`;
    const lines = [
      `${ko ? '▶ 다음 단계' : '▶ next hop'}  ${stepLabel(p, lang, figure)}  ${p.protocol ?? kindLabel(p.kind, lang)}  ${p.from === p.to ? who(p.from, p.fromAddress) : `${who(p.from, p.fromAddress)} → ${who(p.to, p.toAddress)}`}`,
      `   ${p.summary[lang]}`,
    ];
    if (p.files?.length) lines.push(`   ${ko ? '파일' : 'files'}: ${p.files.map((f) => shownPath(f, this.options.dataDir)).join(', ')}`);
    this.write(`\n${this.renderer.wrap(lines).join('\n')}\n`);
    this.putPrompt();
    // a line typed ahead (piped input) answers this hop
    const ahead = this.typed.shift();
    if (ahead) this.key(ahead);
  }

  private promptText(): string {
    return this.options.lang === 'ko'
      ? '   [Enter] 진행  [b] 이전 단계 다시 보기  [t] 대화 내용 켜기/끄기  [q] 끝내기 > '
      : '   [Enter] go on  [b] previous hop again  [t] transcripts on/off  [q] quit > ';
  }

  private putPrompt(): void {
    this.write(this.promptText());
    this.promptUp = true;
  }

  /** The prompt line goes: erased in a terminal, ended with a newline otherwise. */
  private takeDown(): void {
    if (!this.promptUp) return;
    this.write(this.tty ? '\r\x1b[2K' : '\n');
    this.promptUp = false;
  }

  private keypress(text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined): void {
    if (key?.ctrl && key.name === 'c') {
      this.takeDown();
      this.interrupt();
      return;
    }
    const name = key?.name ?? text;
    if (name === 'return' || name === 'enter' || name === 'n' || name === 'space') {
      // a key pressed while no hop waits is not kept for the next: its preview would flash by
      if (this.shown) this.key('go');
    } else if (name === 'b') this.key('back');
    else if (name === 't') this.key('transcripts');
    else if (name === 'q') this.key('quit');
  }

  private key(key: Key | undefined): void {
    if (key === undefined || this.closed) return;
    if (key === 'quit') {
      this.takeDown();
      this.trace.stepHold.quit('terminal');
      return;
    }
    if (!this.shown) {
      this.typed.push(key);
      return;
    }
    if (key === 'go') {
      const hop = this.shown;
      // released news (ours or another controller's, whichever came first) moves the prompt on
      this.trace.stepHold.release(hop.id, 'terminal');
      return;
    }
    this.takeDown();
    if (key === 'back') this.showPrevious();
    else {
      this.renderer.setTranscripts(!this.renderer.transcripts);
      const ko = this.options.lang === 'ko';
      this.write(`   ${ko ? '대화 내용' : 'transcripts'}: ${this.renderer.transcripts ? (ko ? '켬' : 'on') : ko ? '끔' : 'off'}\n`);
    }
    this.putPrompt();
  }

  private showPrevious(): void {
    const last = [...this.trace.events].reverse().find((e: HopEvent) => e.steps && this.renderer.shows(e));
    if (!last) {
      this.write(this.options.lang === 'ko' ? '   (아직 지나간 단계가 없습니다)\n' : '   (no hop yet)\n');
      return;
    }
    this.write(`${this.renderer.lines(last, { transcripts: true, letter: 'always' }).map((l) => `   ${l}`).join('\n')}\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.takeDown();
    this.off();
    if (this.raw) {
      this.input.off('keypress', this.onKeypress);
      this.input.setRawMode!(false);
      this.input.pause();
    }
    this.rl?.close();
    this.rl = undefined;
  }
}

function lineKey(line: string): Key | undefined {
  const key = line.trim().toLowerCase();
  if (key === '' || key === 'n') return 'go';
  if (key === 'b') return 'back';
  if (key === 't') return 'transcripts';
  if (key === 'q') return 'quit';
  return undefined;
}

function byName(by: string, lang: 'ko' | 'en'): string {
  if (by === 'web') return lang === 'ko' ? '웹 페이지' : 'web page';
  return by;
}
