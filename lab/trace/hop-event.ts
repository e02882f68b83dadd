// One hop of the mail's journey, as every role reports it (DESIGN.md, "Trace: the spine of the lab").

export type HopKind =
  | 'dns' | 'smtp' | 'queue' | 'relay' | 'mda' | 'pop3' | 'imap' | 'bounce' | 'net' | 'lab';

/** The seed numbers the journey twice: the overview figure (1-5) and the sendmail figure (1-10). */
export type StepLabels = { overview: string; sendmail: string };

/**
 * One line of a protocol conversation. `secret` marks, where the command was parsed, the
 * character ranges [start, end) of `line` that are passwords or SASL payloads; the trace bus,
 * the one place that writes transcripts, masks them and drops the field (DESIGN.md, "One of
 * each per host": secrets are marked where parsed and masked in one place).
 */
export type TranscriptLine = { dir: 'C' | 'S'; line: string; secret?: [number, number][] };

export type Bilingual = { ko: string; en: string };

/**
 * A line of the lab's configuration that decided a hop (the relay rule, the MX record), for the
 * terminal's details, the page and the exercises: "relay allowed by /etc/mail/access
 * `Connect:192.168.111 RELAY` (topology/classroom.yaml:20)".
 */
export interface ConfigRef {
  /** the lab's own file, relative to the project folder: topology/classroom.yaml, topology/zones/naver.com.zone */
  file: string;
  /** 1-based line in that file */
  line: number;
  /** the line as written there */
  text: string;
  /** where the same setting lives on the seed's real machines: /etc/mail/access, /etc/bind/db.naver.com */
  real?: string;
  /** the setting as the real file writes it: `Connect:192.168.111 RELAY`, `IN MX 10 mail.naver.com.` */
  realText?: string;
  /** what it decided */
  why?: Bilingual;
}

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
  /** the configuration lines that decided this hop */
  config?: ConfigRef[];
  /** free-form facts a test or a renderer may want: recipient, mx, reply code ... */
  detail?: Record<string, unknown>;
}

/** What a role tells the bus; the bus adds seq and at. */
export type HopReport = Omit<HopEvent, 'seq' | 'at'>;
