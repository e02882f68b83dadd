// The whole Korean lesson as the class sees it (npm run lab -- --exit --lang ko --transcripts
// --letter), kept in test/golden/kim-to-lee.lesson.ko.txt with what changes from run to run
// masked (times, queue IDs, Message-IDs, Maildir names, dates, ports). UPDATE_GOLDEN=1 rewrites it.
// And Korean mode prints no English summary: every line the class reads is Korean, but for
// names, addresses, protocol words and the servers' own replies (quoted).
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../cli/cli-helpers.ts';

const GOLDEN = path.join(import.meta.dirname, 'kim-to-lee.lesson.ko.txt');

function normalise(text: string): string {
  return text
    .replace(/^(#\s*\d+)\s+\d+ms/gm, '$1  Tms')
    .replace(/(?:\b|(?<=[dq]f))q[0-9A-Za-z]{12}\b/g, '<QUEUE-ID>')
    .replace(/<[0-9a-f-]{36}@daum\.net>/g, '<MESSAGE-ID>')
    .replace(/\b\d{10}\.M\d+P\d+Q\d+R[0-9a-f]+\.[^,\s/]+,S=\d+(:2,S)?/g, '<MAILDIR-FILE>')
    .replace(/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}/g, '<DATE>')
    .replace(/\/tmp\/mail-lab-[A-Za-z0-9]+/g, '<DATA>')
    .replace(/127\.0\.0\.1[:.]\d+/g, '127.0.0.1:<PORT>');
}

describe('the Korean lesson', async () => {
  const run = await runCli(['--exit', '--ports', 'auto', '--lang', 'ko', '--transcripts', '--letter']);

  it('exits 0 with every expectation held', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^성공: 확인 항목 4개 모두 통과$/m);
  });

  it(`matches test/golden/kim-to-lee.lesson.ko.txt`, () => {
    const actual = normalise(run.stdout);
    if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(GOLDEN)) fs.writeFileSync(GOLDEN, actual);
    expect(actual).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('prints no English in Korean mode, but for names, protocol words and the servers\' quoted replies', async () => {
    const plain = await runCli(['--exit', '--ports', 'auto', '--lang', 'ko']);
    const english = englishIn(plain.stdout);
    expect(english).toEqual([]);
    // the test itself can fail: the English lesson is caught
    const en = await runCli(['--exit', '--ports', 'auto', '--lang', 'en']);
    expect(englishIn(en.stdout).length).toBeGreaterThan(10);
  });

  for (const scenario of ['unknown-user-bounce', 'server-down-then-up', 'dns-down', 'several-recipients', 'mx-without-final-dot', 'relay-denied-from-outside', 'lee-replies-to-kim', 'kim-to-lee-imap']) {
    it(`no English in Korean mode: ${scenario}`, async () => {
      const ko = await runCli(['--exit', '--ports', 'auto', '--lang', 'ko', '--scenario', scenario]);
      expect(ko.code).toBe(0);
      expect(englishIn(ko.stdout)).toEqual([]);
    });
  }
});

/** Words that are the same in Korean text: names, protocol words, commands. */
const ALLOWED = new Set(['Server', 'Server-B', 'Client', 'WinClient', 'SMTP', 'POP3', 'IMAP', 'DNS', 'MX', 'MDA', 'IP', 'ID', 'DSN', 'UID', 'A', 'AAAA', 'CNAME', 'Received', 'INBOX', 'dovecot', 'bind9', 'BIND', 'named-checkzone', 'kim', 'lee', 'nobody', 'ms', 'Enter']);

/** The lines of a lesson's output (not transcripts) that still hold English words. */
function englishIn(output: string): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (/^\s+[CS]: /.test(line)) continue; // a protocol transcript is the protocol's own
    const words = line
      .replace(/"[^"]*"/g, '') // a server's own reply, quoted
      .replace(/\(([a-z0-9]+-)+[a-z0-9]+\) ==$/, '') // the scenario's name in the title
      .replace(/[\w.+-]+@[\w.-]+/g, '') // addresses
      .replace(/\bq[0-9A-Za-z]{12}\b/g, '') // queue IDs
      .replace(/\b[\w-]+(\.[\w-]+)+\b/g, '') // domains, file names
      .replace(/[\w./-]*\/[\w./:,=-]*/g, '') // paths
      .match(/[A-Za-z][A-Za-z0-9-]*/g) ?? [];
    const english = words.filter((w) => !ALLOWED.has(w));
    if (english.length) found.push(`${line}  <- ${english.join(' ')}`);
  }
  return found;
}
