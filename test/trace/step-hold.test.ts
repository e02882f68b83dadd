import { describe, it, expect, vi, afterEach } from 'vitest';
import { TraceBus, type HopPreview } from '../../lab/trace/trace-bus.ts';
import { HoldAborted, type HoldNews } from '../../lab/trace/step-hold.ts';
import { STEPS } from '../../lab/trace/steps.ts';
import type { StepLabels } from '../../lab/trace/hop-event.ts';

const preview = (steps: StepLabels = STEPS.relay): HopPreview => ({ kind: 'relay', from: 'Server-B', to: 'Server', steps, protocol: 'SMTP', summary: { ko: '전송', en: 'relay' } });

afterEach(() => {
  vi.useRealTimers();
});

describe('the step hold', () => {
  it('lets every hop through while step mode is off, and unnumbered hops always', async () => {
    const trace = new TraceBus();
    await trace.hold(preview());
    trace.stepHold.setStepMode(true);
    await trace.hold({ ...preview(), steps: undefined });
    expect(trace.stepHold.held()).toEqual([]);
  });

  it('tells every listener what is held, lets the first controller release it, and answers a late listener', async () => {
    const trace = new TraceBus();
    const a: HoldNews[] = [];
    const b: HoldNews[] = [];
    trace.stepHold.on((n) => a.push(n));
    trace.stepHold.on((n) => b.push(n));
    trace.stepHold.setStepMode(true, 'web');
    let passed = 0;
    const first = trace.hold(preview(STEPS.mxLookup)).then(() => passed++);
    const second = trace.hold(preview(STEPS.relay)).then(() => passed++);
    expect(b).toEqual(a);
    expect(a.map((n) => n.type)).toEqual(['step-mode', 'held', 'held']);
    const held = trace.stepHold.held();
    expect(held.map((h) => h.preview.steps?.sendmail)).toEqual(['3', '4-5']);
    // two controllers press "next" on the same hop: one hop moves
    expect(trace.stepHold.release(held[0].id, 'terminal')?.id).toBe(held[0].id);
    expect(trace.stepHold.release(held[0].id, 'web')).toBeUndefined();
    await first;
    expect(passed).toBe(1);
    const released = a.find((n) => n.type === 'released');
    expect(released).toMatchObject({ type: 'released', by: 'terminal', hop: { id: held[0].id }, held: [{ id: held[1].id }] });
    expect(trace.stepHold.held().map((h) => h.id)).toEqual([held[1].id]);
    trace.stepHold.releaseAll('web');
    await second;
    expect(passed).toBe(2);
    expect(trace.stepHold.stepMode).toBe(false);
  });

  it('quit fails the held hops and every later hold with HoldAborted', async () => {
    const trace = new TraceBus();
    trace.stepHold.setStepMode(true);
    const held = trace.hold(preview());
    trace.stepHold.quit('terminal');
    await expect(held).rejects.toBeInstanceOf(HoldAborted);
    await expect(trace.hold(preview())).rejects.toThrow(/stopped \(by the terminal\) while this hop was held/);
  });

  it('time stands still while a hop is held: waits do not run out, hop times leave the hold out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const trace = new TraceBus();
    trace.report({ kind: 'lab', from: 'Server', to: 'Server', summary: { ko: '시작', en: 'start' } });
    let outcome = 'waiting';
    const wait = trace.waitFor((e) => e.kind === 'mda', 15_000, '"delivered"').then(
      () => (outcome = 'found'),
      (err: Error) => (outcome = err.message),
    );
    vi.advanceTimersByTime(5_000);
    trace.stepHold.setStepMode(true);
    const held = trace.hold(preview());
    // the teacher talks for an hour at ④⑤
    vi.advanceTimersByTime(3_600_000);
    await Promise.resolve();
    expect(outcome).toBe('waiting');
    expect(trace.clock.elapsed()).toBe(5_000);
    expect(trace.clock.heldMs).toBe(3_600_000);
    trace.stepHold.release();
    await held;
    vi.advanceTimersByTime(2_000);
    expect(trace.report({ kind: 'relay', from: 'Server-B', to: 'Server', summary: { ko: '', en: '' } })!.at).toBe(7_000);
    // the rest of the 15 s, in lab time
    vi.advanceTimersByTime(7_999);
    await Promise.resolve();
    expect(outcome).toBe('waiting');
    vi.advanceTimersByTime(1);
    await wait;
    expect(outcome).toMatch(/^timed out after 15000 ms waiting for "delivered"/);
  });
});

describe('the lab clock and sockets', () => {
  it("suspends a tracked socket's idle time-out while a hop is held and arms it again after", async () => {
    const { default: net } = await import('node:net');
    const { LabClock } = await import('../../lab/trace/lab-clock.ts');
    const server = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((server.address() as { port: number }).port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const clock = new LabClock();
    clock.track(socket);
    // nodemailer's socketTimeout, set on the socket as the library does
    socket.setTimeout(60_000);
    clock.pause();
    expect(socket.timeout).toBe(0);
    clock.resume();
    expect(socket.timeout).toBe(60_000);
    socket.destroy();
    server.close();
  });
});
