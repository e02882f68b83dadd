// The loaded scenario and topology kept between starts (lab/topology/load-cache.ts): a second
// start with the same files takes them from the cache and loads no zod; a file edited since is
// loaded and checked again, so a mistake in it is reported, never hidden behind the cache. Real
// CLI runs; what a process loaded is listed by the lazy-load test's hook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, runNode } from '../cli/cli-helpers.ts';
import { startLab } from '../../lab/runtime/lab.ts';
import { fnv1a64 } from '../../lab/topology/load-cache.ts';

const HOOK = path.join(ROOT, 'test', 'cli', 'fixtures', 'loaded-modules.cjs');
let dir: string;
let zone: string;
let original: string;

async function start(env: NodeJS.ProcessEnv = {}) {
  const list = path.join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  const run = await runNode(['-r', HOOK, CLI, '--exit', '--web', 'off', '--ports', 'auto', '--no-color', '--topology', path.join(dir, 'classroom.yaml'), '--data', path.join(dir, 'data')], undefined, {
    NO_COLOR: '1',
    LANG: 'en_US.UTF-8',
    LAB_LOAD_CACHE: path.join(dir, 'cache'),
    LOADED_MODULES_FILE: list,
    ...env,
  });
  const loaded = await fs.readFile(list, 'utf8').catch(() => '');
  return { ...run, zod: loaded.split('\n').some((l) => l.includes('/node_modules/zod/')) };
}

/** files written an hour ago: a start keeps only a load of files not written just before it */
async function age(...files: string[]) {
  const then = new Date(Date.now() - 3_600_000);
  for (const f of files) await fs.utimes(f, then, then);
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-load-cache-'));
  await fs.cp(path.join(ROOT, 'topology', 'classroom.yaml'), path.join(dir, 'classroom.yaml'));
  await fs.cp(path.join(ROOT, 'topology', 'zones'), path.join(dir, 'zones'), { recursive: true });
  zone = path.join(dir, 'zones', 'naver.com.zone');
  original = await fs.readFile(zone, 'utf8');
  await age(path.join(dir, 'classroom.yaml'), zone, path.join(dir, 'zones', 'daum.net.zone'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the load cache', () => {
  it('a second start with the same files takes the checked lesson from the cache, without zod', async () => {
    const first = await start();
    expect(first.code, first.stderr).toBe(0);
    expect(first.zod).toBe(true);
    // the lesson's entry, and the topology's setting lines its hops named (cachedLines)
    const kept = (await fs.readdir(path.join(dir, 'cache'))).filter((f) => f.endsWith('.json'));
    expect(kept.filter((f) => !f.startsWith('lines-'))).toHaveLength(1);
    expect(kept.filter((f) => f.startsWith('lines-'))).toHaveLength(1);

    const second = await start();
    expect(second.code, second.stderr).toBe(0);
    expect(second.zod).toBe(false);
    expect(second.stdout).toContain('PASS: 4 of 4 expectations held');
  });

  it('a zone file edited since is loaded again, and its mistake is reported', async () => {
    await fs.writeFile(zone, original.replace(/^mail\tIN\tA\t192\.168\.111\.100$/m, 'mail\tIN\tA\t192.168.111.999'));
    const edited = await start();
    expect(edited.code).toBe(2);
    expect(edited.stderr).toContain('naver.com.zone');
    expect(edited.stderr).toContain('192.168.111.999');
  });

  it('the same bytes again (whatever the file time) are the same entry; LAB_LOAD_CACHE=0 loads afresh', async () => {
    await fs.writeFile(zone, original);
    const again = await start();
    expect(again.code, again.stderr).toBe(0);
    expect(again.zod).toBe(false);

    const off = await start({ LAB_LOAD_CACHE: '0' });
    expect(off.code, off.stderr).toBe(0);
    expect(off.zod).toBe(true);
  });
});

describe('the load cache for startLab({ topology: file })', () => {
  it('an unchanged file comes from the cache; an edited zone is loaded again and its mistake thrown', async () => {
    const before = process.env.LAB_LOAD_CACHE;
    process.env.LAB_LOAD_CACHE = path.join(dir, 'api-cache');
    const topology = path.join(dir, 'classroom.yaml');
    try {
      await fs.writeFile(zone, original);
      await age(zone);
      const lab = await startLab({ topology, ports: 'auto' });
      await lab.stop();
      expect((await fs.readdir(path.join(dir, 'api-cache'))).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      const again = await startLab({ topology, ports: 'auto' });
      expect(again.endpoints().map((e) => e.host)).toContain('Server');
      await again.stop();

      await fs.writeFile(zone, original.replace(/^mail\tIN\tA\t192\.168\.111\.100$/m, 'mail\tIN\tA\t192.168.111.999'));
      await expect(startLab({ topology, ports: 'auto' })).rejects.toThrow(/192\.168\.111\.999/);
    } finally {
      await fs.writeFile(zone, original);
      if (before === undefined) delete process.env.LAB_LOAD_CACHE;
      else process.env.LAB_LOAD_CACHE = before;
    }
  });
});

describe("the loaders' code version (64-bit FNV-1a)", () => {
  it('gives the published FNV-1a 64 values, and carries a hash on over more bytes', () => {
    const hex = (h: number[]) => h.map((limb) => limb.toString(16).padStart(4, '0')).reverse().join('');
    // the reference values of the FNV authors' test suite
    expect(hex(fnv1a64(''))).toBe('cbf29ce484222325');
    expect(hex(fnv1a64('a'))).toBe('af63dc4c8601ec8c');
    expect(hex(fnv1a64('foobar'))).toBe('85944171f73967e8');
    expect(hex(fnv1a64('bar', fnv1a64('foo')))).toBe('85944171f73967e8');
    expect(hex(fnv1a64(Buffer.from([0xff, 0x00, 0x80])))).not.toBe(hex(fnv1a64(Buffer.from([0xff, 0x00, 0x81]))));
  });
});
