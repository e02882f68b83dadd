import { EventEmitter } from 'node:events';
import type { HopEvent, HopReport, StepLabels, TranscriptLine, Bilingual, HopKind } from './hop-event.ts';
import { LabClock } from './lab-clock.ts';
import { StepHold } from './step-hold.ts';
import { OutsideSampler, OUTSIDE_PEER, type OutsideSamplerOptions } from './outside-sampler.ts';

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
  /** and about how many bytes of memory they may take (hopBytes), transcripts and all */
  private readonly keepBytes: number;
  /** hopBytes of each kept event, in the order of `events` */
  private readonly sizes: number[] = [];
  private bytes = 0;
  /** hops with outside at high rates: counted, a few whole (outside-sampler.ts); undefined: every hop whole */
  private readonly sampler: OutsideSampler | undefined;

  constructor(startedAt = performance.now(), options: { keep?: number; keepBytes?: number; clock?: LabClock; outside?: OutsideSamplerOptions | false } = {}) {
    this.clock = options.clock ?? new LabClock(startedAt);
    this.stepHold = new StepHold(this.clock);
    // A lesson is some dozens of hops, a class's morning some hundreds: 1,000 keeps them all. Under
    // a load (5,000 letters relayed Server-B -> Server) 5,000 events held about 12 MB alive, which
    // the old generation's growth doubles: peak PSS of those two hops 135 -> 118 MB with 1,000
    // and 4 MB (bench/smtp-peak.sh, alternating).
    this.keep = options.keep ?? 1_000;
    this.keepBytes = options.keepBytes ?? 4 * 1024 * 1024;
    this.sampler = options.outside === false ? undefined : new OutsideSampler((summary) => this.add(summary), options.outside);
    this.emitter.setMaxListeners(0);
  }

  /** Bytes the kept events take, as hopBytes estimates them. */
  get keptBytes(): number {
    return this.bytes;
  }

  private record(event: HopEvent): void {
    const size = hopBytes(event);
    this.events.push(event);
    this.sizes.push(size);
    this.bytes += size;
    // A lab under load (thousands of letters) would otherwise hold every transcript forever.
    if (this.events.length > this.keep * 1.25 || this.bytes > this.keepBytes) this.trim();
    this.emitter.emit('event', event);
  }

  /** Down to `keep` events and 80% of `keepBytes`, oldest first, in one splice; the newest always stays. */
  private trim(): void {
    let drop = Math.max(0, this.events.length - this.keep);
    let bytes = this.bytes;
    for (let i = 0; i < drop; i++) bytes -= this.sizes[i];
    while (bytes > this.keepBytes * 0.8 && drop < this.events.length - 1) bytes -= this.sizes[drop++];
    this.events.splice(0, drop);
    this.sizes.splice(0, drop);
    this.bytes = bytes;
  }

  /**
   * Record a hop. Returns the event with its seq and time, or undefined when it was a hop with
   * outside that the sampler counted instead (a flood: see outside-sampler.ts).
   */
  report(report: HopReport): HopEvent | undefined {
    if (this.sampler && (report.from === OUTSIDE_PEER || report.to === OUTSIDE_PEER) && this.mayCount(report.steps !== undefined)) {
      const outcome = report.kind === 'dns' && typeof report.detail?.rcode === 'string' ? report.detail.rcode : (report.status ?? 'ok');
      if (!this.sampler.admit(report.kind, report.from, report.to, outcome, report.protocol)) return undefined;
    }
    return this.add(report);
  }

  /**
   * A hop with outside whose report costs something to build (a DNS query from outside, one
   * datagram of a flood): `build` is called only when the hop is to be reported whole.
   */
  outside(kind: HopKind, from: string, to: string, outcome: string, build: () => HopReport, protocol?: string): HopEvent | undefined {
    if (this.sampler && this.mayCount(false) && !this.sampler.admit(kind, from, to, outcome, protocol)) return undefined;
    return this.add(build());
  }

  /** Report the counts of outside hops held for this second's summary now (a test; the lab stops). */
  flushOutside(): void {
    this.sampler?.flush();
  }

  /** In step mode a numbered hop was shown held before it happened: it is always reported. */
  private mayCount(numbered: boolean): boolean {
    return !(numbered && this.stepHold.stepMode);
  }

  private add(report: HopReport): HopEvent {
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

  /**
   * Whether hold() may wait or look at the preview (step mode, or a test's gate): when false a
   * role need not build the preview of a hop it makes at a high rate (a RETR of thousands).
   */
  get holds(): boolean {
    return this.gate !== undefined || this.stepHold.stepMode;
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

/**
 * About how many bytes of memory a hop event takes (V8's strings are 1 or 2 bytes a character;
 * counted as 2, with a little per object): enough to bound `events` by size, not exact.
 */
export function hopBytes(e: HopEvent): number {
  let n = 160 + 2 * (e.summary.ko.length + e.summary.en.length + e.from.length + e.to.length);
  if (e.transcript) for (const l of e.transcript) n += 40 + 2 * l.line.length;
  if (e.files) for (const f of e.files) n += 24 + 2 * f.length;
  if (e.config) n += valueBytes(e.config, 4);
  if (e.detail) n += valueBytes(e.detail, 4);
  return n;
}

function valueBytes(v: unknown, depth: number): number {
  if (typeof v === 'string') return 16 + 2 * v.length;
  if (v === null || typeof v !== 'object') return 16;
  if (ArrayBuffer.isView(v)) return 64 + v.byteLength;
  if (depth === 0) return 64;
  let n = 32;
  if (Array.isArray(v)) {
    // a long list (UIDs, recipients) by its first elements
    const seen = Math.min(v.length, 64);
    let sum = 0;
    for (let i = 0; i < seen; i++) sum += 8 + valueBytes(v[i], depth - 1);
    return n + (seen ? Math.round((sum * v.length) / seen) : 0);
  }
  for (const k in v) n += 16 + 2 * k.length + valueBytes((v as Record<string, unknown>)[k], depth - 1);
  return n;
}
