import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { startWebLab } from './web-lab.ts';
import { ROOT } from '../cli/cli-helpers.ts';

const run = promisify(execFile);

describe.skipIf(chromiumMissing)(`the page in step mode${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  it('holds the letter before each hop; Next on the page releases ④⑤ while mailq shows the letter in Server-B\'s queue', async () => {
    const lab = await startWebLab(['--step', '--lang', 'en']);
    const browser = await openBrowser();
    try {
      const { page } = browser;
      await page.goto(lab.url);
      // Enter on the page moves on, hop by hop, until ④⑤ is the one held
      for (;;) {
        await page.waitForSelector('.held');
        const held = (await page.textContent('.held'))!;
        if (held.includes('sendmail ④⑤')) break;
        await page.keyboard.press('Enter');
        await page.waitForFunction((before) => document.querySelector('.held')?.textContent !== before, held);
      }
      expect(await page.textContent('.held')).toContain('Server-B (192.168.111.200) → Server (192.168.111.100)');
      // the real sendmail-style mailq, from another process, sees the letter waiting
      const mailq = await run(process.execPath, [path.join(ROOT, 'lab', 'mta', 'mailq.ts'), '--data', lab.data, '--host', 'Server-B'], { cwd: ROOT });
      expect(mailq.stdout).toMatch(/Server-B .*\(1 request\)/);
      expect(mailq.stdout).toContain('<lee@naver.com>');
      await page.click('[data-tab="queue"]');
      await page.waitForSelector('.queue[data-host="Server-B"] tr[data-queue-id]');
      await page.click('[data-tab="mailboxes"]');
      expect(await page.textContent('.mailbox[data-mailbox="Server/lee"]')).toContain('no mail');
      expect(await page.$$eval('.figure .hop-held', (h) => h.length)).toBe(1);
      await screenshot(page, 'step-held-4-5');
      // Next releases ④⑤: it happens, and the page shows it; the next hop is held
      await page.click('.held button[data-action="release"]');
      await page.waitForSelector('.events tr.numbered:has(td.step:text-is("④⑤"))');
      await page.waitForFunction(() => /sendmail ⑥⑦/.test(document.querySelector('.held')?.textContent ?? ''));
      // Back shows the previous hop again (④⑤) without moving the lab
      await page.click('[data-tab="details"]');
      await page.keyboard.press('ArrowLeft');
      expect(await page.textContent('.details .hop-head')).toContain('sendmail ④⑤');
      expect(await page.textContent('.held')).toContain('sendmail ⑥⑦');
      // the terminal's key works too: whichever comes first wins
      lab.cli.type('');
      await page.waitForSelector('.events tr.numbered:has(td.step:text-is("⑥⑦"))');
      // step mode off from the page lets the rest of the journey run
      await page.click('label.switch input[name="step"]');
      await page.waitForSelector('.events tr.numbered:has(td.step:text-is("⑨⑩"))');
      await lab.cli.waitFor(/PASS: \d+ of \d+ expectations held/);
      await page.click('[data-tab="mailboxes"]');
      await page.waitForSelector('.mailbox[data-mailbox="Server/lee"] .letter-row');
      await screenshot(page, 'step-done');
    } finally {
      await browser.close();
      await lab.stop();
    }
  });
});
