import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { chromiumMissing, openBrowser, screenshot } from './browser.ts';
import { startWebLab } from './web-lab.ts';
import { loadTopology } from '../../lab/topology/load.ts';
import { DEFAULT_TOPOLOGY, Lab } from '../../lab/runtime/lab.ts';
import { ContainerRuntime, containersAvailable } from '../../lab/runtime/containers.ts';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import { Lesson } from '../../lab/web/lesson.ts';
import { WebServer } from '../../lab/web/web-server.ts';

// The page over the containers runtime. Its hosts name their files as the containers see them
// (/data/<Host>/..., each host's bind mount of <data>/<Host>/), merge their hops into the trace
// from their output, and cannot hold a hop (step mode): the page must show those files, and say
// why step mode is not there, in both languages. The first part needs no Docker engine (the
// runtime is the real one, its containers not started: the hop line is the one a container
// prints); the second runs the whole page against real containers where an engine answers.

const MAILDIR_LETTER = 'Return-Path: <kim@daum.net>\r\nReceived: from mail.daum.net by mail.naver.com (192.168.111.100) with ESMTP id qkB1\r\n\tfor <lee@naver.com>\r\nFrom: kim@daum.net\r\nTo: lee@naver.com\r\nSubject: =?UTF-8?B?7Luo7YWM7J2064SI?=\r\nMessage-ID: <c1@daum.net>\r\n\r\n컨테이너에서 온 메일\r\n';

describe.skipIf(chromiumMissing)(`the page over the containers runtime, without an engine${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let data: string;
  let runtime: ContainerRuntime;
  let web: WebServer;
  let url: string;
  beforeAll(async () => {
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-web-containers-'));
    const topology = loadTopology(DEFAULT_TOPOLOGY, { ports: 'auto' });
    runtime = new ContainerRuntime(topology, data, { trace: new TraceBus() });
    web = new WebServer(new Lesson(new Lab(runtime, false), { runtime: 'containers', ports: 'auto', data }), { listen: '127.0.0.1', port: 0, lang: 'ko' });
    url = await web.start();
  });
  afterAll(async () => {
    await web?.close(); // nothing was started: no container to stop
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('shows a file a container names by its /data/<Host>/ path, from the data folder here', async () => {
    const file = path.join(data, 'Server', 'mail', 'lee', 'new', '1796000000.M1P1.vm,S=300');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, MAILDIR_LETTER);
    const hop = { seq: 1, at: 0, kind: 'mda', from: 'Server', to: 'Server', steps: { overview: '4', sendmail: '6-7' }, summary: { ko: '배달', en: 'delivered' }, status: 'ok', files: ['/data/Server/mail/lee/new/1796000000.M1P1.vm,S=300'] };
    const merged = new Promise((resolve) => runtime.trace.on(resolve));
    // the line a host container prints for each hop (container-host.ts), on its log stream
    const stream = new PassThrough();
    (runtime as unknown as { follow(name: string, stream: PassThrough): void }).follow('Server', stream);
    stream.write(`${JSON.stringify({ hop, time: Date.now() })}\n`);
    await merged;
    expect(runtime.localFile('/data/Server/mail/lee/new/x')).toBe(path.join(data, 'Server', 'mail', 'lee', 'new', 'x'));
    expect(runtime.localFile('/etc/passwd')).toBe('/etc/passwd');
    const seq = runtime.trace.events.at(-1)!.seq;
    const details = await (await fetch(new URL(`/api/hop?seq=${seq}`, url))).json() as { files: { path: string; letter?: { subject: string; text: string } }[] };
    expect(details.files.map((f) => f.path)).toEqual(['Server/mail/lee/new/1796000000.M1P1.vm,S=300']);
    expect(details.files[0].letter?.subject).toBe('컨테이너');
    expect(details.files[0].letter?.text).toContain('컨테이너에서 온 메일');
  });

  it('says why step mode is not there, in Korean and in English, and the API refuses it with the same reason', async () => {
    const refused = await fetch(new URL('/api/step', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"on":true}' });
    expect(refused.status).toBe(409);
    const body = await refused.json() as { error: string; message: { ko: string; en: string } };
    expect(body.message.ko).toContain('컨테이너 실행에서는');
    expect(body.error).toContain('containers runtime');
    const browser = await openBrowser({ locale: 'ko-KR', width: 1280, height: 800 });
    try {
      const { page } = browser;
      await page.goto(url);
      await page.waitForSelector('.toolbar .switch.unavailable');
      expect(await page.textContent('.toolbar')).toContain('컨테이너 실행');
      expect(await page.textContent('.toolbar .step-note')).toBe('(컨테이너 실행에서는 안 됨) ⓘ');
      expect(await page.isDisabled('.toolbar input[name="step"]')).toBe(true);
      await page.click('.toolbar .step-note');
      expect(await page.locator('.toast.bad').textContent()).toContain('내장 실행(기본값, --runtime 없이)으로 시작하세요');
      // the queue and mailbox views read the data folder the containers write
      await page.click('[data-tab="mailboxes"]');
      await page.locator('.mailbox[data-mailbox="Server/lee"] .letter-row', { hasText: '컨테이너' }).waitFor();
      await screenshot(page, 'containers-step-ko');
      await page.click('[data-action="lang"]');
      expect(await page.textContent('.toolbar .step-note')).toBe('(not in the containers runtime) ⓘ');
      await page.click('.toolbar .step-note');
      await page.locator('.toast.bad', { hasText: 'Start the lab in the embedded runtime' }).waitFor();
    } finally {
      await browser.close();
    }
  });
});

const noEngine = chromiumMissing ?? (process.env.MAIL_LAB_CONTAINERS === '0' ? 'MAIL_LAB_CONTAINERS=0' : await containersAvailable());

describe.skipIf(noEngine)(`the page over real containers${noEngine ? ` (skipped: ${noEngine})` : ''}`, () => {
  let lab: Awaited<ReturnType<typeof startWebLab>>;
  beforeAll(async () => {
    lab = await startWebLab(['--runtime', 'containers', '--lang', 'en']);
    await lab.cli.waitFor(/PASS: \d+ of \d+ expectations held/);
  }, 300_000);
  afterAll(() => lab?.stop(), 120_000);

  it('shows the hops, the files they touched, the queues and mailboxes; runs a scenario and a reset through the Lab API', async () => {
    const browser = await openBrowser({ width: 1280, height: 800 });
    try {
      const { page } = browser;
      await page.goto(lab.url);
      await page.waitForSelector('.events tr.numbered');
      expect(await page.textContent('.toolbar .step-note')).toBe('(not in the containers runtime) ⓘ');
      // ⑥⑦: the letter in lee's Maildir, read from the data folder the container wrote
      await page.locator('.events tr.numbered', { hasText: '⑥⑦' }).click();
      await page.waitForSelector('.details .file .letter-view');
      expect(await page.textContent('.details .file-head')).toMatch(/Server\/mail\/lee\/new\//);
      await page.click('[data-tab="mailboxes"]');
      await page.waitForSelector('.mailbox[data-mailbox="Server/lee"] .letter-row');
      await page.click('[data-tab="queue"]');
      await page.waitForSelector('.queue[data-host="Server-B"]');
      // a scenario on a fresh lab of containers, then a reset
      await page.click('[data-tab="actions"]');
      await page.selectOption('.actions select[name="scenario"]', 'unknown-user-bounce');
      await page.click('[data-action="run-scenario"]');
      await page.waitForSelector('.scenario-banner.done[data-scenario="unknown-user-bounce"]', { timeout: 240_000 });
      await page.waitForSelector('.events tr:has(.proto:text-is("BOUNCE"))');
      await screenshot(page, 'containers-scenario');
      page.once('dialog', (d) => void d.accept());
      await page.click('[data-tab="actions"]');
      await page.click('[data-action="reset"]');
      await page.waitForSelector('.events td.empty', { timeout: 240_000 });
    } finally {
      await browser.close();
    }
  }, 600_000);
});
