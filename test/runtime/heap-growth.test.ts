// lab/runtime/heap-growth.ts: what a lab process holds while the lab loads and gives back once it
// is up. Here V8's compilers of machine code (TurboFan and Sparkplug): off while held, so the
// code that runs once while the lab loads is not compiled at start; back on after the release,
// for the load to come. In a child process with V8's test functions (--allow-natives-syntax),
// which say of a function which of V8's tiers runs it.
import { describe, expect, it } from 'vitest';
import { runNode } from '../cli/cli-helpers.ts';

const script = `
const { holdHeapGrowth, releaseHeapGrowth } = await import('./lab/runtime/heap-growth.ts');
const TURBOFANNED = 1 << 6; // V8's OptimizationStatus::kTurboFanned
const made = () => new Function('s', 'let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h;');
const optimised = (f) => {
  %PrepareFunctionForOptimization(f);
  f('warm'); f('warm up');
  %OptimizeFunctionOnNextCall(f);
  f('now');
  return (%GetOptimizationStatus(f) & TURBOFANNED) !== 0;
};
const before = optimised(made());
holdHeapGrowth();
const held = optimised(made());
releaseHeapGrowth();
const after = optimised(made());
console.log(JSON.stringify({ before, held, after }));
`;

describe("V8's optimising compiler while a lab loads", () => {
  it('is off between holdHeapGrowth() and releaseHeapGrowth(), and on before and after', async () => {
    const run = await runNode(['--allow-natives-syntax', '--input-type=module', '-e', script]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ before: true, held: false, after: true });
  });
});

const tiers = `
const { holdHeapGrowth, releaseHeapGrowth } = await import('./lab/runtime/heap-growth.ts');
// V8's OptimizationStatus: kMaglevved, kTurboFanned, kInterpreted, kBaseline (Sparkplug's code)
const MAGLEV = 1 << 5, TURBOFAN = 1 << 6, INTERPRETED = 1 << 7, BASELINE = 1 << 15;
const made = () => new Function('s', 'let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h;');
// called as often as a hot function of a load is; V8 picks its tiers itself
const tier = (f) => {
  for (let i = 0; i < 50000; i++) f('letter ' + (i & 7));
  const status = %GetOptimizationStatus(f);
  return { baseline: (status & BASELINE) !== 0, turbofan: (status & TURBOFAN) !== 0, compiled: (status & (BASELINE | MAGLEV | TURBOFAN)) !== 0 };
};
const before = tier(made());
holdHeapGrowth();
const held = tier(made());
releaseHeapGrowth();
const after = tier(made());
console.log(JSON.stringify({ before, held, after }));
`;

describe("V8's compilers of machine code while a lab loads", () => {
  it('make no Sparkplug or TurboFan code of a hot function between holdHeapGrowth() and releaseHeapGrowth(), and compile it before and after', async () => {
    const run = await runNode(['--allow-natives-syntax', '--input-type=module', '-e', tiers]);
    expect(run.code, run.stderr).toBe(0);
    const { before, held, after } = JSON.parse(run.stdout);
    // Maglev does not wait (heap-growth.ts says why)
    expect(held).toMatchObject({ baseline: false, turbofan: false });
    expect(before.compiled).toBe(true);
    expect(after.compiled).toBe(true);
  });
});
