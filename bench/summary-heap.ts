// What a message's index entry costs to build and to keep: summaries of every file in a folder
// (a Maildir's cur/ or new/, or the side-by-side bench's corpus), kept alive as the index keeps
// them, then the heap they hold (whole entries, BODYSTRUCTURE made too). node --expose-gc
// bench/summary-heap.ts DIR [ROUNDS]
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { summarizeCrlf, AddressForms } from '../lab/mailbox/message-summary.ts';

const [dir, roundsArg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!dir || !gc) {
  console.error('usage: node --expose-gc bench/summary-heap.ts DIR [ROUNDS]   (DIR: a folder of message files)');
  process.exit(2);
}
const files = fs.readdirSync(dir).filter((f) => !f.startsWith('.')).map((f) => fs.readFileSync(path.join(dir, f)));
if (!files.length) {
  console.error(`no message files in ${dir}`);
  process.exit(2);
}
// as a Maildir builds its index: one scratch buffer, address forms shared by the folder
const into = Buffer.allocUnsafe(1 << 20);
const forms = new AddressForms();
summarizeCrlf(files[0], forms, into, true);
let kept: unknown[] = [];
for (let round = 0; round < Number(roundsArg ?? 3); round++) {
  kept = [];
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  const start = process.hrtime.bigint();
  kept = files.map((f) => summarizeCrlf(f, forms, into, true).summary);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const bytes = (v8.getHeapStatistics().used_heap_size - before) / kept.length;
  console.log(JSON.stringify({ messages: kept.length, build_ms: Math.round(ms * 10) / 10, heap_bytes_per_summary: Math.round(bytes) }));
}
