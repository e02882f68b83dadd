import { isNode, type Document, type LineCounter, type YAMLError } from 'yaml';
import { josa } from '../trace/korean.ts';

/** An error message in Korean and English. */
export type Said = { ko: string; en: string };

/** The line of the node at a path in a YAML document, or of its nearest parent that exists. */
export function lineAt(doc: Document, counter: LineCounter, at: (string | number)[]): number {
  for (let n = at.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(at.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    // A key whose value is missing: point at the key.
    const parent = n > 0 ? (n === 1 ? doc.contents : doc.getIn(at.slice(0, n - 1), true)) : undefined;
    const pair = (parent as { items?: { key: { value?: unknown; range?: number[] } }[] } | undefined)?.items?.find((p) => p.key?.value === at[n - 1]);
    if (pair?.key?.range) return counter.linePos(pair.key.range[0]).line;
  }
  return 1;
}

/**
 * A YAML syntax error at the line that is wrong. An unclosed "{" or "[" is noticed lines
 * later, where the parser gives up; the line to fix is the one that opened it.
 */
export function syntaxError(err: YAMLError, text: string, counter: LineCounter): { line: number; said: Said } {
  let line = err.linePos?.[0].line ?? counter.linePos(err.pos[0]).line;
  const first = err.message.split('\n')[0];
  const lines = text.split('\n');
  const flow = /flow (map|sequence|collection)|must end with|missing.*[}\]]/i.test(first);
  if (flow) {
    for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
      const code = lines[i].replace(/#.*$/, '');
      const open = (code.match(/[{[]/g) ?? []).length;
      const close = (code.match(/[}\]]/g) ?? []).length;
      if (open > close) {
        const closer = code.lastIndexOf('{') > code.lastIndexOf('[') ? '}' : ']';
        line = i + 1;
        return {
          line,
          said: {
            ko: `YAML 문법 오류: 이 줄에서 연 "${closer === '}' ? '{' : '['}"를 닫지 않았습니다. 줄 끝에 "${closer}"를 쓰세요`,
            en: `YAML syntax: the "${closer === '}' ? '{' : '['}" opened on this line is never closed; end the line with "${closer}"`,
          },
        };
      }
    }
  }
  return { line, said: { ko: `YAML 문법 오류: ${first}`, en: `YAML syntax: ${first}` } };
}

/** The known key nearest to a misspelt one (at most two letters off), for "did you mean". */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = here;
    }
  }
  return row[b.length];
}

type Issue = { code: string; message: string; expected?: unknown; keys?: string[]; values?: unknown[]; input?: unknown };

/** A zod issue in words a teacher can act on (English; explainIssueSaid gives both languages). */
export function explainIssue(issue: Issue, example: string, known: readonly string[] = [], value?: unknown): string {
  return explainIssueSaid(issue, example, known, value).en;
}

/**
 * A zod issue in words a teacher can act on, in both languages. `known` are the keys allowed
 * where an unknown key was found (for "did you mean"); `value` is what the file says there.
 */
export function explainIssueSaid(issue: Issue, example: string, known: readonly string[] = [], value?: unknown): Said {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys![0];
    const near = nearestKey(key, known);
    return {
      ko: `모르는 키 "${key}"입니다. ${near ? `"${near}"${josa(near, '을')} 쓰려던 것인가요?` : `철자를 ${example}${josa(example, '와')} 비교해 보세요`}${known.length ? ` (여기에 쓸 수 있는 키: ${known.join(', ')})` : ''}`,
      en: `unknown key "${key}"${near ? `; did you mean ${near}?` : `; check the spelling against ${example}`}${known.length ? ` (keys here: ${known.join(', ')})` : ''}`,
    };
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return { ko: `값이 없습니다. 값을 쓰세요 (${String(issue.expected)}), ${example} 참고`, en: `missing; write a value (${String(issue.expected)}), see ${example}` };
  }
  if (issue.code === 'invalid_type' && issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    // YAML reads 1234 as a number: a password or a name must be quoted
    return { ko: `${String(value)}${typeof value === 'number' ? '는 숫자로 읽힙니다' : '는 참/거짓으로 읽힙니다'}. 따옴표로 감싸 문자열로 쓰세요: "${String(value)}"`, en: `${String(value)} is read as a ${typeof value === 'number' ? 'number' : 'true/false value'}; quote it to make it text: "${String(value)}"` };
  }
  if (issue.code === 'invalid_value' && issue.values) {
    const list = issue.values.map((v) => JSON.stringify(v)).join(', ');
    return { ko: `${list} 중 하나여야 합니다`, en: `should be one of ${list}` };
  }
  if (issue.code === 'custom' && issue.message.startsWith('an IPv4 address') && typeof value === 'string') {
    return { ko: `"${value}"는 IPv4 주소가 아닙니다. 0-255 숫자 네 개를 점으로 이어 쓰세요 (예: 192.168.111.100)`, en: `"${value}" is not an IPv4 address; write four numbers 0-255 separated by dots, such as 192.168.111.100` };
  }
  if (issue.code === 'invalid_format' || issue.code === 'invalid_string' || (issue.code === 'custom' && issue.message in KOREAN_FORMS)) {
    const what = issue.message.replace(/^Invalid string: must match pattern .*$/, 'in the documented form');
    return { ko: `${KOREAN_FORMS[what] ?? what} 형식이어야 합니다`, en: `should be ${what}` };
  }
  return { ko: issue.message, en: issue.message };
}

/** The forms the schemas name, in Korean. */
const KOREAN_FORMS: Record<string, string> = {
  'an IPv4 address such as 192.168.111.100 (four numbers 0-255)': 'IPv4 주소 (0-255 숫자 네 개, 예: 192.168.111.100)',
  'a host name such as Server-B (letters, digits, dashes)': '호스트 이름 (영문자, 숫자, 대시; 예: Server-B)',
  'a lower-case domain such as naver.com': '소문자 도메인 (예: naver.com)',
  'an address or prefix such as 192.168.111': '주소나 주소 앞부분 (예: 192.168.111)',
  'a lower-case local part such as lee (or an address such as lee@naver.com)': '소문자 사용자 이름 (예: lee, 또는 lee@naver.com)',
  'an address such as lee@naver.com': '메일 주소 (예: lee@naver.com)',
  'a CIDR network such as 192.168.111.0/24': 'CIDR 네트워크 (예: 192.168.111.0/24)',
  'a host name from the topology, such as Server-B': '실습망 설정의 호스트 이름 (예: Server-B)',
  'a time such as 500ms, 10s or 2m': '시간 (예: 500ms, 10s, 2m)',
  'a lower-case name with dashes, such as kim-to-lee': '소문자와 대시로 된 이름 (예: kim-to-lee)',
  'a step label such as 4-5': '단계 번호 (예: 4-5)',
  'in the documented form': '설명서에 적힌',
};
