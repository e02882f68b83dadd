import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import { startLab, type Lab } from '../../lab/runtime/lab.ts';
import { Lesson } from '../../lab/web/lesson.ts';
import { WebServer } from '../../lab/web/web-server.ts';

// The page's API without a browser: bad input gets a 400 with the reason and changes nothing,
// the file view stays inside the data folder, the live stream catches up by event id.

let lab: Lab;
let web: WebServer;
let url: string;

beforeAll(async () => {
  lab = await startLab({ ports: 'auto', retry: '100ms*3' });
  web = new WebServer(new Lesson(lab, { ports: 'auto' }), { listen: '127.0.0.1', port: 0, lang: 'en' });
  url = await web.start();
});
afterAll(async () => {
  await web?.close();
  await web?.lesson.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

/** Read an SSE stream until `until` says enough; resolves with the messages. */
function stream(headers: Record<string, string>, until: (messages: { id?: string; event: string; data: unknown }[]) => boolean): Promise<{ id?: string; event: string; data: unknown }[]> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL('/api/stream', url), { headers }, (res) => {
      const messages: { id?: string; event: string; data: unknown }[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
          if (fields.event) messages.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        }
        if (until(messages)) {
          req.destroy();
          resolve(messages);
        }
      });
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
  });
}

describe('the page\'s API', () => {
  it('refuses bad input with a 400 that says what was wrong, and changes nothing', async () => {
    const before = lab.trace.events.length;
    const cases: [string, unknown, number, RegExp][] = [
      ['/api/send', { from: 'WinClient', to: 'not an address', subject: 's', body: 'b' }, 400, /"to": an address such as lee@naver.com/],
      ['/api/send', { from: 'Server', to: 'lee@naver.com', subject: 's', body: 'b' }, 400, /Server is not a client PC; client PCs: Client, WinClient/],
      ['/api/send', { from: 'Nobody', to: 'lee@naver.com', subject: 's', body: 'b' }, 400, /no host "Nobody"/],
      ['/api/send', { from: 'WinClient', to: 'lee@naver.com', subject: 's', body: 'b', bcc: 'x@y.z' }, 400, /bcc/],
      ['/api/send', '{"from": "WinClient",', 400, /not JSON/],
      ['/api/fault', { fault: 'host-melt', host: 'Server' }, 400, /fault/],
      ['/api/fault', { fault: 'service-down', host: 'Client', service: 'dns' }, 409, /Client runs no dns service/],
      ['/api/flush', { host: 'Client' }, 400, /Client is not a mail server/],
      ['/api/scenario', { name: '../../etc/passwd' }, 400, /a shipped scenario name/],
      ['/api/scenario', { name: 'no-such-scenario' }, 400, /no shipped scenario "no-such-scenario"; write one of: .*kim-to-lee/],
      ['/api/play', { interval: -5 }, 400, /interval/],
    ];
    for (const [path, body, status, message] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(String(res.body.error)).toMatch(message);
    }
    expect(lab.trace.events.length).toBe(before);
    // every reason in English and Korean: the page shows the one it speaks
    const korean = await post('/api/send', { from: 'Server', to: 'lee@naver.com', subject: 's', body: 'b' });
    expect(korean.body.message).toEqual({ en: korean.body.error, ko: 'Server는 메일 클라이언트가 아닙니다. 메일 클라이언트: Client, WinClient' });
    const address = await post('/api/send', { from: 'WinClient', to: ['lee-at-naver'], subject: 's', body: 'b' });
    expect((address.body.message as { ko: string }).ko).toBe('"to.0": lee@naver.com 같은 메일 주소를 쓰세요');
    expect((await fetch(new URL('/api/send', url))).status).toBe(405);
    const plain = await fetch(new URL('/api/reset', url), { method: 'POST', body: '{}' });
    expect(plain.status).toBe(415); // not JSON: another web site's form cannot post it
    const foreign = await post('/api/reset', {}, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
  });

  it('does an action sent again under its X-Lab-Request ID once, and answers the repeat as the first time', async () => {
    const faults = () => lab.trace.events.filter((e) => (e.detail as { fault?: string } | undefined)?.fault === 'service-down').length;
    const before = faults();
    const down = { fault: 'service-down', host: 'Server', service: 'imap' };
    // two at once (the second comes while the first runs) and one after: one service down
    const id = { 'x-lab-request': 'a1b2c3d4e5f6a7b8c9d0e1f2' };
    const answers = await Promise.all([post('/api/fault', down, id), post('/api/fault', down, id)]);
    answers.push(await post('/api/fault', down, id));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0].status).toBe(200);
    expect(faults()).toBe(before + 1);
    // without the ID the same request is a second action, refused: the service is down already
    const again = await post('/api/fault', down);
    expect(again.status).toBe(409);
    expect(String(again.body.error)).toMatch(/Server runs no imap service/);
    // the same ID for another action, and an ID of the wrong form: refused, nothing done
    const other = await post('/api/fault', { fault: 'service-up', host: 'Server', service: 'imap' }, id);
    expect(other.status).toBe(409);
    expect(other.body.message).toMatchObject({ en: expect.stringMatching(/was the ID of another action \(\/api\/fault\)/), ko: expect.stringMatching(/다른 조작\(\/api\/fault\)에 쓴 ID/) });
    const bad = await post('/api/fault', { fault: 'service-up', host: 'Server', service: 'imap' }, { 'x-lab-request': 'no spaces' });
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toMatch(/X-Lab-Request: 8 to 64 letters, digits/);
    const up = await post('/api/fault', { fault: 'service-up', host: 'Server', service: 'imap' }, { 'x-lab-request': 'another-id-0001' });
    expect(up.status).toBe(200);
  });

  it('serves files under the data folder only', async () => {
    await lab.client('WinClient').send({ to: 'kim@daum.net', subject: 'local', text: 'a letter that stays on Server-B' });
    const letters = await lab.mailbox('Server-B', 'kim');
    const rel = letters[0].file.slice(lab.dataDir.length + 1);
    const ok = await fetch(new URL(`/api/file?path=${encodeURIComponent(rel)}`, url));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { content: string }).content).toContain('a letter that stays on Server-B');
    for (const bad of ['../../../../etc/passwd', '/etc/passwd', 'Server-B/../../outside', `${lab.dataDir}/../x`]) {
      const res = await fetch(new URL(`/api/file?path=${encodeURIComponent(bad)}`, url));
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain('outside the lab\'s data folder');
    }
    const traversal = await fetch(new URL('/page/..%2f..%2flab.ts', url));
    expect(traversal.status).toBe(404);
    const letter = await fetch(new URL(`/api/letter?${new URLSearchParams({ host: 'Server-B', user: 'kim', id: '../../../etc/passwd' })}`, url));
    expect(letter.status).toBe(404);
  });

  it('streams every hop with its seq as the event id; a reconnect with Last-Event-ID gets exactly the hops it missed; two browsers at once', async () => {
    const first = lab.trace.events.at(-1)!.seq;
    const a = stream({}, (m) => m.filter((x) => x.event === 'hop').length >= first);
    const b = stream({}, (m) => m.filter((x) => x.event === 'hop').length >= first);
    const [ma, mb] = await Promise.all([a, b]);
    expect(ma[0].event).toBe('hello');
    expect(ma.filter((x) => x.event === 'hop').map((x) => Number(x.id))).toEqual(lab.trace.events.map((e) => e.seq));
    expect(mb.filter((x) => x.event === 'hop').length).toBe(ma.filter((x) => x.event === 'hop').length);
    // while this browser was away, another letter went
    await lab.client('WinClient').send({ to: 'lee@naver.com', subject: 'while away', text: '...' });
    await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'while away');
    const missed = lab.trace.events.filter((e) => e.seq > first).map((e) => e.seq);
    const again = await stream({ 'last-event-id': String(first) }, (m) => m.filter((x) => x.event === 'hop').length >= missed.length);
    // exactly the missed ones, in order, none twice (a later hop, the queue's clean-up, may follow)
    const ids = again.filter((x) => x.event === 'hop').map((x) => Number(x.id));
    expect(ids.slice(0, missed.length)).toEqual(missed);
    expect(ids).toEqual(ids.map((_, i) => first + 1 + i));
  });

  it('answers a hop\'s details with the files as the hop left them, and a letter decoded', async () => {
    const queued = lab.trace.events.find((e) => e.kind === 'queue' && e.steps?.sendmail === '2' && e.from === 'Server-B')!;
    const res = await fetch(new URL(`/api/hop?seq=${queued.seq}`, url));
    const details = await res.json() as { files: { kind: string; content?: string; control?: { envelope: { from: string } }; letter?: { headers: { name: string; added?: boolean; value: string }[] } }[] };
    // the queue files are long gone from the disk (the letter left), but their content was kept
    const qf = details.files.find((f) => f.kind === 'qf')!;
    expect(qf.control!.envelope.from).toBe('kim@daum.net');
    const df = details.files.find((f) => f.kind === 'df')!;
    expect(df.letter!.headers.find((h) => h.added)!.value).toMatch(/by mail\.daum\.net/);
    expect((await fetch(new URL('/api/hop?seq=abc', url))).status).toBe(400);
    expect((await fetch(new URL('/api/hop?seq=999999', url))).status).toBe(404);
  });

  it('needs the token for actions when the page is served with one; watching needs none', async () => {
    const guarded = new WebServer(web.lesson, { listen: '127.0.0.1', port: 0, lang: 'en', token: 'secret-token' });
    const base = await guarded.start();
    try {
      const refused = await fetch(new URL('/api/flush', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"host":"Server-B"}' });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: string }).error).toContain('token');
      const allowed = await fetch(new URL('/api/flush', base), { method: 'POST', headers: { 'content-type': 'application/json', 'x-lab-token': 'secret-token' }, body: '{"host":"Server-B"}' });
      expect(allowed.status).toBe(200);
      const model = await (await fetch(new URL('/api/lab', base))).json() as { canAct: boolean; tokenRequired: boolean };
      expect(model).toMatchObject({ canAct: false, tokenRequired: true });
    } finally {
      await guarded.close();
    }
  });

  it('resets the lab to a clean data folder at the same ports', async () => {
    const smtp = web.lesson.lab.port('Server-B', 'smtp');
    const res = await post('/api/reset', {});
    expect(res.status).toBe(200);
    expect(web.lesson.lab.port('Server-B', 'smtp')).toBe(smtp);
    expect(await web.lesson.lab.mailbox('Server', 'lee')).toEqual([]);
    const events = await (await fetch(new URL('/api/events', url))).json() as unknown[];
    expect(events).toEqual([]);
  });

  it('runs a shipped scenario again and again from the page, each time on a fresh lab, and refuses a second one while the first runs', async () => {
    for (const round of [1, 2]) {
      const done = new Promise<void>((resolve) => {
        const off = web.lesson.onChange(() => {
          if (web.lesson.scenario?.name === 'server-down-then-up' && web.lesson.scenario.state !== 'running') {
            off();
            resolve();
          }
        });
      });
      const res = await post('/api/scenario', { name: 'server-down-then-up' });
      expect(res.status, `round ${round}`).toBe(202);
      const busy = await post('/api/scenario', { name: 'kim-to-lee' });
      expect(busy.status).toBe(409);
      expect((busy.body.message as { ko: string }).ko).toBe('server-down-then-up 시나리오가 아직 실행 중입니다. 끝날 때까지 기다리세요');
      await done;
      expect(web.lesson.scenario, `round ${round}: ${JSON.stringify(web.lesson.scenario)}`).toMatchObject({ state: 'done' });
      expect(web.lesson.scenario!.expectations!.every((e) => e.ok)).toBe(true);
    }
  });
});
