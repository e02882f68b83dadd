import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chromiumMissing, openBrowser } from './browser.ts';
import { startWebLab } from './web-lab.ts';
import type { Page } from 'playwright-core';

// Chromium cancels requests under way when the computer's network changes (Docker making a
// network, a laptop on another Wi-Fi). The page sends such an action again under its own ID and
// the lab does it once (lab/web/repeated-actions.ts); a lab it cannot reach is said so, in the
// page's language. Here the browser itself loses the requests (Playwright's routes): the first
// answer to a letter after the lab took it, and every flush before it leaves.

describe.skipIf(chromiumMissing)(`the page sends a lost action again${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab(['--lang', 'ko']);
    await lab.cli.waitFor(/\n성공: /); // the Korean result line: every expectation held
  });
  afterAll(() => lab?.stop());

  /** a letter from WinClient to lee, written on the page and sent */
  async function write(page: Page, subject: string): Promise<void> {
    await page.click('[data-action="compose"]');
    await page.selectOption('.compose select[name="from"]', 'WinClient');
    await page.fill('.compose input[name="to"]', 'lee@naver.com');
    await page.fill('.compose input[name="subject"]', subject);
    await page.click('.compose button[type="submit"]');
  }

  /** hops of a letter handed from WinClient to its mail server (step ①), from the page's API */
  async function submissions(): Promise<number> {
    const events = await (await fetch(new URL('/api/events', lab.url))).json() as { kind: string; from: string; steps?: unknown }[];
    return events.filter((e) => e.kind === 'smtp' && e.from === 'WinClient' && e.steps).length;
  }

  it('a letter whose answer was lost is sent again under the same ID and arrives once; a lab out of reach is said in Korean', async () => {
    const browser = await openBrowser({ locale: 'ko-KR' });
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq]');
      const before = await submissions();

      // the lab takes the letter, the page never hears its answer
      const sends: string[] = [];
      await page.route('**/api/send', async (route) => {
        sends.push(route.request().headers()['x-lab-request']);
        if (sends.length > 1) return route.continue();
        const answer = await route.fetch();
        expect(answer.status()).toBe(202);
        await route.abort('connectionreset');
      });
      await write(page, '한 번만 가야 하는 메일');
      await page.waitForSelector('.compose', { state: 'detached' });
      expect(sends).toHaveLength(2);
      expect(sends[0]).toMatch(/^[0-9a-f]{24}$/);
      expect(sends[1]).toBe(sends[0]);
      expect(await page.locator('.toast.bad').count()).toBe(0);

      // a second letter, not lost, after it: when it is in lee's mailbox the first one is too,
      // and it is there once (a second copy would have set off before this letter was written)
      await page.unroute('**/api/send');
      await write(page, '그 다음 메일');
      await page.click('[data-tab="mailboxes"]');
      const lee = page.locator('.mailbox[data-mailbox="Server/lee"]');
      await lee.locator('.letter-row', { hasText: '그 다음 메일' }).waitFor();
      await lee.locator('.letter-row', { hasText: '한 번만 가야 하는 메일' }).first().waitFor();
      expect(await lee.locator('.letter-row', { hasText: '한 번만 가야 하는 메일' }).count()).toBe(1);
      expect(await submissions()).toBe(before + 2);

      // the lab out of reach: five tries, one ID, then the reason in the page's language
      const flushes: string[] = [];
      await page.route('**/api/flush', (route) => {
        flushes.push(route.request().headers()['x-lab-request']);
        return route.abort('internetdisconnected');
      });
      await page.click('[data-tab="actions"]');
      await page.click('.actions button[data-flush="Server-B"]');
      const toast = page.locator('.toast.bad', { hasText: '실습망에 연결할 수 없습니다' });
      await toast.waitFor();
      expect(flushes).toHaveLength(5);
      expect(new Set(flushes).size).toBe(1);
      // no English but the command's name (not the browser's "Failed to fetch")
      expect((await toast.textContent())!.replace('npm run lab', '')).not.toMatch(/[A-Za-z]/);
    } finally {
      await browser.close();
    }
  });
});
