// A scenario's durations ("250ms", "2s", "1m", or a number of ms) in ms. Apart from schema.ts,
// which checks them, so that the CLI can use it without zod.
export function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)(ms|s|m)$/.exec(value)!;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}
