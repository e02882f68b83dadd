import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumMissing, openBrowser, screenshot, listedSteps } from './browser.ts';
import { runCli } from '../cli/cli-helpers.ts';

describe.skipIf(chromiumMissing)(`the exported recording${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  it('npm run lab -- --exit --export-html FILE writes one file that replays offline from file://, with Back, Next and Play', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-export-'));
    const file = path.join(dir, 'kim-to-lee.html');
    const result = await runCli(['--exit', '--ports', 'auto', '--lang', 'en', '--export-html', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`recording: ${file}`);
    const browser = await openBrowser();
    try {
      const { page, context } = browser;
      // nothing but the file itself (and the data: URLs inside it) may be loaded
      const elsewhere: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        elsewhere.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('.events tr[data-seq]');
      expect(await page.textContent('.toolbar')).toContain('Recording (offline)');
      expect(await listedSteps(page)).toEqual(['①', '②', '③', '③', '④⑤', '⑥⑦', '⑧', '⑨⑩']);
      for (const host of ['WinClient', 'Server-B', 'Server', 'Client']) await page.waitForSelector(`.figure g.host[data-host="${host}"]`);
      // it opens at the first hop; Next and Back walk the hops, with their details
      expect(await page.getAttribute('.details', 'data-seq')).toBe('1');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      expect(await page.getAttribute('.details', 'data-seq')).toBe('3');
      await page.keyboard.press('b');
      expect(await page.getAttribute('.details', 'data-seq')).toBe('2');
      await page.waitForSelector('.details pre.control');
      await page.click('[data-action="next"]');
      expect(await page.getAttribute('.details', 'data-seq')).toBe('3');
      // Play runs to the end by itself
      await page.selectOption('select[name="speed"]', '300');
      await page.click('[data-action="play"]');
      const last = await page.$$eval('.events tbody tr[data-seq]', (rows) => rows.at(-1)!.getAttribute('data-seq'));
      await page.waitForFunction((seq) => document.querySelector('.details')?.getAttribute('data-seq') === seq, last, { timeout: 30_000 });
      await page.click('[data-tab="mailboxes"]');
      await page.click('.mailbox[data-mailbox="Server/lee"] .letter-row');
      await page.waitForSelector('.dialog .letter-view');
      expect(await page.textContent('.dialog .letter-view')).toContain('Hello lee, this letter crossed both mail servers of the lab.');
      await screenshot(page, 'export-offline');
      expect(elsewhere).toEqual([]);
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
