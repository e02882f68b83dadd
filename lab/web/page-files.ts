import { fs } from '../node-builtins.ts';
import type { Stats } from 'node:fs';
import path from 'node:path';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// The page's files, served as they are: no build step. The page is TypeScript in lab/web/page/,
// turned into JavaScript on request by Node's own type stripping (module.stripTypeScriptTypes,
// which only removes the types, so the lines stay where they were); the UI library (preact with
// htm, no JSX) comes from node_modules. Nothing is fetched from the internet.

export const PAGE_DIR = path.join(import.meta.dirname, 'page');
const resolve = (name: string) => fileURLToPath(import.meta.resolve(name));

/** The browser's import names -> files in node_modules (the import map of index.html). */
export const VENDOR: Record<string, string> = {
  preact: resolve('preact'),
  'preact/hooks': resolve('preact/hooks'),
  htm: resolve('htm'),
};

export const VENDOR_URL: Record<string, string> = {
  preact: '/vendor/preact.js',
  'preact/hooks': '/vendor/preact-hooks.js',
  htm: '/vendor/htm.js',
};

export interface PageFile {
  type: string;
  body: string;
}

const cache = new Map<string, { mtimeMs: number; file: PageFile }>();

/** A file of the page by URL path (/page/main.ts, /vendor/htm.js), or undefined. */
export function pageFile(urlPath: string): PageFile | undefined {
  const vendor = Object.entries(VENDOR_URL).find(([, url]) => url === urlPath);
  if (vendor) return readCached(VENDOR[vendor[0]], 'text/javascript; charset=utf-8', (s) => s);
  if (!urlPath.startsWith('/page/')) return undefined;
  const name = urlPath.slice('/page/'.length);
  // One level of plain names only: nothing outside lab/web/page can be asked for.
  if (!/^[a-z0-9-]+\.(ts|css)$/.test(name)) return undefined;
  const file = path.join(PAGE_DIR, name);
  if (name.endsWith('.css')) return readCached(file, 'text/css; charset=utf-8', (s) => s);
  return readCached(file, 'text/javascript; charset=utf-8', stripTypes);
}

export function stripTypes(source: string): string {
  // Node 24 flags stripTypeScriptTypes as experimental once per process; the lab's terminal is
  // the class's, so that one warning is kept out of it (any other warning still shows).
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return module.stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emit;
  }
}

function readCached(file: string, type: string, transform: (source: string) => string): PageFile | undefined {
  let stat: Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs) return hit.file;
  const pageFile = { type, body: transform(fs.readFileSync(file, 'utf8')) };
  cache.set(file, { mtimeMs: stat.mtimeMs, file: pageFile });
  return pageFile;
}

/** Every module of the page, by its import name (lab-page/main.ts), for the exported file. */
export function pageModules(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(PAGE_DIR).filter((n) => n.endsWith('.ts')).sort()) out[`lab-page/${name}`] = pageFile(`/page/${name}`)!.body;
  for (const name of Object.keys(VENDOR)) out[name] = fs.readFileSync(VENDOR[name], 'utf8');
  return out;
}

/** The import map: bare names for every module, so the exported file can map them to data: URLs. */
export function importMap(): string {
  return JSON.stringify({ imports: { ...VENDOR_URL, 'lab-page/': '/page/' } });
}
