// lab/runtime/heap-growth.ts: what a lab process holds while the lab loads and gives back once it
// is up. Here V8's optimising compiler (TurboFan): off while held, so Node's code that runs once
// per module loaded is not optimised at start; back on after the release, for the load to come.
// In a child process with V8's test functions (--allow-natives-syntax), which say of a function
// whether TurboFan compiled it.
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
