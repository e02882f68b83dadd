import { fs } from '../node-builtins.ts';
import type { TraceBus } from './trace-bus.ts';

/** `--trace FILE`: every hop event as one JSON line, written as it happens. */
export function writeJsonLines(trace: TraceBus, file: string): { close(): Promise<void> } {
  const out = fs.createWriteStream(file, { flags: 'w' });
  for (const event of trace.events) out.write(`${JSON.stringify(event)}\n`);
  const off = trace.on((event) => out.write(`${JSON.stringify(event)}\n`));
  return {
    close: () =>
      new Promise<void>((resolve, reject) => {
        off();
        out.end((err?: Error | null) => (err ? reject(err) : resolve()));
      }),
  };
}
