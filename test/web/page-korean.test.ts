import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { startWebLab } from './web-lab.ts';

// Korean is a first language of the page: in Korean mode no English is left in its own words
// (buttons, tabs, table headers, statuses, protocol labels, the API's errors), the seed's terms
// are used (메일 박스, 메일, 네임 서버 ...), and particles fit the Latin names before them.
// What the lab itself says (a hop's summary, a transcript, an address, a command) is not the
// page's wording and is left out of the check.

/** Latin words the page may show in Korean: names from the lab, protocols, commands, the file and header names the lesson teaches. */
const ALLOWED = new Set([
  'mail-lab', 'classroom', 'Server', 'Server-B', 'Client', 'WinClient', 'kim', 'lee', 'English',
  'SMTP', 'DNS', 'POP3', 'IMAP', 'MDA', 'MX', 'ID', 'Message-ID', 'Maildir', 'mailq', 'sendmail', 'sendmail -q', 'dovecot', 'bind9', 'DSN',
  'qf', 'df', 'OK', 'Enter', 'Space', 'Escape', 'b', 'p', 'f', 'l', 'v', 'c', 'n', 'IN', 'Received', 's', 'Re', '--step', '--runtime',
]);

/** The page's own words now on the screen (not the lab's: summaries, transcripts, addresses, code, letters). */
async function pageWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const skip = 'code, pre, .transcript, td.summary, .hop-summary, .held-summary, .scenario-banner li, .letter-view, .compose input, .compose textarea, .zone td, .queue td, .mailbox .subject, .mailbox .letter-row, .dns, .config, option, .why';
    const out: string[] = [];
    const walk = (node: Node) => {
      if (node.nodeType === Node.ELEMENT_NODE) {
        const el = node as Element;
        if (el.matches(skip) || getComputedStyle(el).display === 'none') return;
        if (el.tagName === 'svg') {
          // the figures: only the words the page puts there (part names, notes, labels), not host names and addresses
          for (const t of el.querySelectorAll('.part-name, .part-note, .ns-name, .lan-label, .down-tag')) out.push(t.textContent ?? '');
          return;
        }
        for (const attr of ['title', 'aria-label', 'placeholder']) if (el.getAttribute(attr)) out.push(el.getAttribute(attr)!);
      }
      if (node.nodeType === Node.TEXT_NODE) out.push(node.textContent ?? '');
      for (const child of node.childNodes) walk(child);
    };
    walk(document.body);
    return out.map((t) => t.trim()).filter(Boolean);
  });
}

function english(texts: string[]): string[] {
  const words: string[] = [];
  for (const text of texts) {
    // addresses, host names, file paths, ports and times are the lab's, not words
    const plain = text.replace(/\S*[@./:<>]\S*/g, ' ').replace(/\b[A-Za-z]+-[A-Z]\b/g, ' ').replace(/(^|[\s(])--?[a-z]+/g, ' ');
    for (const m of plain.matchAll(/[A-Za-z][A-Za-z0-9-]*/g)) if (!ALLOWED.has(m[0]) && !ALLOWED.has(m[0].replace(/^-+/, ''))) words.push(`${m[0]} (in "${text}")`);
  }
  return [...new Set(words)];
}

describe.skipIf(chromiumMissing)(`the page in Korean${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab([], { LANG: 'ko_KR.UTF-8' });
    await lab.cli.waitFor(/\n성공: /); // the Korean result line: every expectation held
  });
  afterAll(() => lab?.stop());

  it('leaves no English of its own in Korean mode, uses the seed\'s terms, and fits particles to Latin names', async () => {
    const browser = await openBrowser({ locale: 'ko-KR', width: 1280, height: 800 });
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq]');
      const seen: string[] = [];
      const look = async (where: string) => {
        const words = await pageWords(page);
        seen.push(...words);
        expect(english(words), where).toEqual([]);
      };
      await look('overview');
      await page.click('[data-figure="detail"]');
      await look('detail figure');
      for (const tab of ['details', 'queue', 'mailboxes', 'zones', 'actions']) {
        await page.click(`[data-tab="${tab}"]`);
        await look(`the ${tab} tab`);
      }
      // a hop of each kind: its details
      for (const kind of ['SMTP', 'DNS', '큐', 'MDA', 'POP3']) {
        await page.locator('.events tr', { has: page.locator(`.proto:text-is("${kind}")`) }).first().click();
        await page.waitForSelector('.details .hop-head');
        await look(`details of a ${kind} hop`);
      }
      await page.keyboard.press('?');
      await look('the keys');
      await page.keyboard.press('Escape');
      await page.click('[data-action="compose"]');
      await look('write a letter');
      // an error from the API, in Korean
      await page.fill('.compose input[name="to"]', 'lee-at-naver');
      await page.click('.compose button[type="submit"]');
      const bad = page.locator('.toast.bad');
      await bad.waitFor();
      expect(await bad.textContent()).toMatch(/[가-힣]/);
      await look('an error from the API');
      await screenshot(page, 'korean-error');
      // a letter sent: what the page says names the server with the right particle
      await page.fill('.compose input[name="to"]', 'lee@naver.com');
      await page.click('.compose button[type="submit"]');
      const sent = page.locator('.toast.ok', { hasText: '받았습니다' });
      await sent.waitFor();
      expect(await sent.textContent()).toContain('Server-B가');
      await look('a letter sent');
      // Server down from the page: the toast and the figure say so
      await page.click('[data-tab="actions"]');
      await page.click('.actions tr[data-host="Server"] button[data-fault="host-down"]');
      await page.locator('.toast.ok', { hasText: 'Server를 껐습니다' }).waitFor();
      await look('Server down');
      await page.click('.actions tr[data-host="Server"] button[data-fault="host-up"]');
      await page.locator('.toast.ok', { hasText: 'Server를 다시 켰습니다' }).waitFor();
      // the seed's terms, not others
      const all = seen.join('\n');
      for (const wrong of ['메일함', '편지', '메일 클라이언트 PC', '네임서버', '센드메일서비스']) expect(all, wrong).not.toContain(wrong);
      for (const right of ['메일 박스', '메일 큐', '메일 클라이언트', '네임 서버', '센드메일 서비스', 'dovecot 서비스']) expect(all, right).toContain(right);
      expect(all).not.toMatch(/이\(가\)|을\(를\)|은\(는\)|\(으\)로/);
    } finally {
      await browser.close();
    }
  });
});
