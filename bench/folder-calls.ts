// What the main thread pays for the file calls of a delivery (open with create, write of 2 KB,
// close, rename, unlink) in DIR, quiet and while other writers fsync files and the folder, as
// under a load of letters (their files stay, as letters stay in a Maildir's new/). The queue and the Maildir make these calls on the main thread and
// send only the fsyncs to libuv's pool (lab/mailbox/disk.ts); a folder kept open for its fsync
// saves an open and a close (lab/mailbox/folder-sync.ts). Put DIR on the disk to measure (a
// fresh ext4 is what the side-by-side bench uses).
//   node -r ./lab/node-version.cjs bench/folder-calls.ts DIR [--writers N]
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const dir = args[0];
const writersAt = args.indexOf('--writers');
const writers = writersAt >= 0 ? Number(args[writersAt + 1]) : 3;
if (!dir || !Number.isInteger(writers) || writers < 0) {
  console.error('usage: node -r ./lab/node-version.cjs bench/folder-calls.ts DIR [--writers N]   (N: fsyncing writers beside the measured calls, 3 if not given)');
  process.exit(2);
}
const N = 3000;
const letter = Buffer.alloc(2048, 'La de da.\r\n');

type Times = Record<'open' | 'write' | 'close' | 'rename' | 'unlink', bigint>;

async function measure(folder: string, withWriters: number): Promise<{ times: Times; fsyncs: number }> {
  fs.mkdirSync(folder, { recursive: true });
  let stop = false;
  let fsyncs = 0;
  const fsync = (fd: number) => new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  const writer = async (w: number) => {
    const folderFd = fs.openSync(folder, 'r');
    for (let i = 0; !stop; i++) {
      const file = path.join(folder, `w${w}-${i}`);
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, letter);
      await fsync(fd);
      fs.closeSync(fd);
      await fsync(folderFd);
      fsyncs++;
    }
    fs.closeSync(folderFd);
  };
  const running = Array.from({ length: withWriters }, (_, w) => writer(w));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const times: Times = { open: 0n, write: 0n, close: 0n, rename: 0n, unlink: 0n };
  for (let i = 0; i < N; ) {
    // 50 deliveries a turn, then the event loop runs (the writers' fsyncs come back)
    for (let k = 0; k < 50 && i < N; k++, i++) {
      const file = path.join(folder, `x${i}`);
      let a = process.hrtime.bigint();
      const fd = fs.openSync(file, 'wx');
      let b = process.hrtime.bigint();
      times.open += b - a;
      fs.writeSync(fd, letter);
      a = process.hrtime.bigint();
      times.write += a - b;
      fs.closeSync(fd);
      b = process.hrtime.bigint();
      times.close += b - a;
      fs.renameSync(file, `${file}.new`);
      a = process.hrtime.bigint();
      times.rename += a - b;
      fs.unlinkSync(`${file}.new`);
      b = process.hrtime.bigint();
      times.unlink += b - a;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  stop = true;
  await Promise.all(running);
  return { times, fsyncs };
}

const show = (t: Times) => Object.entries(t).map(([call, ns]) => `${call} ${(Number(ns) / N / 1000).toFixed(1)} µs`).join(', ');
const quiet = await measure(path.join(dir, 'quiet'), 0);
console.log(`quiet: ${show(quiet.times)} (mean of ${N})`);
const busy = await measure(path.join(dir, 'busy'), writers);
console.log(`while ${writers} writers fsync: ${show(busy.times)} (${busy.fsyncs} of their letters fsynced meanwhile)`);
fs.rmSync(path.join(dir, 'quiet'), { recursive: true, force: true });
fs.rmSync(path.join(dir, 'busy'), { recursive: true, force: true });
