// lab/mailbox/disk.ts: the file written the way the queue and the Maildir delivery write it
// (created, written, fsynced, closed), on a real folder.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fsyncPath, writeFileSynced } from '../../lab/mailbox/disk.ts';

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
