import readline from 'node:readline';
import type { HopPreview, TraceBus } from './trace-bus.ts';
import type { HopEvent } from './hop-event.ts';
import { renderHop, stepLabel, shownBy, type TerminalRenderer, type RenderOptions } from './terminal-renderer.ts';

/**
 * --step: every numbered hop waits here before it happens, so the mail really is held at that
 * hop until the class moves on (Packet Tracer's simulation mode, with real protocols).
 * Enter goes on; b shows the previous hop again; t toggles transcripts; q stops the lab.
 * Works with a terminal and with piped input (one line advances one hop).
 */
export class StepGate {
  private readonly trace: TraceBus;
  private readonly renderer: TerminalRenderer;
  private readonly options: RenderOptions;
  private readonly write: (text: string) => void;
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private closed = false;
  private rl: readline.Interface | undefined;
  /** called when the teacher presses q */
  onQuit: () => void = () => {};

  constructor(trace: TraceBus, renderer: TerminalRenderer, options: RenderOptions, input: NodeJS.ReadableStream = process.stdin, write: (text: string) => void = (t) => process.stdout.write(t)) {
    this.trace = trace;
    this.renderer = renderer;
    this.options = options;
    this.write = write;
    this.rl = readline.createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.closed = true;
      for (const next of this.waiting.splice(0)) next(undefined);
    });
    trace.setGate((preview) => this.hold(preview));
  }

  private nextLine(): Promise<string | undefined> {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private async hold(preview: HopPreview): Promise<void> {
    if (!preview.steps) return;
    if (!shownBy(this.options.filter, preview)) return;
    const ko = this.options.lang === 'ko';
    this.write(`\n${ko ? '▶ 다음 단계' : '▶ next hop'}  ${stepLabel(preview, this.options.lang, this.options.figure)}  ${preview.protocol ?? preview.kind.toUpperCase()}\n`);
    this.write(`   ${preview.from}${preview.fromAddress ? ` (${preview.fromAddress})` : ''} → ${preview.to}${preview.toAddress ? ` (${preview.toAddress})` : ''}\n`);
    this.write(`   ${preview.summary[this.options.lang]}\n`);
    if (preview.files?.length) this.write(`   ${ko ? '파일' : 'files'}: ${preview.files.join(', ')}\n`);
    for (;;) {
      this.write(ko ? '   [Enter] 진행  [b] 이전 단계 다시 보기  [t] 대화 내용 켜기/끄기  [q] 끝내기 > ' : '   [Enter] go on  [b] previous hop again  [t] transcripts on/off  [q] quit > ');
      const line = await this.nextLine();
      if (line === undefined) {
        // Input ended (a pipe ran dry): let the rest of the journey run.
        this.write('\n');
        this.trace.setGate(undefined);
        return;
      }
      const key = line.trim().toLowerCase();
      if (key === '' || key === 'n') return;
      if (key === 'b') this.showPrevious();
      else if (key === 't') {
        this.renderer.setTranscripts(!this.renderer.transcripts);
        this.write(`   ${ko ? '대화 내용' : 'transcripts'}: ${this.renderer.transcripts ? 'on' : 'off'}\n`);
      } else if (key === 'q') {
        this.trace.setGate(undefined);
        this.onQuit();
        return;
      }
    }
  }

  private showPrevious(): void {
    const last = [...this.trace.events].reverse().find((e: HopEvent) => e.steps && this.renderer.shows(e));
    if (!last) {
      this.write(this.options.lang === 'ko' ? '   (아직 지나간 단계가 없습니다)\n' : '   (no hop yet)\n');
      return;
    }
    this.write(`${renderHop(last, { ...this.options, transcripts: true }).map((l) => `   ${l}`).join('\n')}\n`);
  }

  close(): void {
    this.trace.setGate(undefined);
    this.rl?.close();
    this.rl = undefined;
  }
}
