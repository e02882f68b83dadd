// The containers runtime's image carries Node's compile cache (Dockerfile, warm-compile-cache.js):
// a host's entry and a client's action load the lab's modules from it, without the TypeScript
// stripper. Skipped, with the reason, where no container runtime answers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { containersAvailable } from '../../lab/runtime/containers.ts';
import { buildImage } from '../../lab/runtime/container-image.ts';

const wantContainers = process.env.MAIL_LAB_CONTAINERS !== '0';
const noContainers = wantContainers ? await containersAvailable() : 'MAIL_LAB_CONTAINERS=0';

/** What a script run in a fresh container of the image prints (its last line, as JSON). */
async function inImage(image: string, script: string, env: string[] = []): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)('docker', ['run', '--rm', '--network', 'none', ...env.flatMap((e) => ['-e', e]), '--entrypoint', 'node', image, '--input-type=module', '-e', script]);
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('the containers image', () => {
  it.skipIf(Boolean(noContainers))(`loads a host's and a client's modules from its compile cache${noContainers ? ` (skipped: ${noContainers})` : ''}`, { timeout: 240_000 }, async () => {
    const image = await buildImage();
    const loaded = await inImage(image, [
      "await import('/lab/lab/runtime/container-host.ts');",
      "await import('/lab/lab/runtime/container-client.ts');",
      "await import('/lab/lab/runtime/host-services.ts');",
      "const module = await import('node:module');",
      "console.log(JSON.stringify({ cache: module.getCompileCacheDir() ?? null, stripper: process.moduleLoadList.some((m) => m.includes('amaro')) }));",
    ].join(' '));
    expect(loaded.cache).toMatch(/^\/lab\/\.compile-cache\//);
    expect(loaded.stripper, 'the TypeScript stripper was loaded: a module was not in the cache').toBe(false);
    // the check can fail: with the cache switched off, the same imports strip TypeScript
    const without = await inImage(image, [
      "await import('/lab/lab/runtime/container-host.ts');",
      "console.log(JSON.stringify({ stripper: process.moduleLoadList.some((m) => m.includes('amaro')) }));",
    ].join(' '), ['NODE_COMPILE_CACHE=']);
    expect(without.stripper).toBe(true);
  });
});
