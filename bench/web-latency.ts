// The page's latency: from a hop reported on the trace bus to its row in the event list of a
// real browser (Debian's chromium through playwright-core), over the live stream (SSE).
//   npm run bench -- --only web        (or: node bench/web-latency.ts)
// Both clocks are this machine's wall clock: performance.timeOrigin + performance.now() in Node
// and in the page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startLab } from '../lab/runtime/lab.ts';
import { Lesson } from '../lab/web/lesson.ts';
import { WebServer } from '../lab/web/web-server.ts';
import { TraceBus } from '../lab/trace/trace-bus.ts';

const now = () => performance.timeOrigin + performance.now();

export async function benchWebLatency(letters = 50): Promise<Record<string, number> | string> {
  if (!fs.existsSync('/usr/bin/chromium')) return 'no /usr/bin/chromium (apt-get install chromium)';
  const trace = new TraceBus();
  const reported = new Map<number, number>();
  trace.on((e) => reported.set(e.seq, now())); // before the page's listener: the bus calls in order
  const lab = await startLab({ ports: 'auto', trace });
  const web = new WebServer(new Lesson(lab, { ports: 'auto' }), { listen: '127.0.0.1', port: 0, lang: 'en' });
  const url = await web.start();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await page.waitForSelector('.events');
    // the page notes when each row appears (a MutationObserver runs right after the DOM changed)
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: Record<string, number> }).seen = seen;
      new MutationObserver(() => {
        const t = performance.timeOrigin + performance.now();
        for (const row of document.querySelectorAll('.events tr[data-seq]')) seen[row.getAttribute('data-seq')!] ??= t;
      }).observe(document.querySelector('.events')!, { childList: true, subtree: true });
    });
    const from = trace.events.at(-1)?.seq ?? 0;
    for (let i = 0; i < letters; i += 5) {
      await Promise.all(Array.from({ length: Math.min(5, letters - i) }, (_, k) => lab.client('WinClient').send({ to: 'lee@naver.com', subject: `bench ${i + k}`, text: 'x' })));
    }
    await lab.waitFor((e) => e.kind === 'mda' && e.to === 'Server' && JSON.stringify(e.detail).includes('lee') && trace.events.filter((x) => x.kind === 'mda' && x.seq > from).length >= letters, 60_000);
    const last = trace.events.at(-1)!.seq;
    await page.waitForSelector(`.events tr[data-seq="${last}"]`, { timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen);
    const delays = [...reported].filter(([seq]) => seq > from && seen[seq] !== undefined).map(([seq, t]) => seen[seq] - t).sort((a, b) => a - b);
    const at = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))];
    return { hops: delays.length, 'median ms': at(0.5), 'p90 ms': at(0.9), 'max ms': delays.at(-1)!, 'rows in the list at the end': Object.keys(seen).length };
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
    await web.close();
    await web.lesson.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await benchWebLatency(Number(process.argv[2] ?? 50)));
}
