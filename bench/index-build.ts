// A folder's index built cold, as the first FETCH 1:* ENVELOPE of a session builds it: the
// letters of DIR (the side-by-side bench's corpus, or any folder of message files) copied into
// a fresh Maildir, then one entry per letter (open, read, close, summary), in a process of its
// own so that the code runs as cold as in a lab's first session. `--structure` builds what a
// FETCH of BODYSTRUCTURE builds too.
//   node -r ./lab/node-version.cjs bench/index-build.ts DIR [--structure]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Maildir } from '../lab/mailbox/maildir.ts';

const [dir, flag] = process.argv.slice(2);
if (!dir || (flag !== undefined && flag !== '--structure')) {
  console.error('usage: node -r ./lab/node-version.cjs bench/index-build.ts DIR [--structure]   (DIR: a folder of message files)');
  process.exit(2);
}
const files = fs.readdirSync(dir).filter((f) => !f.startsWith('.'));
if (!files.length) {
  console.error(`no message files in ${dir}`);
  process.exit(2);
}
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-index-build-'));
try {
  for (const d of ['new', 'cur', 'tmp']) fs.mkdirSync(path.join(root, d));
  // as another writer leaves them: no ,S= in the names
  for (const f of files) fs.copyFileSync(path.join(dir, f), path.join(root, 'cur', `${f}:2,`));
  const box = new Maildir(root);
  await box.sync();
  const recs = box.messages.slice();
  const start = process.hrtime.bigint();
  const structure = flag === '--structure';
  for (const rec of recs) {
    if (structure) box.entryOf(rec, false, true);
    else box.entryOf(rec);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ messages: recs.length, structure, build_ms: Math.round(ms * 10) / 10 }));
  box.shutdown();
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
