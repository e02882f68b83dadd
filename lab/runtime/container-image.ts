import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import type { Hash } from 'node:crypto';
import { crypto, util } from '../node-builtins.ts';
import { execFile } from 'node:child_process';
import { GenericContainer, ImageName } from 'testcontainers';

const ROOT = path.join(import.meta.dirname, '..', '..');

/** The base image: MAIL_LAB_BASE_IMAGE, else node:24-slim (the Dockerfile's default). */
export function baseImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.MAIL_LAB_BASE_IMAGE || 'node:24-slim';
}

/** The production dependencies' folders, as npm sees them (no dev tools in the image). */
async function productionModules(): Promise<string[]> {
  const { stdout } = await util.promisify(execFile)('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l.includes(`${path.sep}node_modules${path.sep}`));
}

async function hashTree(dir: string, hash: Hash): Promise<void> {
  for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await hashTree(full, hash);
    else {
      hash.update(path.relative(ROOT, full));
      hash.update(await fs.readFile(full));
    }
  }
}

const built = new Map<string, Promise<string>>();

/**
 * Build the project's image from its Dockerfile (once per content: the tag is a hash of lab/,
 * package.json and the base), from a staged context with only what the hosts run.
 */
export function buildImage(base = baseImage()): Promise<string> {
  let pending = built.get(base);
  if (!pending) {
    pending = build(base);
    built.set(base, pending);
    pending.catch(() => built.delete(base));
  }
  return pending;
}

async function build(base: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  hash.update(base);
  hash.update(await fs.readFile(path.join(ROOT, 'package.json')));
  hash.update(await fs.readFile(path.join(ROOT, 'Dockerfile')));
  await hashTree(path.join(ROOT, 'lab'), hash);
  const tag = `mail-lab:${hash.digest('hex').slice(0, 16)}`;
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  if (await client.image.exists(ImageName.fromString(tag)).catch(() => false)) return tag;

  const context = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-image-'));
  try {
    await fs.cp(path.join(ROOT, 'lab'), path.join(context, 'lab'), { recursive: true, verbatimSymlinks: true }); // lab/cli.ts -> cli.js stays relative
    await fs.copyFile(path.join(ROOT, 'package.json'), path.join(context, 'package.json'));
    await fs.copyFile(path.join(ROOT, 'Dockerfile'), path.join(context, 'Dockerfile'));
    for (const dir of await productionModules()) {
      await fs.cp(dir, path.join(context, path.relative(ROOT, dir)), { recursive: true, dereference: true });
    }
    await GenericContainer.fromDockerfile(context).withBuildArgs({ BASE: base }).build(tag, { deleteOnExit: false });
  } finally {
    await fs.rm(context, { recursive: true, force: true });
  }
  return tag;
}
