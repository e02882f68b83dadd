// The README's example of a test written against the lab API, kept here so it stays true.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { simpleParser } from 'mailparser';
import { startLab, type Lab } from '../../lab/index.ts';

describe('my mail course', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ ports: 'auto', retry: '100ms*5' });
  });
  afterAll(() => lab.stop());

  it('delivers kim\'s letter to lee across both mail servers', async () => {
    await lab.client('WinClient').send({ to: 'lee@naver.com', subject: '과제 제출', text: '숙제입니다.' });
    const letter = await lab.waitForLetter('Server', 'lee', (l) => l.subject === '과제 제출');
    expect(letter.headers).toMatch(/^Received: from .*192\.168\.111\.200/m);
    // fetched letters come parsed like mailbox letters: subject, from, to, date, headers
    const fetched = await lab.client('Client').fetchPop3();
    const homework = fetched.find((l) => l.subject === '과제 제출');
    expect(homework?.from).toBe('김유신 (kim) <kim@daum.net>');
    expect(homework?.date).toMatch(/\d{4}/);
    expect((await simpleParser(homework!.raw)).text).toContain('숙제입니다.');
  });

  it('brings a bounce back to kim for a user naver.com does not have', async () => {
    await lab.client('WinClient').send({ to: 'nobody@naver.com', subject: '누구세요?', text: '...' });
    const bounce = await lab.waitForBounce('Server-B', 'kim', 'nobody@naver.com');
    expect(bounce.raw.toString()).toMatch(/User unknown/);
  });

  it('keeps the letter in Server-B\'s queue while Server is down', async () => {
    await lab.hostDown('Server');
    await lab.client('WinClient').send({ to: 'lee@naver.com', subject: '기다려요', text: '...' });
    await lab.waitFor((e) => e.kind === 'queue' && e.from === 'Server-B' && e.status === 'deferred');
    expect((await lab.queue('Server-B')).length).toBe(1);
    await lab.hostUp('Server');
    await lab.flush('Server-B');
    await lab.waitForLetter('Server', 'lee', (l) => l.subject === '기다려요');
  });
});
