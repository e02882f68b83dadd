// `npm test` ends with why tests were skipped: every skipped test names its reason in its title
// ("(skipped: no Docker engine answers ...)"); this lists them, grouped by reason.
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipReasons implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, string[]>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state !== 'skipped') continue;
        // the reason is the end of the title: "... (skipped: <reason>)", which may hold parentheses itself
        const at = test.fullName.lastIndexOf('(skipped: ');
        const reason = at >= 0 ? test.fullName.slice(at + 10).replace(/\)\s*$/, '') : 'skipped in the test file';
        const name = (at >= 0 ? test.fullName.slice(0, at) : test.fullName).trim();
        byReason.set(reason, [...(byReason.get(reason) ?? []), `${module.moduleId.replace(`${process.cwd()}/`, '')}: ${name}`]);
      }
    }
    if (!byReason.size) return;
    const total = [...byReason.values()].reduce((n, list) => n + list.length, 0);
    const lines = [`\n${total} test${total === 1 ? '' : 's'} skipped:`];
    for (const [reason, tests] of byReason) {
      lines.push(`  ${reason} (${tests.length}):`);
      for (const t of tests.slice(0, 5)) lines.push(`    ${t}`);
      if (tests.length > 5) lines.push(`    ... and ${tests.length - 5} more`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
