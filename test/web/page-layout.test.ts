import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { startWebLab } from './web-lab.ts';

// A topology the page was not drawn for: a third domain (kakao.com on Server-C, park, park's PC
// MacClient) and a name server on a host of its own (NS). The figures must lay it out by
// themselves: every host drawn, no box over another, no words over other words or over a line,
// and the letter to kakao.com travelling from Server-B to Server-C without crossing Server.

const SCENARIO = path.join(import.meta.dirname, 'three-domains', 'to-kakao.yaml');
const HOSTS = ['NS', 'Server', 'Server-B', 'Server-C', 'Client', 'WinClient', 'MacClient'];

interface Rect { x: number; y: number; w: number; h: number; what: string }

/** The drawn boxes and words of the figure, in page pixels. */
async function drawing(page: Page) {
  return page.evaluate(() => {
    const rect = (el: Element, what: string) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height, what };
    };
    const hostOf = (el: Element) => el.closest('[data-host]')?.getAttribute('data-host') ?? '';
    return {
      hosts: [...document.querySelectorAll('.figure g.host')].map((g) => rect(g.querySelector(':scope > rect')!, g.getAttribute('data-host')!)),
      // each word with the box it is written in (a host, a part inside it, a name server)
      words: [...document.querySelectorAll('.figure g.host text, .figure g.nameserver text, .figure .part text')].map((t) => ({
        ...rect(t, `${hostOf(t) || t.closest('[data-nameserver]')?.getAttribute('data-nameserver')}: ${t.textContent}`),
        box: rect(t.closest('g.part, g.nameserver, g.host')!.querySelector(':scope > rect')!, ''),
      })),
      boxes: [...document.querySelectorAll('.figure g.nameserver > rect, .figure .part > rect')].map((r) => rect(r, `${hostOf(r)} ${r.parentElement!.getAttribute('data-part') ?? 'name server'}`)),
      badges: [...document.querySelectorAll('.figure .hop-number .badge rect')].map((r) => rect(r, `badge ${r.closest('[data-step]')!.getAttribute('data-step')}`)),
      // points along every hop line, and the host boxes it starts and ends in
      lines: [...document.querySelectorAll('.figure g.hop path')].map((p) => {
        const path = p as SVGPathElement;
        const matrix = path.getScreenCTM()!;
        const length = path.getTotalLength();
        const points = [];
        for (let d = 0; d <= length; d += 6) {
          const q = path.getPointAtLength(d);
          points.push({ x: matrix.a * q.x + matrix.c * q.y + matrix.e, y: matrix.b * q.x + matrix.d * q.y + matrix.f });
        }
        const g = p.closest('g.hop')!;
        return { from: g.getAttribute('data-from')!, to: g.getAttribute('data-to')!, step: g.getAttribute('data-step')!, points };
      }),
    };
  });
}

const overlap = (a: Rect, b: Rect, margin = 0) => a.x + margin < b.x + b.w && b.x + margin < a.x + a.w && a.y + margin < b.y + b.h && b.y + margin < a.y + a.h;
const contains = (outer: Rect, r: Rect) => r.x >= outer.x - 1 && r.y >= outer.y - 1 && r.x + r.w <= outer.x + outer.w + 1 && r.y + r.h <= outer.y + outer.h + 1;
const inside = (p: { x: number; y: number }, r: Rect) => p.x > r.x && p.x < r.x + r.w && p.y > r.y && p.y < r.y + r.h;

function overlaps(rects: Rect[], margin = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) if (overlap(rects[i], rects[j], margin)) out.push(`${rects[i].what} / ${rects[j].what}`);
  return out;
}

async function checkFigure(page: Page, figure: string, hosts = HOSTS) {
  const d = await drawing(page);
  expect(d.hosts.map((h) => h.what).sort(), figure).toEqual([...hosts].sort());
  expect(overlaps(d.hosts), `${figure}: host boxes over each other`).toEqual([]);
  expect(overlaps(d.words), `${figure}: words over each other`).toEqual([]);
  // every word inside the box it belongs to
  for (const w of d.words) expect(contains(w.box, w), `${figure}: "${w.what}" outside its box`).toBe(true);
  // the parts and name servers do not cover other words, each other, or other hosts
  expect(overlaps(d.boxes), `${figure}: parts over each other`).toEqual([]);
  const wordsOver = d.boxes.flatMap((b) => d.words.filter((w) => overlap(b, w) && !contains(b, w)).map((w) => `${b.what} / ${w.what}`));
  expect(wordsOver, `${figure}: a part or name server over words`).toEqual([]);
  expect(overlaps(d.badges), `${figure}: step badges over each other`).toEqual([]);
  const badgeOverWords = d.badges.flatMap((b) => d.words.filter((w) => overlap(b, w)).map((w) => `${b.what} / ${w.what}`));
  expect(badgeOverWords, `${figure}: a step badge over words`).toEqual([]);
  // no hop line runs over the words of a box
  for (const line of d.lines) {
    const crossed = d.words.filter((w) => line.points.some((p) => inside(p, w))).map((w) => w.what);
    expect(crossed, `${figure}: the line ${line.step} ${line.from} → ${line.to} runs over words`).toEqual([]);
  }
  return d;
}

describe.skipIf(chromiumMissing)(`the page lays out a lab with a third domain and a name server of its own${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab(['--scenario', SCENARIO, '--lang', 'en']);
    await lab.cli.waitFor(/PASS: \d+ of \d+ expectations held/);
  });
  afterAll(() => lab?.stop());

  for (const [width, height] of [[1280, 800], [1024, 768]]) {
    it(`draws every host without boxes or words over each other, in both figures (${width}x${height}); the letter to kakao.com travels from Server-B to Server-C`, async () => {
      const browser = await openBrowser({ width, height });
      try {
        const { page } = browser;
        await page.goto(lab.url);
        await page.waitForSelector('.events tr[data-seq]');
        await page.locator('.events tr.numbered', { hasText: '⑨⑩' }).click();
        await checkFigure(page, 'overview');
        await screenshot(page, `three-domains-overview-${width}`);
        // the relay to kakao.com: the letter leaves Server-B and arrives at Server-C, never over Server
        await page.locator('.events tr.numbered', { hasText: '④⑤' }).click();
        const d = await checkFigure(page, 'overview at ④⑤');
        const relay = d.lines.find((l) => l.step === '3' && l.from === 'Server-B' && l.to === 'Server-C');
        expect(relay, 'the relay line is drawn').toBeDefined();
        // The path the envelope's animation follows (its animateMotion's own path), sampled at 21
        // points in page coordinates: the same path on a loaded machine that drops frames.
        const track = await page.evaluate(() => {
          const motion = document.querySelector('.figure g.letter animateMotion') as SVGAnimationElement;
          const group = motion.parentElement as unknown as SVGGraphicsElement;
          const probe = document.createElementNS('http://www.w3.org/2000/svg', 'path');
          probe.setAttribute('d', motion.getAttribute('path')!);
          group.parentElement!.appendChild(probe);
          const matrix = (group.parentElement as unknown as SVGGraphicsElement).getScreenCTM()!;
          const length = probe.getTotalLength();
          const seen: { x: number; y: number }[] = [];
          for (let i = 0; i <= 20; i++) {
            const p = probe.getPointAtLength((length * i) / 20).matrixTransform(matrix);
            seen.push({ x: p.x, y: p.y });
          }
          probe.remove();
          return seen;
        });
        const box = (name: string) => d.hosts.find((h) => h.what === name)!;
        const near = (p: { x: number; y: number }, r: Rect) => p.x > r.x - 60 && p.x < r.x + r.w + 60 && p.y > r.y - 60 && p.y < r.y + r.h + 60;
        expect(track.length).toBeGreaterThan(3);
        expect(near(track[0], box('Server-B')), `starts at Server-B: ${JSON.stringify(track[0])}`).toBe(true);
        expect(near(track.at(-1)!, box('Server-C')), `ends at Server-C: ${JSON.stringify(track.at(-1))}`).toBe(true);
        expect(track.filter((p) => inside(p, box('Server'))), 'never over Server').toEqual([]);
        await page.click('[data-figure="detail"]');
        await page.waitForSelector('.figure-detail [data-part="dovecot"]');
        await page.locator('.events tr.numbered', { hasText: '⑨⑩' }).click();
        await checkFigure(page, 'detail');
        await screenshot(page, `three-domains-detail-${width}`);
      } finally {
        await browser.close();
      }
    });
  }
});

describe.skipIf(chromiumMissing)(`the seed's own lab keeps its words clear in both figures${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab(['--lang', 'ko'], { LANG: 'ko_KR.UTF-8' });
    await lab.cli.waitFor(/\n성공: /); // the Korean result line: every expectation held
  });
  afterAll(() => lab?.stop());

  it('draws kim-to-lee in Korean at 1024x768 without words over each other or under a line', async () => {
    const browser = await openBrowser({ locale: 'ko-KR', width: 1024, height: 768 });
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr[data-seq]');
      const seed = ['Server', 'Server-B', 'Client', 'WinClient'];
      for (const step of ['④⑤', '⑥⑦', '⑨⑩']) {
        await page.locator('.events tr.numbered', { hasText: step }).click();
        await checkFigure(page, `overview at ${step}`, seed);
      }
      await page.click('[data-figure="detail"]');
      for (const step of ['④⑤', '⑥⑦', '⑨⑩']) {
        await page.locator('.events tr.numbered', { hasText: step }).click();
        await checkFigure(page, `detail at ${step}`, seed);
      }
    } finally {
      await browser.close();
    }
  });
});
