import { describe, it, expect } from 'vitest';
import { josa } from '../../lab/web/page/josa.ts';

// The page's Korean particles after the lab's Latin names, as a Korean teacher reads them aloud.
describe('Korean particles after the lab\'s names', () => {
  it('fits 이/가, 은/는, 을/를, 과/와 and 으로/로 to how the name ends when read', () => {
    const cases: [string, Parameters<typeof josa>[1], string][] = [
      ['Server-B', '이/가', 'Server-B가'], // 비
      ['Server-C', '이/가', 'Server-C가'],
      ['Server', '을/를', 'Server를'], // 서버
      ['Client', '이/가', 'Client가'], // 클라이언트
      ['WinClient', '은/는', 'WinClient는'],
      ['NS', '이/가', 'NS가'], // 엔에스
      ['mail.naver.com', '으로/로', 'mail.naver.com으로'], // 컴
      ['kakao.com', '으로/로', 'kakao.com으로'],
      ['daum.net', '은/는', 'daum.net은'], // 넷
      ['lee@naver.com', '과/와', 'lee@naver.com과'],
      ['mail', '으로/로', 'mail로'], // ㄹ takes 로
      ['Server-L', '으로/로', 'Server-L로'], // 엘
      ['Server-M', '이/가', 'Server-M이'], // 엠
      ['IMAP', '으로/로', 'IMAP으로'], // 아이맵
      ['POP3', '으로/로', 'POP3로'], // 팝쓰리
      ['SMTP', '으로/로', 'SMTP로'], // 에스엠티피
      ['192.168.111.100', '으로/로', '192.168.111.100으로'], // 백
      ['192.168.111.132', '으로/로', '192.168.111.132로'], // 이
      ['25', '으로/로', '25로'], // 오
      ['127.0.0.1', '으로/로', '127.0.0.1로'], // 일: ㄹ
      ['메일 큐', '을/를', '메일 큐를'],
      ['메일 박스', '이/가', '메일 박스가'],
      ['네임 서버', '으로/로', '네임 서버로'],
      ['센드메일 서비스', '은/는', '센드메일 서비스는'],
    ];
    for (const [word, particle, expected] of cases) expect(josa(word, particle), `${word} + ${particle}`).toBe(expected);
  });
});
