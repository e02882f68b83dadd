// Loaded first (`node -r ./lab/node-version.cjs ...`, see package.json): on a Node.js too old for
// the lab (TypeScript type stripping needs 22.22 or later), one line and exit status 1 instead of
// a stack trace. Plain CommonJS, so that any Node.js can read it.
'use strict';
var parts = process.versions.node.split('.').map(Number);
if (parts[0] < 22 || (parts[0] === 22 && parts[1] < 22)) {
  var ko = /^ko/i.test(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '');
  process.stderr.write(ko
    ? 'mail-lab에는 Node.js 22.22 이상이 필요합니다 (24 LTS 권장). 지금은 ' + process.versions.node + '입니다.\n'
    : 'mail-lab needs Node.js 22.22 or later (24 LTS recommended); this is ' + process.versions.node + '.\n');
  process.exit(1);
}
// Node's compile cache on before the .ts entry loads (lab/runtime/process-tuning.ts does it too,
// but only once the entry is read): then even the entry comes stripped from the cache, and the
// TypeScript stripper (a WebAssembly module, ~15 MB and ~65 ms of CPU) is never loaded at all.
require('node:module').enableCompileCache();
