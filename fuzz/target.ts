// What a fuzz target is: a generator of cases (grammar-aware: valid sessions or files, then
// mutated) and a harness that runs one case against the real role or loader and then checks
// that it still answers a valid command.
import type { Random } from './random.ts';
import { chunked, mutateBytes } from './mutate.ts';

/** One case, as written to a reproduction file: everything needed to run it again. */
export interface FuzzCase {
  target: string;
  seed: string;
  index: number;
  /** TCP: the bytes the client sends, in the chunks it sends them; UDP: one datagram each */
  chunks?: string[];
  /** loaders: the file's text */
  text?: string;
  /** what the generator made: 'valid' or 'mutated', for the report */
  kind: 'valid' | 'mutated';
}

export type Outcome =
  | { ok: true }
  | { ok: false; failure: 'crash' | 'hang' | 'unresponsive' | 'unexpected-error'; detail: string };

export interface Harness {
  run(c: FuzzCase): Promise<Outcome>;
  /** a valid command on a fresh connection (or a valid file) must still be answered */
  probe(): Promise<Outcome>;
  /** between batches: put the world back (a Maildir emptied, messages delivered again) */
  reset?(): Promise<void>;
  close(): Promise<void>;
}

export interface Target {
  name: string;
  /** cases run at once (network targets overlap their sessions) */
  concurrency: number;
  setup(workDir: string): Promise<Harness>;
  generate(rng: Random, index: number, seed: string): FuzzCase;
}

export const toBase64 = (chunks: Buffer[]): string[] => chunks.map((c) => c.toString('base64'));
export const fromBase64 = (chunks: string[] | undefined): Buffer[] => (chunks ?? []).map((c) => Buffer.from(c, 'base64'));

/**
 * A TCP session case: a valid session from the grammar, mutated more often than not (a line
 * of another session may be spliced in), cut into chunks as a network would.
 */
export function sessionCase(target: string, rng: Random, index: number, seed: string, valid: Buffer, splice: () => string): FuzzCase {
  const mutate = rng.chance(0.6);
  const bytes = mutate ? mutateBytes(rng, valid, 5, [Buffer.from(`${splice()}\r\n`)]) : valid;
  return { target, seed, index, kind: mutate ? 'mutated' : 'valid', chunks: toBase64(chunked(rng, bytes)) };
}
