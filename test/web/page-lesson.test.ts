import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chromiumMissing, openBrowser, screenshot, listedSteps } from './browser.ts';
import { startWebLab } from './web-lab.ts';

describe.skipIf(chromiumMissing)(`the page: kim-to-lee as the seed's figures, in Korean and English${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab(['--lang', 'en']);
    await lab.cli.waitFor(/PASS: \d+ of \d+ expectations held/);
  });
  afterAll(() => lab?.stop());

  it('loads itself again when a module of the page could not be fetched (a network change cancels requests)', async () => {
    const browser = await openBrowser({ locale: 'en-US' });
    try {
      const { page } = browser;
      let cancelled = 0;
      // the first two fetches of one module fail, as when Chromium cancels them for the network
      // changes of a lab's start (Docker makes several networks in a row)
      await page.route('**/page/settings.ts', (route) => (cancelled++, route.abort('internetdisconnected')), { times: 2 });
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq="10"]');
      expect(cancelled).toBe(2);
    } finally {
      await browser.close();
    }
  });

  it('shows the four hosts with their addresses and the numbered hops of kim-to-lee; a reload keeps the event list', async () => {
    const browser = await openBrowser({ locale: 'en-US' });
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq="10"]');
      for (const [host, address] of [['WinClient', '192.168.111.132'], ['Server-B', '192.168.111.200'], ['Server', '192.168.111.100'], ['Client', '192.168.111.131']]) {
        expect(await page.textContent(`.figure g.host[data-host="${host}"]`)).toContain(address);
      }
      expect(await page.textContent('.figure g.host[data-host="Server"]')).toContain('mail.naver.com');
      expect(await page.textContent('.figure [data-nameserver="Server"]')).toContain('name server (bind9)');
      // the sendmail figure's numbers, in order, in the list; the overview's ①-⑤ on the figure
      const steps = await listedSteps(page);
      expect(steps).toEqual(['①', '②', '③', '③', '④⑤', '⑥⑦', '⑧', '⑨⑩']);
      await page.click('.events tr[data-seq="1"]');
      const drawn = await page.$$eval('.figure g.hop[data-step]', (hops) => hops.map((h) => h.getAttribute('data-step')));
      expect(drawn).toEqual(['1']);
      await page.click('.events tr.numbered:has(td.step:text-is("⑨⑩"))');
      const all = await page.$$eval('.figure g.hop[data-step]', (hops) => [...new Set(hops.map((h) => h.getAttribute('data-step')))].sort());
      expect(all).toEqual(['1', '2', '3', '4', '5']);
      await screenshot(page, 'overview-en');
      await page.click('[data-figure="detail"]');
      await page.waitForSelector('.figure-detail [data-part="dovecot"]');
      const parts = await page.$$eval('.figure g.host[data-host="Server"] [data-part]', (ps) => ps.map((p) => p.getAttribute('data-part')));
      expect(parts.sort()).toEqual(['dovecot', 'mailbox', 'mda', 'nameServer', 'queue', 'sendmail']);
      const detailSteps = await page.$$eval('.figure g.hop[data-step]', (hops) => [...new Set(hops.map((h) => h.getAttribute('data-step')))]);
      expect(detailSteps).toEqual(expect.arrayContaining(['1', '2', '3', '4-5', '6-7', '8', '9-10']));
      await screenshot(page, 'detail-en');

      const rows = await page.$$eval('.events tbody tr[data-seq]', (r) => r.length);
      await page.reload();
      await page.waitForSelector(`.events tbody tr[data-seq]:nth-child(${rows})`);
      expect(await page.$$eval('.events tbody tr[data-seq]', (r) => r.length)).toBe(rows);
      expect(await listedSteps(page)).toEqual(steps);
    } finally {
      await browser.close();
    }
  });

  it('clicking a hop shows its details: transcript with the password masked, the DNS answer, the files with the new Received line marked', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq="10"]');
      // ⑧: POP3 login, PASS masked by the lab
      await page.click('.events tr.numbered:has(td.step:text-is("⑧"))');
      await page.waitForSelector('.details .transcript');
      const transcript = await page.textContent('.details .transcript');
      expect(transcript).toContain('C: USER lee@naver.com');
      expect(transcript).toContain('C: PASS *****');
      expect(transcript).not.toContain('1234');
      // the MX lookup: question and answer sections
      await page.click('.events tr:has(.proto:text-is("DNS"))');
      await page.waitForSelector('.details .dns');
      expect(await page.textContent('.details .dns')).toMatch(/naver\.com\. IN MX[\s\S]*MX 10 mail\.naver\.com\./);
      // ⑥⑦: the letter in lee's Maildir as the MDA left it, Server's Received line marked
      await page.click('.events tr.numbered:has(td.step:text-is("⑥⑦"))');
      await page.waitForSelector('.details .file .letter-view');
      expect(await page.textContent('.details .file-head')).toMatch(/Server\/mail\/lee\/new\//);
      const marked = await page.textContent('.details tr.added');
      expect(marked).toMatch(/by mail\.naver\.com/);
      expect(await page.textContent('.details .letter-view')).toContain('안녕하세요, lee님! 메일 서버 실습입니다');
      // ②: the queue's control file, as JSON
      await page.click('.events tr.numbered:has(td.step:text-is("②"))');
      await page.waitForSelector('.details pre.control');
      expect(await page.textContent('.details pre.control')).toContain('"format": "mail-lab-qf/1"');
      await screenshot(page, 'details-en');
    } finally {
      await browser.close();
    }
  });

  it('speaks Korean where the browser says ko, and switches to English and back', async () => {
    const browser = await openBrowser({ locale: 'ko-KR' });
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq="10"]');
      expect(await page.textContent('.events h2')).toContain('이벤트 목록');
      expect(await page.textContent('.side .tabs')).toContain('메일 큐');
      expect(await page.textContent('.figure')).toContain('네임 서버 (bind9)');
      expect(await page.textContent('.events tbody')).toContain('메일 큐에');
      await page.click('[data-figure="detail"]');
      for (const word of ['센드메일 서비스', '메일 큐', 'MDA', '메일 박스', 'dovecot 서비스']) expect(await page.textContent('.figure')).toContain(word);
      await screenshot(page, 'detail-ko');
      await page.click('[data-figure="overview"]');
      await screenshot(page, 'overview-ko');
      await page.keyboard.press('l');
      await page.waitForSelector('.events h2:text("Event list")');
      expect(await page.textContent('.events tbody')).toContain('Queued');
      await page.click('[data-action="lang"]');
      await page.waitForSelector('.events h2:text("이벤트 목록")');
      await page.click('[data-action="projector"]');
      expect(await page.getAttribute('body', 'class')).toContain('projector');
      await screenshot(page, 'projector-ko');
      await page.keyboard.press('?');
      expect(await page.textContent('.dialog')).toContain('Enter, Space, →: 다음');
    } finally {
      await browser.close();
    }
  });
});
