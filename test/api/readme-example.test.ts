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
    const fetched = await lab.client('Client').fetchPop3();
    const texts = await Promise.all(fetched.map(async (l) => (await simpleParser(l.raw)).text));
    expect(texts.some((t) => t?.includes('숙제입니다.'))).toBe(true);
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
