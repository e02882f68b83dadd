// Korean particles after a name from the lab: Server-B가, Server를, mail.naver.com으로,
// 192.168.111.100으로, daum.net은. The particle depends on whether the word, read aloud, ends
// in a consonant (받침), and on ㄹ for 으로/로. Latin names are read as Koreans read them: a
// word by its sound (Server 서버, net 넷, Client 클라이언트), a lone capital by its letter name
// (B 비, L 엘), digits after letters in English (POP3 팝쓰리), plain numbers in Korean (100 백).

export type Particle = '이/가' | '은/는' | '을/를' | '과/와' | '으로/로';

type Ending = 'vowel' | 'consonant' | 'rieul';

/** The word followed by the particle that fits it: josa('Server-B', '이/가') === 'Server-B가'. */
export function josa(word: string, particle: Particle): string {
  const [withFinal, without] = particle.split('/');
  const end = ending(word);
  if (particle === '으로/로') return word + (end === 'consonant' ? withFinal : without);
  return word + (end === 'vowel' ? without : withFinal);
}

// abbreviations said as a word, not letter by letter
const SPOKEN: Record<string, Ending> = { imap: 'consonant', pop: 'consonant', lan: 'consonant' };
const LETTER_NAMES: Record<string, Ending> = { l: 'rieul', m: 'consonant', n: 'consonant', r: 'rieul' };
// one 원, seven 세븐, eight 에잇, nine 나인; the others end in a vowel (제로, 투, 쓰리, 포, 파이브, 식스)
const ENGLISH_DIGITS: Record<string, Ending> = { 1: 'consonant', 7: 'consonant', 8: 'consonant', 9: 'consonant' };
// 일 이 삼 사 오 육 칠 팔 구
const KOREAN_DIGITS: Ending[] = ['consonant', 'rieul', 'vowel', 'consonant', 'vowel', 'vowel', 'consonant', 'rieul', 'rieul', 'vowel'];

function ending(word: string): Ending {
  const trimmed = word.replace(/[\s)\]>"'.,]+$/, '');
  const last = trimmed.at(-1) ?? '';
  const code = last.charCodeAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) {
    const final = (code - 0xac00) % 28;
    return final === 0 ? 'vowel' : final === 8 ? 'rieul' : 'consonant';
  }
  if (/\d/.test(last)) {
    const digits = /(\d+)$/.exec(trimmed)![1];
    const before = trimmed.slice(0, trimmed.length - digits.length);
    if (/[A-Za-z]$/.test(before)) return ENGLISH_DIGITS[last] ?? 'vowel';
    return koreanNumber(digits);
  }
  if (!/[A-Za-z]/.test(last)) return 'vowel';
  const word2 = /([A-Za-z]+)$/.exec(trimmed)![1];
  const spoken = SPOKEN[word2.toLowerCase()];
  if (spoken) return spoken;
  // a lone capital (Server-B) or an abbreviation in capitals (NS, SMTP): letter names
  if (word2.length === 1 || word2 === word2.toUpperCase()) return LETTER_NAMES[last.toLowerCase()] ?? 'vowel';
  const w = word2.toLowerCase();
  if (w.endsWith('l')) return 'rieul';
  if (/(m|n|ng)$/.test(w)) return 'consonant';
  // a stop after a vowel sounds as a final consonant: net 넷, lab 랩, web 웹, book 북
  if (/[aeiou][bkpt]$/.test(w) || w.endsWith('ck')) return 'consonant';
  return 'vowel';
}

/** A number read in Korean: 25 이십오, and one that ends in 0 ends in 영, 십, 백, 천 or 만: a consonant each. */
function koreanNumber(digits: string): Ending {
  const last = Number(digits.at(-1));
  return last === 0 ? 'consonant' : KOREAN_DIGITS[last];
}
