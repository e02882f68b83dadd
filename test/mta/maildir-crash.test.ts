// The Maildir's group commit under SIGKILL (issue 12): a writer delivering many letters at once,
// sharing the new/ folder's fsyncs, is killed at random moments. Every delivery that resolved
// (the moment the listener would say 250, or the queue would drop its copy) must be in new/,
// whole; what never resolved may be missing or left in tmp/, never half in new/.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';

const CHILD = path.join(import.meta.dirname, 'maildir-crash-child.ts');
let child: ChildProcess | undefined;
let root: string | undefined;
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe('crash: SIGKILL while letters are written into a Maildir, many at once', () => {
  it('every delivery that resolved is in new/, whole, across kills', { timeout: 120_000 }, async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-maildir-crash-'));
    const done = new Map<number, string>();
    const kills: number[] = [];
    for (let run = 0; run < 4; run++) {
      // kill after a random number of deliveries of this run, 20 to 120
      const killAt = 20 + Math.floor(Math.random() * 100);
      kills.push(killAt);
      child = spawn(process.execPath, [CHILD, root, '100000', '16'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(child, 'exit');
      let seen = 0;
      for await (const line of createInterface({ input: child.stdout! })) {
        const m = /^DONE (\d+) (.+)$/.exec(line);
        if (!m) continue;
        done.set(run * 1_000_000 + Number(m[1]), m[2]);
        if (++seen === killAt) {
          child.kill('SIGKILL');
          break;
        }
      }
      await exited;
    }
    const newDir = path.join(root, 'lee', 'new');
    const inNew = new Set(await fs.readdir(newDir));
    const missing: string[] = [];
    for (const [key, file] of done) {
      if (!inNew.has(path.basename(file))) {
        missing.push(`${key}: ${file}`);
        continue;
      }
      const text = await fs.readFile(file, 'utf8');
      expect(text, file).toMatch(new RegExp(`X-Crash-Seq: ${key % 1_000_000}\\r\\n[\\s\\S]*end ${key % 1_000_000}\\r\\n$`));
    }
    // nothing half-written ever reaches new/: every file there is whole (its size in its name)
    for (const name of inNew) {
      const size = Number(/,S=(\d+)/.exec(name)?.[1]);
      expect((await fs.stat(path.join(newDir, name))).size, name).toBe(size);
    }
    console.log(`maildir crash test: ${kills.length} SIGKILLs after ${kills.join(', ')} deliveries; ${done.size} resolved, ${inNew.size} in new/, ${missing.length} lost`);
    expect(missing).toEqual([]);
  });
});
