import { EventEmitter } from 'node:events';
import type { HopEvent, HopReport, StepLabels, TranscriptLine, Bilingual, HopKind } from './hop-event.ts';
import { LabClock } from './lab-clock.ts';
import { StepHold } from './step-hold.ts';

/** What a role is about to do; shown (and, in --step mode, held) before the hop happens. */
export interface HopPreview {
  kind: HopKind;
  from: string;
  to: string;
  fromAddress?: string;
  toAddress?: string;
  steps?: StepLabels;
  protocol?: string;
  summary: Bilingual;
  files?: string[];
}

/**
 * A role's test may look at every hold as it happens (and make it wait): it runs before the
 * step hold. The lab's own step-through is `stepHold`, not this.
 */
export type StepGate = (preview: HopPreview) => Promise<void>;

/**
 * The one bus every role reports to. Renderers, the step hold, scenario expectations and tests
 * all read this stream; nothing parses logs. It owns the lab's clock (hop times are lab time,
 * without the time a hop was held) and the step hold (step-hold.ts).
 */
export class TraceBus {
  readonly events: HopEvent[] = [];
  /** the lab's pausable clock: stands still while a hop is held */
  readonly clock: LabClock;
  /** --step: numbered hops wait here while step mode is on; news of held hops for every listener */
  readonly stepHold: StepHold;
  private readonly emitter = new EventEmitter();
  private gate: StepGate | undefined;
  private seq = 0;
  /** how many recent events `events` keeps (listeners and --trace files see every one) */
  private readonly keep: number;

  constructor(startedAt = performance.now(), options: { keep?: number; clock?: LabClock } = {}) {
    this.clock = options.clock ?? new LabClock(startedAt);
    this.stepHold = new StepHold(this.clock);
    this.keep = options.keep ?? 5_000;
    this.emitter.setMaxListeners(0);
  }

  private record(event: HopEvent): void {
    this.events.push(event);
    // A lab under load (thousands of letters) would otherwise hold every transcript forever.
    if (this.events.length > this.keep * 1.25) this.events.splice(0, this.events.length - this.keep);
    this.emitter.emit('event', event);
  }

  /** Record a hop. Returns the event with its seq and time. */
  report(report: HopReport): HopEvent {
    const event: HopEvent = { seq: ++this.seq, at: Math.round(this.clock.elapsed()), ...report };
    if (event.transcript) event.transcript = maskSecrets(event.transcript);
    this.record(event);
    return event;
  }

  /** Add an event recorded elsewhere (a container's stdout), renumbering it into this bus. */
  merge(event: Omit<HopEvent, 'seq'> & { seq?: number }): HopEvent {
    const { seq: _drop, ...rest } = event;
    const merged: HopEvent = { ...rest, seq: ++this.seq };
    this.record(merged);
    return merged;
  }

  /**
   * Called by a role before a numbered hop; in step mode this waits until a controller lets it
   * go on (stepHold). Rejects with HoldAborted when the lab is stopped meanwhile.
   */
  async hold(preview: HopPreview): Promise<void> {
    if (this.gate) await this.gate(preview);
    await this.stepHold.hold(preview);
  }

  /** For a role's tests: see (and delay) every hold. */
  setGate(gate: StepGate | undefined): void {
    this.gate = gate;
  }

  on(listener: (event: HopEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /**
   * Resolve with the first event (already recorded or still to come) that matches.
   * Rejects after timeoutMs of lab time (a held hop stops the count) with the trace so far, so
   * a failing test says what did happen.
   */
  waitFor(match: (event: HopEvent) => boolean, timeoutMs = 10_000, what = 'a matching hop'): Promise<HopEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const off = this.on((event) => {
        if (!match(event)) return;
        timer.clear();
        off();
        resolve(event);
      });
      const timer = this.clock.setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; trace so far:\n${this.summaryLines().join('\n')}`));
      }, timeoutMs);
    });
  }

  /** The trace so far, one line a hop, in either language. */
  summaryLines(lang: 'ko' | 'en' = 'en'): string[] {
    return this.events.map((e) => `#${e.seq} ${e.kind} ${e.from} -> ${e.to} [${e.steps?.sendmail ?? '-'}] ${e.status ?? ''} ${e.summary[lang]}`);
  }
}

// Passwords never reach the trace. The parser of each protocol marks where a line holds a
// secret (TranscriptLine.secret: a password, a SASL response); this is the one place that masks
// them, before any listener, renderer or --trace file sees the event.
const MASK = '*****';

/** The line with every marked range replaced by *****, as it may be shown. */
export function maskedLine(line: TranscriptLine): string {
  if (!line.secret?.length) return line.line;
  const ranges = [...line.secret].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    const from = Math.max(at, Math.min(start, line.line.length));
    const to = Math.max(from, Math.min(end, line.line.length));
    out += line.line.slice(at, from);
    // ranges that touch or overlap give one mask
    if (to > from && !out.endsWith(MASK)) out += MASK;
    at = Math.max(at, to);
  }
  return out + line.line.slice(at);
}

/** Transcript lines with their secrets masked and the marks dropped. */
export function maskSecrets(lines: TranscriptLine[]): TranscriptLine[] {
  return lines.map((l) => (l.secret === undefined ? l : { dir: l.dir, line: maskedLine(l) }));
}
