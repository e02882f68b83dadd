import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { startWebLab } from './web-lab.ts';

// After a few letters the figure shows one letter's path: the latest, or the one a student picks
// (by the picker above the figure, or by clicking one of its hops); the other letters' hops are
// not drawn, and the event list can show that letter's hops alone.

async function drawnLetters(page: Page): Promise<string[]> {
  return page.$$eval('.figure g.hop[data-seq]', (hops) => [...new Set(hops.map((h) => h.getAttribute('data-letter') ?? ''))]);
}

describe.skipIf(chromiumMissing)(`the page shows one letter's path at a time${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab(['--lang', 'en']);
    await lab.cli.waitFor(/PASS: \d+ of \d+ expectations held/);
  });
  afterAll(() => lab?.stop());

  it('draws the latest letter only; a student picks an earlier one by its Message-ID, and the list can show its hops alone', async () => {
    const browser = await openBrowser({ width: 1280, height: 800 });
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq]');
      const send = (body: unknown) => page.evaluate(async (b) => (await fetch('/api/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })).status, body);
      expect(await send({ from: 'WinClient', to: 'lee@naver.com', subject: 'the second letter', body: 'two' })).toBe(202);
      await page.locator('.letter-picker option', { hasText: 'the second letter' }).waitFor({ state: 'attached' });
      expect(await send({ from: 'Client', to: 'kim@daum.net', subject: 'the third letter', body: 'three' })).toBe(202);
      await page.locator('.letter-picker option', { hasText: 'the third letter' }).waitFor({ state: 'attached' });
      await page.waitForSelector('.figure g.hop[data-letter="3"][data-step="4"]');
      // the latest letter only, its whole way so far
      expect(await drawnLetters(page)).toEqual(['3']);
      const options = await page.$$eval('.letter-picker option', (o) => o.map((x) => x.textContent ?? ''));
      expect(options.filter((o) => /✉\d/.test(o))).toHaveLength(3);
      expect(options.find((o) => o.includes('✉1'))).toContain('kim@daum.net → lee@naver.com');
      expect(options.find((o) => o.includes('✉3'))).toContain('the third letter');
      await screenshot(page, 'letters-latest');
      // a student picks the first letter: its path, its last hop's details
      const first = await page.$eval('.letter-picker option[value="1"]', (o) => o.getAttribute('title') ?? '');
      expect(first).toMatch(/^<.+@daum\.net>$/); // the Message-ID
      await page.selectOption('.letter-picker select', '1');
      await page.waitForFunction(() => [...document.querySelectorAll('.figure g.hop[data-seq]')].every((h) => h.getAttribute('data-letter') === '1'));
      // (its last hop may be an unnumbered one: Server-B's queue cleared after lee read the letter)
      const steps = await page.$$eval('.figure g.hop[data-seq]', (hops) => [...new Set(hops.map((h) => h.getAttribute('data-step')))].filter(Boolean).sort());
      expect(steps).toEqual(['1', '2', '3', '4', '5']);
      expect(await page.textContent('.details')).toContain(first);
      // the other letters' rows are dimmed in the list; "this letter only" hides them
      expect(await page.$$eval('.events tbody tr[data-letter="2"]', (rows) => rows.every((r) => getComputedStyle(r).opacity !== '1'))).toBe(true);
      await page.check('.events input[name="letter-only"]');
      expect(await page.$$eval('.events tbody tr[data-seq]', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-letter')))])).toEqual(['1']);
      await screenshot(page, 'letters-picked');
      // clicking a hop of another letter shows that letter
      await page.uncheck('.events input[name="letter-only"]');
      await page.click('.events tbody tr[data-letter="2"]');
      await page.waitForFunction(() => [...document.querySelectorAll('.figure g.hop[data-seq]')].every((h) => h.getAttribute('data-letter') === '2'));
      expect(await page.inputValue('.letter-picker select')).toBe('2');
      // back to following the latest
      await page.selectOption('.letter-picker select', 'latest');
      await page.waitForFunction(() => [...document.querySelectorAll('.figure g.hop[data-seq]')].every((h) => h.getAttribute('data-letter') === '3'));
    } finally {
      await browser.close();
    }
  });
});
