import { importMap } from './page-files.ts';
import type { Lang } from '../trace/language.ts';

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
<script type="module">import 'lab-page/main.ts';</script>
</body>
</html>
`;
}
