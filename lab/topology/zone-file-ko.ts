// The zone file's error messages in Korean: one table from the English message to the Korean
// one, so that zone-file.ts keeps one message per mistake and a Korean class reads its own.
import { josa } from '../trace/korean.ts';

type Rule = [RegExp, (...m: string[]) => string];

const j = (word: string, particle: Parameters<typeof josa>[1]) => `${word}${josa(word, particle)}`;

const WHAT: Record<string, string> = {
  'the $TTL': '$TTL', 'the TTL': 'TTL', 'the SOA serial': 'SOA serial', 'the MX preference': 'MX 우선순위',
  'the SOA refresh time': 'SOA refresh', 'the SOA retry time': 'SOA retry', 'the SOA expire time': 'SOA expire', 'the SOA minimum time': 'SOA minimum',
};

const USAGE: Rule[] = [
  [/^the primary name server, the administrator's mailbox and five numbers \(serial refresh retry expire minimum\), e\.g\. (.*)$/, (_a, e) => `주 네임 서버, 관리자 메일 주소, 숫자 다섯 개(serial refresh retry expire minimum)가 필요합니다. 예: ${e}`],
  [/^one name server host, e\.g\. (.*)$/, (_a, e) => `네임 서버 호스트 하나가 필요합니다. 예: ${e}`],
  [/^a preference and a host, e\.g\. (.*)$/, (_a, e) => `우선순위와 호스트가 필요합니다. 예: ${e}`],
  [/^one IPv4 address, e\.g\. (.*)$/, (_a, e) => `IPv4 주소 하나가 필요합니다. 예: ${e}`],
  [/^one IPv6 address, e\.g\. (.*)$/, (_a, e) => `IPv6 주소 하나가 필요합니다. 예: ${e}`],
  [/^one target name, e\.g\. (.*)$/, (_a, e) => `가리키는 이름 하나가 필요합니다. 예: ${e}`],
];

const RULES: Rule[] = [
  [/^\$ORIGIN needs one domain name, e\.g\. (.*)$/, (_a, e) => `$ORIGIN에는 도메인 이름 하나를 쓰세요. 예: ${e}`],
  [/^\$TTL needs one time, e\.g\. (.*)$/, (_a, e) => `$TTL에는 시간 하나를 쓰세요. 예: ${e}`],
  [/^(\S+) is not supported by the lab; .*$/, (_a, d) => `${j(d, '는')} 실습망에서 쓸 수 없습니다. 레코드를 이 파일에 직접 쓰세요 (지시어는 $ORIGIN과 $TTL만 됩니다)`],
  [/^this record has no owner name \(the line starts with a space\); write "@" for (\S+) itself, or a name such as "mail"$/, (_a, z) => `이 레코드에는 이름(owner)이 없습니다 (줄이 공백으로 시작합니다). ${z} 자신이면 "@"를, 아니면 "mail" 같은 이름을 쓰세요`],
  [/^class (\S+) is not served in the lab; write IN \(or leave the class out\)$/, (_a, c) => `클래스 ${j(c, '는')} 실습망에서 쓰지 않습니다. IN을 쓰거나 클래스를 빼세요`],
  [/^a record type is missing after "(.*)"; write e\.g\. (.*)$/, (_a, t, e) => `"${t}" 뒤에 레코드 종류가 없습니다. 예: ${e}`],
  [/^"(.*)" is not a record type the lab serves( \(a TTL or a class appears twice\?\))?; write one of (.*)$/, (_a, t, twice, list) => `"${t}"는 실습망이 다루는 레코드 종류가 아닙니다${twice ? ' (TTL이나 클래스를 두 번 썼나요?)' : ''}. ${list} 중 하나를 쓰세요`],
  [/^this record has no TTL; .*$/, () => '이 레코드에는 TTL이 없습니다. 파일 맨 위에 "$TTL 3H"를 쓰거나 레코드에 TTL을 주세요 (예: "mail 3H IN A 192.168.111.100")'],
  [/^(\S+) is outside the zone (\S+); write a name ending in (\S+) \(or a relative name such as "mail"\)$/, (_a, o, z, end) => `${j(o, '는')} 존 ${z} 밖의 이름입니다. ${end}으로 끝나는 이름이나 "mail" 같은 상대 이름을 쓰세요`],
  [/^the zone (\S+) has no SOA record; start it with "\$TTL 3H" and (.*)$/, (_a, z, e) => `존 ${z}에 SOA 레코드가 없습니다. "$TTL 3H"와 ${e}로 시작하세요`],
  [/^a second SOA record; .*$/, () => 'SOA 레코드가 두 번째입니다. 존에는 SOA가 "@"에 하나만 있습니다'],
  [/^the SOA record belongs to (\S+), not the zone (\S+); write its owner as "@", e\.g\. (.*)$/, (_a, o, z, e) => `SOA 레코드가 존 ${z}가 아니라 ${o}에 붙어 있습니다. 이름을 "@"로 쓰세요. 예: ${e}`],
  [/^the zone (\S+) has no NS record; add one under the SOA, e\.g\. (.*)$/, (_a, z, e) => `존 ${z}에 NS 레코드가 없습니다. SOA 아래에 하나 더하세요. 예: ${e}`],
  [/^(\S+) has a CNAME and a (\S+) record; .*$/, (_a, n, t) => `${n}에 CNAME과 ${t} 레코드가 함께 있습니다. CNAME은 혼자 있어야 합니다 (RFC 1034 3.6.2절): ${t} 레코드는 CNAME이 가리키는 이름에 주세요`],
  [/^MX needs a preference \(a number, lower is tried first\) before the host, e\.g\. (.*)$/, (_a, e) => `MX에는 호스트 앞에 우선순위(숫자, 작을수록 먼저)를 쓰세요. 예: ${e}`],
  [/^"(.*)" is not an IPv4 address; write four numbers 0-255 separated by dots, e\.g\. (.*)$/, (_a, v, e) => `"${v}"는 IPv4 주소가 아닙니다. 0-255 숫자 네 개를 점으로 이어 쓰세요. 예: ${e}`],
  [/^"(.*)" is not an IPv6 address; write it as e\.g\. (.*)$/, (_a, v, e) => `"${v}"는 IPv6 주소가 아닙니다. 예: ${e}`],
  [/^TXT needs at least one string, e\.g\. (.*)$/, (_a, e) => `TXT에는 문자열이 하나 이상 필요합니다. 예: ${e}`],
  [/^a TXT string is longer than 255 bytes; .*$/, () => 'TXT 문자열이 255바이트보다 깁니다. 따옴표로 감싼 여러 문자열로 나누세요 (예: "앞부분" "뒷부분")'],
  [/^a "\(" inside another "\("; .*$/, () => '"(" 안에 또 "("가 있습니다. 먼저 연 것을 ")"로 닫은 뒤 여세요'],
  [/^a "\)" without a "\(" before it; .*$/, () => '앞에 "("가 없는 ")"입니다. 지우거나 "("로 여세요'],
  [/^a quoted string is not closed; .*$/, () => '따옴표로 연 문자열을 닫지 않았습니다. 같은 줄에서 "로 닫으세요'],
  [/^the "\(" opened here is never closed; .*$/, () => '여기서 연 "("를 닫지 않았습니다. 마지막 값 뒤에 ")"를 쓰세요'],
  [/^"(.*)" is not a byte; .*$/, (_a, v) => `"${v}"는 바이트가 아닙니다. \\DDD의 DDD는 000부터 255까지입니다`],
  [/^a "\\" at the end of the line; .*$/, () => '줄 끝에 "\\"가 있습니다. 역슬래시 자체는 "\\\\"로 쓰세요'],
  [/^"(.*)" is not a plain domain name; .*e\.g\. (\S+)$/, (_a, v, e) => `"${v}"는 일반 도메인 이름이 아닙니다. 영문자, 숫자, 대시를 점으로 이어 쓰세요. 예: ${e}`],
  [/^wildcard names \("\*"\) are not served in the lab; .*$/, () => '와일드카드 이름("*")은 실습망에서 쓰지 않습니다. 이름을 하나씩 쓰세요 (예: "mail")'],
  [/^"(.*)" is not a valid domain name; .*e\.g\. (\S+)$/, (_a, v, e) => `"${v}"는 올바른 도메인 이름이 아닙니다. 영문자, 숫자, 대시로 된 라벨(각각 63자까지)을 점 하나로 이어 쓰세요. 예: ${e}`],
  [/^"(.*)" is longer than 253 characters; .*$/, (_a, v) => `"${v}"는 253자보다 깁니다. 도메인 이름은 더 짧아야 합니다 (RFC 1035 2.3.4절)`],
  [/^"(.*)" is not a time for (.*?); write seconds .*, at most (\d+) seconds$/, (_a, v, what, max) => `"${v}"는 ${WHAT[what] ?? what}의 시간이 아닙니다. 초(10800)나 단위 s, m, h, d, w를 붙인 숫자(3H, 1D, 1h30m)로, ${max}초까지 쓰세요`],
  [/^"(.*)" is not a number for (.*?); write a whole number from 0 to (\d+)$/, (_a, v, what, max) => `"${v}"는 ${WHAT[what] ?? what}의 숫자가 아닙니다. 0부터 ${max}까지의 정수를 쓰세요`],
  // the generic "TYPE needs ..." last: the messages above name their own needs
  [/^(\S+) needs (.*)$/, (_a, t, usage) => `${t}: ${USAGE.reduce<string | undefined>((found, [re, f]) => found ?? (re.test(usage) ? usage.replace(re, f as never) : undefined), undefined) ?? usage}`],
];

/** The Korean of a zone file's error message (the message itself if no rule knows it). */
export function zoneMessageKo(message: string): string {
  // named-checkzone's own findings come with their Korean already (see checkZone)
  for (const [re, f] of RULES) {
    const m = re.exec(message);
    if (m) return f(...(m as unknown as string[]));
  }
  return message;
}
