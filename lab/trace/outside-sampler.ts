// Traffic from outside the lab at high rates (dnsperf, smtp-source, a script logging in in a
// loop) is counted, not kept hop by hop: in each second, the first few hops of one kind between
// outside and one lab host are reported whole, the rest are counted by outcome, and one summary
// hop per second says how many there were ("1,204 more DNS queries from outside in the last
// second"). While the flood goes on, later seconds give the summary alone. A student's single
// dig or mail program stays a whole hop; hops between lab hosts never come here.
import type { Bilingual, HopKind, HopReport } from './hop-event.ts';

/** the peer name lab/net gives anything no lab host opened (lab-net.ts OUTSIDE; trace does not import net) */
export const OUTSIDE_PEER = 'outside';

export interface OutsideSamplerOptions {
  /** whole hops per second and kind before counting starts (default 10) */
  whole?: number;
  /** the window, ms of real time (default 1000): floods do not stop while the lab clock is held */
  windowMs?: number;
  now?: () => number;
  /** a timer that ends a window with counted hops even when no more arrive (default: an unref'd setTimeout) */
  setTimer?: (fn: () => void, ms: number) => { clear(): void };
}

interface Flow {
  kind: HopKind;
  from: string;
  to: string;
  /** start of the current window */
  start: number;
  /** whole hops reported in this window */
  whole: number;
  /** the window before this one was counted too: give no more whole hops until a quiet second */
  flooding: boolean;
  counted: number;
  outcomes: Map<string, number>;
  protocol?: string;
  timer?: { clear(): void };
}

const NOUNS: Partial<Record<HopKind, Bilingual>> = {
  dns: { ko: 'DNS 질의', en: 'DNS queries' },
  smtp: { ko: 'SMTP 기록', en: 'SMTP hops' },
  pop3: { ko: 'POP3 기록', en: 'POP3 hops' },
  imap: { ko: 'IMAP 기록', en: 'IMAP hops' },
};

export class OutsideSampler {
  private readonly flows = new Map<string, Flow>();
  private last: Flow | undefined;
  private readonly summary: (report: HopReport) => void;
  private readonly wholePerWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => { clear(): void };

  /** `summary` reports the summary hop of a window (the bus records it like any other hop). */
  constructor(summary: (report: HopReport) => void, options: OutsideSamplerOptions = {}) {
    this.summary = summary;
    this.wholePerWindow = options.whole ?? 10;
    this.windowMs = options.windowMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((fn, ms) => {
      const t = setTimeout(fn, ms);
      t.unref();
      return { clear: () => clearTimeout(t) };
    });
  }

  /**
   * One hop between outside and a lab host: true when it is to be reported whole, false when
   * it was counted into the window's summary. `outcome` is what the summary counts by (an
   * RCODE for DNS, the hop's status for the others).
   */
  admit(kind: HopKind, from: string, to: string, outcome: string, protocol?: string): boolean {
    const t = this.now();
    // a flood is one flow after another of the same: look up only when it changes
    let flow = this.last;
    if (!flow || flow.kind !== kind || flow.from !== from || flow.to !== to) {
      const key = `${kind} ${from} ${to}`;
      flow = this.flows.get(key);
      if (!flow) {
        flow = { kind, from, to, start: t, whole: 0, flooding: false, counted: 0, outcomes: new Map() };
        this.flows.set(key, flow);
      }
      this.last = flow;
    }
    if (t - flow.start >= this.windowMs) {
      this.roll(flow, t);
    }
    if (flow.whole < (flow.flooding ? 0 : this.wholePerWindow)) {
      flow.whole++;
      return true;
    }
    flow.counted++;
    flow.outcomes.set(outcome, (flow.outcomes.get(outcome) ?? 0) + 1);
    flow.protocol ??= protocol;
    if (!flow.timer) {
      const f = flow;
      flow.timer = this.setTimer(() => {
        f.timer = undefined;
        this.roll(f, f.start + this.windowMs);
      }, Math.max(0, flow.start + this.windowMs - t));
    }
    return false;
  }

  /** Report every window's counts now (the lab stops; a test wants to see them). */
  flush(): void {
    for (const flow of this.flows.values()) {
      flow.timer?.clear();
      flow.timer = undefined;
      this.roll(flow, Math.max(this.now(), flow.start + this.windowMs));
    }
  }

  /** End the window (its summary, if it counted any) and start the one `t` falls in. */
  private roll(flow: Flow, t: number): void {
    flow.timer?.clear();
    flow.timer = undefined;
    const counted = flow.counted;
    if (counted > 0) this.summary(summaryHop(flow));
    const windows = Math.max(1, Math.floor((t - flow.start) / this.windowMs));
    // the flood goes on when this window was counted and the next one follows it at once
    flow.flooding = counted > 0 && windows === 1;
    flow.start += windows * this.windowMs;
    flow.whole = 0;
    flow.counted = 0;
    flow.outcomes = new Map();
    flow.protocol = undefined;
  }
}

function summaryHop(flow: Flow): HopReport {
  const noun = NOUNS[flow.kind] ?? { ko: `${flow.kind} 기록`, en: `${flow.kind} hops` };
  const n = grouped(flow.counted);
  const outcomes = Object.fromEntries([...flow.outcomes].sort((a, b) => b[1] - a[1]));
  const by = Object.entries(outcomes).map(([o, c]) => `${o} ${grouped(c)}`).join(', ');
  const fromOutside = flow.from === OUTSIDE_PEER;
  return {
    kind: flow.kind,
    from: flow.from,
    to: flow.to,
    ...(flow.protocol ? { protocol: flow.protocol } : {}),
    summary: fromOutside
      ? { ko: `바깥에서 온 ${noun.ko} ${n}개가 더 있었습니다 (지난 1초: ${by})`, en: `${n} more ${noun.en} from outside in the last second (${by})` }
      : { ko: `바깥으로 간 ${noun.ko} ${n}개가 더 있었습니다 (지난 1초: ${by})`, en: `${n} more ${noun.en} to outside in the last second (${by})` },
    detail: { sampled: true, count: flow.counted, outcomes },
  };
}

/** 1204 -> "1,204" as toLocaleString('en-US') gives it, without loading ICU's number formats (tens of ms, the first time, in the middle of a flood). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
