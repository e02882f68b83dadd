// Korean particles after names the lab prints: `mail.naver.com으로`, `Server-B가`, `lee를`,
// `kim을`. A particle depends on how the word before it is read aloud: a Hangul syllable by its
// final consonant (받침), a digit by its Korean name (일, 이, 삼 ...; 10 is 십, 100 백), a
// single Latin letter or an acronym by the letter's name (B 비, M 엠, X 엑스), and an English
// word by how Korean speakers say it (com 컴, net 넷, Server 서버, Client 클라이언트).

export type Particle = '은' | '는' | '이' | '가' | '을' | '를' | '과' | '와' | '으로' | '로' | '이다' | '다' | '의';

/** The final consonant of how the word is read: 'none', 'rieul' (ㄹ) or 'other'. */
type Final = 'none' | 'rieul' | 'other';

// A-Z as read one by one: 에이, 비, 씨, 디, 이, 에프, 지, 에이치, 아이, 제이, 케이, 엘, 엠, 엔,
// 오, 피, 큐, 알, 에스, 티, 유, 브이, 더블유, 엑스, 와이, 제트
const LETTER_FINAL: Record<string, Final> = { l: 'rieul', m: 'other', n: 'other', r: 'rieul' };
// 영 일 이 삼 사 오 육 칠 팔 구
const DIGIT_FINAL: Final[] = ['other', 'rieul', 'none', 'other', 'none', 'none', 'other', 'rieul', 'rieul', 'none'];

// words read as words, not letter by letter or digit by digit
const KNOWN: Record<string, Final> = { pop3: 'none', imap: 'other', bind9: 'other', dovecot: 'other' };

function finalOf(word: string): Final {
  const text = word.replace(/[\s)\]>"'`.,:;!?]+$/, '');
  const known = KNOWN[/[A-Za-z0-9]+$/.exec(text)?.[0].toLowerCase() ?? ''];
  if (known) return known;
  const last = text.at(-1);
  if (!last) return 'none';
  const code = last.charCodeAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) {
    const jong = (code - 0xac00) % 28;
    return jong === 0 ? 'none' : jong === 8 ? 'rieul' : 'other';
  }
  if (/\d/.test(last)) {
    const digits = /\d+$/.exec(text)![0];
    // 10 십, 100 백, 1000 천, 10000 만: all end in a consonant (ㄹ in none of them)
    if (/[1-9]0+$/.test(digits)) return 'other';
    return DIGIT_FINAL[Number(last)];
  }
  const segment = /[A-Za-z]+$/.exec(text)?.[0];
  if (!segment) return 'none';
  // one letter (Server-B) or an acronym (SMTP, MX, DNS): read letter by letter
  if (segment.length === 1 || segment === segment.toUpperCase()) return LETTER_FINAL[segment.at(-1)!.toLowerCase()] ?? 'none';
  return englishFinal(segment.toLowerCase());
}

/** How an English word's end sounds in Korean: kim 킴, com 컴, net 넷, mail 메일, server 서버. */
function englishFinal(word: string): Final {
  if (/l$/.test(word)) return 'rieul';
  if (/(m|n|ng)$/.test(word)) return 'other';
  // a stop after a short vowel is a final consonant (net 넷, pop 팝, book 북); after a
  // consonant or a long vowel it is a syllable of its own (client 클라이언트, site 사이트)
  if (/[aeiou][kpt]$/.test(word) && !/(ee|oo|ea|ai|oa|ou)[kpt]$/.test(word)) return 'other';
  if (/ck$/.test(word)) return 'other';
  return 'none';
}

/** The particle that fits after `word`, e.g. josa('mail.naver.com', '으로') -> '으로'. */
export function josa(word: string, particle: Particle): string {
  const final = finalOf(word);
  switch (particle) {
    case '은':
    case '는':
      return final === 'none' ? '는' : '은';
    case '이':
    case '가':
      return final === 'none' ? '가' : '이';
    case '을':
    case '를':
      return final === 'none' ? '를' : '을';
    case '과':
    case '와':
      return final === 'none' ? '와' : '과';
    case '으로':
    case '로':
      return final === 'other' ? '으로' : '로';
    case '이다':
    case '다':
      return final === 'none' ? '다' : '이다';
    case '의':
      return '의';
  }
}

/** The word with its particle: jo('mail.naver.com', '으로') -> 'mail.naver.com으로'. */
export function jo(word: string, particle: Particle): string {
  return `${word}${josa(word, particle)}`;
}

/** A duration as Korean reads it: 500ms, 5초, 2분 30초, 1시간. */
export function durationKo(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}초`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}분 ${s % 60}초` : `${m}분`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}시간 ${m % 60}분` : `${h}시간`;
}

/** A host's service in the seed's words: 네임 서버(bind9), 센드메일 서비스, dovecot 서비스. */
export function serviceName(service: string, lang: 'ko' | 'en'): string {
  const names: Record<string, { ko: string; en: string }> = {
    dns: { ko: '네임 서버(bind9)', en: 'name server (bind9)' },
    smtp: { ko: '센드메일 서비스', en: 'sendmail (SMTP)' },
    pop3: { ko: 'dovecot 서비스(POP3)', en: 'dovecot (POP3)' },
    imap: { ko: 'dovecot 서비스(IMAP)', en: 'dovecot (IMAP)' },
  };
  return names[service]?.[lang] ?? service;
}
