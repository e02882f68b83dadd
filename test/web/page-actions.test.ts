import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { startWebLab } from './web-lab.ts';

describe.skipIf(chromiumMissing)(`the page drives the lab${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab(['--lang', 'en']);
    await lab.cli.waitFor(/PASS: \d+ of \d+ expectations held/);
  });
  afterAll(() => lab?.stop());

  it('sends a letter written on the page from WinClient; it reaches lee\'s mailbox view, decoded; a reply goes back to kim', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq]');
      await page.click('[data-action="compose"]');
      await page.selectOption('.compose select[name="from"]', 'WinClient');
      await page.fill('.compose input[name="to"]', 'lee@naver.com');
      await page.fill('.compose input[name="subject"]', '웹에서 보낸 메일: 과제 제출');
      await page.fill('.compose textarea[name="body"]', '이순신님, 페이지에서 보냅니다.\nHello from the page.');
      await screenshot(page, 'compose');
      await page.click('.compose button[type="submit"]');
      await page.click('[data-tab="mailboxes"]');
      const row = page.locator('.mailbox[data-mailbox="Server/lee"] .letter-row', { hasText: '웹에서 보낸 메일: 과제 제출' });
      await row.waitFor();
      await row.click();
      await page.waitForSelector('.dialog .letter-view');
      const letter = (await page.textContent('.dialog .letter-view'))!;
      expect(letter).toContain('이순신님, 페이지에서 보냅니다.');
      expect(letter).toMatch(/Subject\s*웹에서 보낸 메일: 과제 제출/);
      expect(await page.textContent('.dialog tr.added')).toContain('by mail.naver.com');
      expect(await page.textContent('.dialog pre.raw')).toMatch(/Subject: =\?UTF-8\?/);
      await screenshot(page, 'mailbox-letter');
      await page.click('.dialog button.primary'); // Reply (from Client, lee's PC)
      expect(await page.inputValue('.compose input[name="to"]')).toBe('kim@daum.net');
      expect(await page.inputValue('.compose input[name="subject"]')).toBe('Re: 웹에서 보낸 메일: 과제 제출');
      await page.click('.compose button[type="submit"]');
      await page.locator('.mailbox[data-mailbox="Server-B/kim"] .letter-row', { hasText: 'Re: 웹에서 보낸 메일' }).waitFor();
    } finally {
      await browser.close();
    }
  });

  it('with Server down the letter waits in Server-B\'s queue, deferred; Server up and a flush deliver it', async () => {
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq]');
      await page.click('[data-tab="actions"]');
      await page.click('.actions tr[data-host="Server"] button[data-fault="host-down"]');
      await page.waitForSelector('.figure g.host.down[data-host="Server"]');
      await page.click('[data-action="compose"]');
      await page.selectOption('.compose select[name="from"]', 'WinClient');
      await page.fill('.compose input[name="to"]', 'lee@naver.com');
      await page.fill('.compose input[name="subject"]', 'Server is down');
      await page.click('.compose button[type="submit"]');
      await page.click('[data-tab="queue"]');
      const queued = page.locator('.queue[data-host="Server-B"] tr[data-queue-id]', { hasText: 'lee@naver.com' });
      await queued.locator('.rcpt-deferred').waitFor();
      expect(await queued.textContent()).toMatch(/ECONNREFUSED|refused|connect/i);
      await page.waitForSelector('.events tr.bad.deferred');
      await screenshot(page, 'server-down-deferred');
      await page.click('[data-tab="actions"]');
      await page.click('.actions tr[data-host="Server"] button[data-fault="host-up"]');
      await page.waitForSelector('.figure g.host[data-host="Server"]:not(.down)');
      await page.click('.actions button[data-flush="Server-B"]');
      await page.click('[data-tab="mailboxes"]');
      await page.locator('.mailbox[data-mailbox="Server/lee"] .letter-row', { hasText: 'Server is down' }).waitFor();
      await page.click('[data-tab="queue"]');
      await page.waitForSelector('.queue[data-host="Server-B"] p.muted');
      await screenshot(page, 'server-up-delivered');
    } finally {
      await browser.close();
    }
  });
});
