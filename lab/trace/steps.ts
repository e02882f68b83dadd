import type { StepLabels } from './hop-event.ts';

// The two numberings of the seed (mail-server-walkthrough.ko.md): the overview figure
// "kim이 lee에게 메일을 보내는 과정" (전체 과정) and the figure "센드메일 서버 상세 작동 원리"
// (센드메일 상세 원리). In the sendmail figure ③ is "센드메일 서비스는 시간이 되면 MDA에 메일을
// 보내달라고 요청" and ④⑤ is the MDA sending by SMTP; the MX lookup is part of ③ (and of the
// overview's ②, "네임 서버에 요청").
export const STEPS = {
  /** WinClient (kim) -> Server-B: SMTP submission */
  submission: { overview: '1', sendmail: '1' },
  /** Server-B writes the mail into its queue */
  queue: { overview: '2', sendmail: '2' },
  /** Server-B's queue run: when the time comes, sendmail asks the MDA to send the mail */
  queueRun: { overview: '2', sendmail: '3' },
  /** part of ③: Server-B asks the name server: MX naver.com, A mail.naver.com */
  mxLookup: { overview: '2', sendmail: '3' },
  /** Server-B's MDA -> Server: SMTP relay */
  relay: { overview: '3', sendmail: '4-5' },
  /** Server checks lee exists and its MDA writes lee's mailbox */
  delivery: { overview: '4', sendmail: '6-7' },
  /** Client (lee) -> Server: POP3/IMAP login and request */
  retrievalRequest: { overview: '5', sendmail: '8' },
  /** Server -> Client: the mail, by POP3 or IMAP */
  retrievalTransfer: { overview: '5', sendmail: '9-10' },
} as const satisfies Record<string, StepLabels>;

export type StepName = keyof typeof STEPS;

/** Sendmail figure order, used to sort and to check "these steps in this order". */
export const SENDMAIL_ORDER = ['1', '2', '3', '4-5', '6-7', '8', '9-10'];

const CIRCLED = ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨', '⑩'];

/** '4-5' -> '④⑤', as the textbook draws them. */
export function circled(label: string): string {
  const [a, b] = label.split('-').map(Number);
  if (!b) return CIRCLED[a - 1] ?? label;
  let out = '';
  for (let i = a; i <= b; i++) out += CIRCLED[i - 1] ?? String(i);
  return out;
}
