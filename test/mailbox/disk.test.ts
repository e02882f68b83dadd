// lab/mailbox/disk.ts: the file written the way the queue and the Maildir delivery write it
// (created, written, fsynced, closed, renamed), on a real folder, by the disk thread.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fsyncPath, removeFiles, writeFileSynced, writeFilesSynced } from '../../lab/mailbox/disk.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-disk-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeFileSynced', () => {
  it('creates the file with every byte, a letter larger than one write too', async () => {
    const letter = Buffer.alloc(3 * 1024 * 1024, 'La de da.\r\n');
    await writeFileSynced(path.join(dir, 'df1'), letter);
    expect(fs.readFileSync(path.join(dir, 'df1')).equals(letter)).toBe(true);
    await writeFileSynced(path.join(dir, 'tf1'), '{"format":"mail-lab-qf/1"}\n');
    expect(fs.readFileSync(path.join(dir, 'tf1'), 'utf8')).toBe('{"format":"mail-lab-qf/1"}\n');
  });

  it('never overwrites: a file of that name already there is EEXIST, and it is left as it was', async () => {
    fs.writeFileSync(path.join(dir, 'taken'), 'someone else');
    await expect(writeFileSynced(path.join(dir, 'taken'), Buffer.from('mine'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(path.join(dir, 'taken'), 'utf8')).toBe('someone else');
  });

  it('fails with ENOENT when the folder is gone (the Maildir delivery then makes it again)', async () => {
    await expect(writeFileSynced(path.join(dir, 'no-such-folder', 'x'), Buffer.from('x'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('fsyncPath', () => {
  it('fsyncs a folder, and says ENOENT for one that is not there', async () => {
    await expect(fsyncPath(dir)).resolves.toBeUndefined();
    await expect(fsyncPath(path.join(dir, 'gone'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeFilesSynced, removeFiles: one job of the disk thread', () => {
  it('writes every file, then renames; many jobs at once each get their own answer', async () => {
    const jobs = Array.from({ length: 50 }, (_, i) =>
      writeFilesSynced(
        [
          { file: path.join(dir, `df-many-${i}`), data: Buffer.from(`letter ${i}`) },
          { file: path.join(dir, `tf-many-${i}`), data: `control ${i}` },
        ],
        [[path.join(dir, `tf-many-${i}`), path.join(dir, `qf-many-${i}`)]],
      ),
    );
    await Promise.all(jobs);
    for (let i = 0; i < 50; i++) {
      expect(fs.readFileSync(path.join(dir, `df-many-${i}`), 'utf8')).toBe(`letter ${i}`);
      expect(fs.readFileSync(path.join(dir, `qf-many-${i}`), 'utf8')).toBe(`control ${i}`);
      expect(fs.existsSync(path.join(dir, `tf-many-${i}`))).toBe(false);
    }
  });

  it('a write that fails names its index and nothing is renamed; the other write is made', async () => {
    fs.writeFileSync(path.join(dir, 'df-taken'), 'someone else');
    const job = writeFilesSynced(
      [
        { file: path.join(dir, 'df-taken'), data: 'mine' },
        { file: path.join(dir, 'tf-taken'), data: 'control' },
      ],
      [[path.join(dir, 'tf-taken'), path.join(dir, 'qf-taken')]],
    );
    await expect(job).rejects.toMatchObject({ code: 'EEXIST', index: 0 });
    expect(fs.readFileSync(path.join(dir, 'df-taken'), 'utf8')).toBe('someone else');
    expect(fs.existsSync(path.join(dir, 'tf-taken'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'qf-taken'))).toBe(false);
  });

  it('a letter that is a slice of a much larger buffer is written as the slice, byte for byte', async () => {
    const big = Buffer.alloc(1024 * 1024, 'x');
    big.write('Subject: the slice\r\n', 4096);
    const slice = big.subarray(4096, 4096 + 2000);
    await writeFileSynced(path.join(dir, 'slice'), slice);
    expect(fs.readFileSync(path.join(dir, 'slice')).equals(slice)).toBe(true);
  });

  it('removes files in order, and one already gone is no error', async () => {
    fs.writeFileSync(path.join(dir, 'qf-gone'), 'x');
    await removeFiles([path.join(dir, 'qf-gone'), path.join(dir, 'df-never-was')]);
    expect(fs.existsSync(path.join(dir, 'qf-gone'))).toBe(false);
  });

  it('keeps no process alive: a script that writes one file ends by itself', () => {
    const file = path.join(dir, 'from-a-script');
    const script = `const { writeFileSynced } = await import(${JSON.stringify(path.resolve('lab/mailbox/disk.ts'))}); await writeFileSynced(${JSON.stringify(file)}, 'done');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('done');
  });
});
