import { z } from 'zod';
import type { Bilingual } from '../trace/hop-event.ts';
import { BadRequest } from './bad-request.ts';

// What the page may send, checked before anything happens: a request that fails here gets a
// 400 with the reason and changes nothing in the lab. Every reason is written in English and
// Korean (the page shows the one it speaks; `error` stays English for scripts and tests).

export { BadRequest, requireHost } from './bad-request.ts';

/** The schemas' messages in Korean, by their English text. */
const KOREAN = new Map<string, string>();

function say(en: string, ko: string): string {
  KOREAN.set(en, ko);
  return en;
}

const hostName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, say('a host name from the topology, such as Server-B', 'Server-B 같은 실습망의 호스트 이름을 쓰세요'));
// An address as a person types it; the mail server itself decides whether it exists (that is the lesson).
const address = z.string().trim().regex(/^[^@\s<>(),;:"\\]+@[^@\s<>(),;:"\\]+$/, say('an address such as lee@naver.com', 'lee@naver.com 같은 메일 주소를 쓰세요'));
const service = z.enum(['dns', 'smtp', 'pop3', 'imap']);

export const sendRequest = z.strictObject({
  /** the client PC that sends: WinClient, Client */
  from: hostName,
  to: z.union([address, z.array(address).min(1).max(20)], { error: say('one to 20 addresses, such as lee@naver.com', 'lee@naver.com 같은 받는 사람 주소를 1개에서 20개까지 쓰세요') }),
  cc: z.union([address, z.array(address).max(20)], { error: say('at most 20 addresses, such as lee@naver.com', '참조 주소는 20개까지 쓸 수 있습니다') }).optional(),
  subject: z.string().max(998, say('a subject of at most 998 characters (RFC 5322 section 2.1.1)', '제목은 998자까지 쓸 수 있습니다 (RFC 5322 2.1.1절)')),
  body: z.string().max(100_000, say('a body of at most 100,000 characters', '내용은 100,000자까지 쓸 수 있습니다')),
  /** the Message-ID this letter answers */
  inReplyTo: z.string().regex(/^<[^<>\s]+>$/, say('a Message-ID such as <abc@daum.net>', '<abc@daum.net> 같은 Message-ID를 쓰세요')).optional(),
});

export const fetchRequest = z.strictObject({
  client: hostName,
  protocol: z.enum(['pop3', 'imap']).optional(),
});

export const faultRequest = z.discriminatedUnion('fault', [
  z.strictObject({ fault: z.enum(['host-down', 'host-up']), host: hostName }),
  z.strictObject({ fault: z.enum(['service-down', 'service-up']), host: hostName, service }),
  z.strictObject({ fault: z.enum(['link-down', 'link-up']), host: hostName, peer: hostName }),
]);

export const flushRequest = z.strictObject({ host: hostName });
export const scenarioRequest = z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/, say('a shipped scenario name such as kim-to-lee', 'kim-to-lee 같은 시나리오 이름을 쓰세요')) });
export const stepRequest = z.strictObject({ on: z.boolean() });
export const playRequest = z.strictObject({
  /** ms between two hops; 0 stops playing */
  interval: z.number().int().min(0).max(60_000),
});
export const emptyRequest = z.strictObject({});

/** Parse a request body against a schema, or throw a 400 that says what was wrong. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `"${issue.path.join('.')}": ` : '';
  // zod's own words (an unknown field, a wrong type) have no Korean of their own: said around them
  const ko = KOREAN.get(issue.message) ?? `요청의 형식이 맞지 않습니다 (${issue.message})`;
  throw new BadRequest({ en: `${where}${issue.message}`, ko: `${where}${ko}` });
}

