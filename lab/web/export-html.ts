import { fs } from '../node-builtins.ts';
import path from 'node:path';
import { indexHtml } from './index-html.ts';
import { pageModules, PAGE_DIR } from './page-files.ts';
import type { LabApi } from './lab-api.ts';
import { loadWebModules } from './web-modules.ts';

/**
 * One self-contained HTML file of the run, for slides, homework and an LMS: the figures, the
 * event list with every hop's details, Back/Next/Play. It opens from a file:// URL with no
 * server and no internet: every module of the page is in the import map as a data: URL, the
 * style is inline, and the recording (model, hops with their files, the queues and mailboxes at
 * the end) is a JSON block the page reads instead of the API.
 */
export async function exportHtml(api: LabApi): Promise<string> {
  await loadWebModules();
  const { state, letters } = await api.stateForExport();
  const recording = {
    format: 'mail-lab-recording/1',
    exportedAt: new Date().toISOString(),
    model: { ...api.model(), canAct: false },
    hops: await api.recorded(),
    state,
    letters,
  };
  const imports: Record<string, string> = {};
  for (const [name, source] of Object.entries(pageModules())) imports[name] = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  return indexHtml({
    lang: recording.model.lang,
    importMap: scriptSafe(JSON.stringify({ imports })),
    style: fs.readFileSync(path.join(PAGE_DIR, 'style.css'), 'utf8').replace(/<\/style/gi, '<\\/style'),
    head: `<script type="application/json" id="recording">${scriptSafe(JSON.stringify(recording))}</script>`,
  });
}

/** JSON inside a <script> element: no "</script" or "<!--" may appear in it. */
function scriptSafe(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** --export-html FILE */
export async function writeExport(api: LabApi, file: string): Promise<void> {
  fs.writeFileSync(file, await exportHtml(api));
}
