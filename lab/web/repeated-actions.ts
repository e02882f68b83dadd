import { BadRequest } from './bad-request.ts';

// An action the page sends again. Chromium cancels the requests under way when the computer's
// network changes (a laptop that moves to another Wi-Fi, Docker making a network for a lab of
// containers), and the page then cannot know whether the lab got the action: the request may
// never have left, or only its answer may have been lost. So the page names each action with
// an ID of its own (the X-Lab-Request header) and sends it again under the same ID; the web
// server does an action once per ID and answers a repeat with the first answer, waiting for it
// when the action is still going on. "Host up" pressed once is one host up, a letter sent once
// is one letter, however often the request had to go.

/** What the web server answered: the status and the JSON it wrote. */
export interface Answer {
  status: number;
  body: string;
}

interface Kept {
  path: string;
  body: string;
  at: number;
  answer: Promise<Answer>;
}

/** The header's form: what the page makes (24 hex digits) and any client's own IDs. */
const ID = /^[A-Za-z0-9_-]{8,64}$/;

export class RepeatedActions {
  private readonly kept = new Map<string, Kept>();
  private readonly keepMs: number;
  private readonly most: number;

  /** Answers are kept for `keepMs` (10 minutes), at most `most` of them (the oldest go first). */
  constructor(options: { keepMs?: number; most?: number } = {}) {
    this.keepMs = options.keepMs ?? 10 * 60_000;
    this.most = options.most ?? 500;
  }

  /** The request's ID, or undefined when it has none; a malformed one is a 400. */
  static idOf(header: string | string[] | undefined): string | undefined {
    if (header === undefined) return undefined;
    const id = Array.isArray(header) ? header[0] : header;
    if (!ID.test(id)) {
      throw new BadRequest({
        en: `X-Lab-Request: 8 to 64 letters, digits, "-" or "_" (an ID for this action, the same each time it is sent again), not ${JSON.stringify(id.slice(0, 80))}`,
        ko: `X-Lab-Request에는 영문자, 숫자, "-", "_"로 8~64자를 쓰세요 (이 조작의 ID로, 다시 보낼 때도 같은 값입니다). 받은 값: ${JSON.stringify(id.slice(0, 80))}`,
      });
    }
    return id;
  }

  /**
   * `run` once for this ID: a repeat (the same path and body) gets the first answer. The same ID
   * for another action is a mistake of the client's: 409, and nothing is done.
   */
  once(id: string, path: string, body: string, run: () => Promise<Answer>, now = Date.now()): Promise<Answer> {
    this.forgetOld(now);
    const seen = this.kept.get(id);
    if (seen) {
      if (seen.path !== path || seen.body !== body) {
        throw new BadRequest({
          en: `X-Lab-Request ${id} was the ID of another action (${seen.path}): give each action an ID of its own`,
          ko: `X-Lab-Request ${id}: 이미 다른 조작(${seen.path})에 쓴 ID입니다. 조작마다 다른 ID를 쓰세요`,
        }, 409);
      }
      return seen.answer;
    }
    // a Map iterates in the order of insertion: the oldest goes first
    for (const old of this.kept.keys()) {
      if (this.kept.size < this.most) break;
      this.kept.delete(old);
    }
    const answer = run();
    this.kept.set(id, { path, body, at: now, answer });
    return answer;
  }

  get size(): number {
    return this.kept.size;
  }

  private forgetOld(now: number): void {
    for (const [id, kept] of this.kept) {
      if (now - kept.at < this.keepMs) break;
      this.kept.delete(id);
    }
  }
}
