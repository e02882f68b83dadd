// One hop of the mail's journey, as every role reports it (DESIGN.md, "Trace: the spine of the lab").

export type HopKind =
  | 'dns' | 'smtp' | 'queue' | 'relay' | 'mda' | 'pop3' | 'imap' | 'bounce' | 'net' | 'lab';

/** The seed numbers the journey twice: the overview figure (1-5) and the sendmail figure (1-10). */
export type StepLabels = { overview: string; sendmail: string };

export type TranscriptLine = { dir: 'C' | 'S'; line: string };

export type Bilingual = { ko: string; en: string };

export type HopStatus = 'ok' | 'deferred' | 'bounced' | 'refused' | 'failed';

export interface HopEvent {
  seq: number;
  /** ms since the lab started */
  at: number;
  kind: HopKind;
  /** host names from the topology, or 'outside' */
  from: string;
  to: string;
  /** virtual addresses (the topology's), when known */
  fromAddress?: string;
  toAddress?: string;
  /** the seed's numbering; absent for events outside the lesson's figure (faults, lab notices) */
  steps?: StepLabels;
  summary: Bilingual;
  status?: HopStatus;
  protocol?: string;
  transcript?: TranscriptLine[];
  queueId?: string;
  messageId?: string;
  /** files this hop touched: queue files, Maildir files */
  files?: string[];
  /** free-form facts a test or a renderer may want: recipient, mx, reply code ... */
  detail?: Record<string, unknown>;
}

/** What a role tells the bus; the bus adds seq and at. */
export type HopReport = Omit<HopEvent, 'seq' | 'at'>;
