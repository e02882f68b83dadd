import path from 'node:path';
import { ROOT, runNode, type Run } from '../cli/cli-helpers.ts';

export { ROOT };

/** Run `node fuzz/run.ts ARGS` to its end. */
export function runFuzz(args: string[]): Promise<Run> {
  return runNode([path.join(ROOT, 'fuzz', 'run.ts'), ...args]);
}
