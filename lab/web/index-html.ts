import { importMap } from './page-files.ts';
import type { Lang } from '../trace/language.ts';

// The page's modules, loaded by the page itself. A module the browser could not fetch leaves the
// page empty, and Chromium cancels every request under way when the host's network changes, as
// it does when Docker makes or removes a network (the containers runtime starting, a reset from
// the page, and a lab's start makes several in a row): then the page loads itself again, up to
// three times in a minute. Any other error (a module that throws) is not retried.
const LOAD_PAGE = `import('lab-page/main.ts').catch((err) => {
  const now = Date.now();
  const tries = JSON.parse(sessionStorage.getItem('mail-lab-reloads') || '[]').filter((t) => now - t < 60000);
  if (!(err instanceof TypeError && /fetch|import/i.test(err.message)) || tries.length >= 3) throw err;
  sessionStorage.setItem('mail-lab-reloads', JSON.stringify([...tries, now]));
  location.reload();
});`;

/** The page's one HTML file: an import map (every module by a bare name), the style, the page. */
export function indexHtml(options: { lang: Lang; head?: string; importMap?: string; style?: string; body?: string }): string {
  const title = options.lang === 'ko' ? 'mail-lab: 메일 실습망' : 'mail-lab: the mail lab';
  return `<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
${options.style ? `<style>${options.style}</style>` : '<link rel="stylesheet" href="/page/style.css">'}
<script type="importmap">${options.importMap ?? importMap()}</script>
${options.head ?? ''}
</head>
<body>
<div id="app"></div>
${options.body ?? ''}
<script type="module">${LOAD_PAGE}</script>
</body>
</html>
`;
}
