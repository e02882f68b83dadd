import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Debian's chromium, driven by playwright-core (no browser download). Without the
// background-networking flags Chromium keeps calling out to a network this machine does not have.

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const chromiumMissing = fs.existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;

export const SCREENSHOTS = path.join(import.meta.dirname, '..', '..', '.tmp', 'screenshots');

export async function openBrowser(options: { locale?: string; width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: options.locale ?? 'en-US',
    viewport: { width: options.width ?? 1600, height: options.height ?? 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  let sawModuleCancelled = false;
  page.on('pageerror', (err) => {
    // A load whose module request Chromium cancelled (below) can report its failed import after
    // the navigation that replaced it has begun: that one message is the cancelled load's, not
    // the page's (a page that really cannot load its modules stays empty, and the test's own
    // waits fail on it; a module the server does not have is a 404, not a failed request).
    if (sawModuleCancelled && /^Failed to fetch dynamically imported module/.test(err.message)) return;
    errors.push(err.message);
  });
  // Other tests running beside this one make and remove Docker networks (the containers
  // runtime): Chromium sees the host's network change and cancels requests under way with
  // net::ERR_NETWORK_CHANGED, so a page module fails to load and the page stays empty. A
  // navigation that met that is made again (at most three times); no other failure is retried.
  let networkChanged = false;
  page.on('requestfailed', (request) => {
    if (request.failure()?.errorText === 'net::ERR_NETWORK_CHANGED') networkChanged = true;
    if (/\/(page|vendor)\//.test(new URL(request.url()).pathname)) sawModuleCancelled = true;
  });
  const again = <A extends unknown[], R>(navigate: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      networkChanged = false;
      const response = await navigate(...args);
      if (!networkChanged || attempt === 3) return response;
      errors.length = 0; // what the cancelled load threw belongs to it, not to the page
    }
  };
  page.goto = again(page.goto.bind(page));
  page.reload = again(page.reload.bind(page));
  return {
    context,
    page,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
      if (errors.length) throw new Error(`the page threw: ${errors.join('; ')}`);
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The event list's rows as "overview/sendmail kind from->to". */
export async function listedSteps(page: Page): Promise<string[]> {
  return page.$$eval('.events tbody tr[data-seq]', (rows) => rows.map((r) => r.querySelectorAll('td.step')[1]?.textContent ?? '').filter(Boolean));
}
