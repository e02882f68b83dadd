import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Write a Maildir of `messages` letters of about `size` bytes straight to disk, as delivered mail
 * (new/, "<unique>,S=<size>", in delivery order): lee's mailbox for the IMAP and POP3 benchmarks.
 * With dotLines, some body lines start with a dot, so POP3 has to byte-stuff them.
 */
export async function fillMaildir(dir: string, messages: number, size: number, options: { dotLines?: boolean } = {}): Promise<number> {
  for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(path.join(dir, sub), { recursive: true });
  let total = 0;
  const write = async (i: number) => {
    const head = [
      'Return-Path: <kim@daum.net>',
      'Delivered-To: lee@naver.com',
      `Received: from mail.daum.net (mail.daum.net [192.168.111.200])\r\n\tby mail.naver.com (192.168.111.100) with ESMTP id q${i}\r\n\tfor <lee@naver.com>; Mon, 1 Jan 2024 09:00:00 +0900`,
      'From: =?UTF-8?B?6rmA7Jyg7IugIChraW0p?= <kim@daum.net>',
      'To: =?UTF-8?B?7J207Iic7IugIChsZWUp?= <lee@naver.com>',
      `Subject: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?= #${i}`,
      `Message-ID: <bench-${i}@daum.net>`,
      'Date: Mon, 1 Jan 2024 09:00:00 +0900',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
    ].join('\r\n');
    const lines: string[] = [];
    let length = Buffer.byteLength(head) + 2;
    for (let n = 0; length < size; n++) {
      const line = options.dotLines && n % 9 === 4 ? `.${n} 점으로 시작하는 줄 (byte-stuffed)` : `${n} 메일 서버 실습: kim이 lee에게 보내는 편지입니다. lorem ipsum dolor`;
      lines.push(line);
      length += Buffer.byteLength(line) + 2;
    }
    const body = Buffer.from(`${head}\r\n${lines.join('\r\n')}\r\n`);
    total += body.length;
    await fs.writeFile(path.join(dir, 'new', `${1_700_000_000 + i}.M${i}P1Q${i}.bench,S=${body.length}`), body);
  };
  for (let i = 0; i < messages; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, messages - i) }, (_, k) => write(i + k + 1)));
  }
  return total;
}
