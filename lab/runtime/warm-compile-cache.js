// Run once while the containers runtime's image is built (the Dockerfile's RUN, with
// NODE_COMPILE_CACHE set): every module a host container may load is loaded here, so the image
// carries Node's compile cache with the lab's TypeScript already stripped and compiled. A
// container's `node lab/runtime/container-host.ts`, and every `docker exec ... container-client.ts`
// or `container-control.ts`, then reads its modules from that cache: the TypeScript stripper (a
// WebAssembly module) is not loaded and nothing is compiled from scratch. Plain JavaScript, so
// that this script itself needs no stripping.
//
// Loaded: every module of lab/ that exports something (importing one runs nothing), and the
// three container entries, which run only when they are the main module. Left out: what only
// the CLI's process runs (the page and its web server, exercises, --export-config, the
// containers runner and its image builder with testcontainers), and entries that run on import
// (cli-main.ts, process-tuning.ts).
import fs from 'node:fs';
import path from 'node:path';
import module from 'node:module';
import { pathToFileURL } from 'node:url';

const LAB = path.join(import.meta.dirname, '..');
const ENTRIES = new Set(['runtime/container-host.ts', 'runtime/container-client.ts', 'runtime/container-control.ts']);

if (!module.getCompileCacheDir?.()) {
  process.stderr.write('warm-compile-cache: NODE_COMPILE_CACHE is not set; nothing to warm\n');
  process.exit(1);
}

const files = [];
for (const entry of fs.readdirSync(LAB, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
  const rel = path.relative(LAB, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
  if (/^(web|exercise|export)\//.test(rel) || rel === 'runtime/containers.ts' || rel === 'runtime/container-image.ts') continue;
  if (ENTRIES.has(rel) || /^export /m.test(fs.readFileSync(path.join(LAB, rel), 'utf8'))) files.push(rel);
}
let failed = 0;
for (const rel of files.sort()) {
  try {
    await import(pathToFileURL(path.join(LAB, rel)).href);
  } catch (err) {
    failed++;
    process.stderr.write(`warm-compile-cache: lab/${rel}: ${err.message}\n`);
  }
}
module.flushCompileCache();
process.stdout.write(`warm-compile-cache: ${files.length - failed} of ${files.length} modules in ${module.getCompileCacheDir()}\n`);
// a module may have left a timer or a handle behind: the build step ends here all the same
process.exit(failed ? 1 : 0);
