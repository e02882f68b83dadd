// `npm run lab` (through cli.ts): arguments -> topology + scenario -> runtime -> renderers.
// Only what every start needs is imported here; the rest loads when an option asks for it, and
// what the scenario and the page need loads once the listeners are open (the lab answers first):
// the web server, the scenario runner, --step's prompt, --trace's writer, --diagram's mermaid.
import { util } from './node-builtins.ts';
import path from 'node:path';
import type { Lab } from './runtime/lab.ts';
import type { Figure, TerminalRenderer } from './trace/terminal-renderer.ts';
import { defaultLang, type Lang } from './trace/language.ts';
import type { StepPrompt } from './trace/step-prompt.ts';
import type { Bilingual, HopKind } from './trace/hop-event.ts';
import type { ScenarioResult } from './scenario/runner.ts';
import type { Topology } from './topology/types.ts';
import type { Scenario } from './scenario/schema.ts';
import { josa } from './trace/korean.ts';
import { WEB_ARGS, checkWebValues, type WebValues } from './web/cli-web-options.ts';
import type { WebView } from './web/cli-web.ts';

interface Cli {
  values: {
    scenario?: string; list?: boolean; topology?: string; exit?: boolean; step?: boolean; letter?: boolean; trace?: string;
    transcripts?: boolean; lang?: string; figure?: string; filter?: string; diagram?: boolean; ports?: string;
    data?: string; clean?: boolean; runtime?: string; 'no-color'?: boolean; help?: boolean;
    'export-config'?: string;
  } & WebValues;
}

// The language is known before anything can go wrong with the options: LANG, or --lang itself.
let lang: Lang = languageOf(process.argv.slice(2));

function languageOf(argv: string[]): Lang {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const value = i < 0 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  return value === 'ko' || value === 'en' ? value : defaultLang();
}

/** A message in the class's language; an Error may carry its Korean text as `ko`. */
function say(text: Bilingual | Error | string): string {
  if (typeof text === 'string') return text;
  if (text instanceof Error) return lang === 'ko' ? ((text as Error & { ko?: string }).ko ?? text.message) : text.message;
  return text[lang];
}

function fail(message: Bilingual | Error | string): never {
  process.stderr.write(`mail-lab: ${say(message)}\n`);
  process.exit(2);
}

function parse(argv: string[]): Cli {
  try {
    return util.parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' }, list: { type: 'boolean' }, topology: { type: 'string' }, exit: { type: 'boolean' },
        step: { type: 'boolean' }, letter: { type: 'boolean' }, trace: { type: 'string' }, transcripts: { type: 'boolean' }, lang: { type: 'string' },
        figure: { type: 'string' }, filter: { type: 'string' }, diagram: { type: 'boolean' }, ports: { type: 'string' },
        data: { type: 'string' }, clean: { type: 'boolean' }, runtime: { type: 'string' }, 'no-color': { type: 'boolean' },
        'export-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' }, ...WEB_ARGS,
      },
      strict: true,
      allowPositionals: false,
    }) as Cli;
  } catch (err) {
    const option = /'([^']+)'/.exec((err as Error).message)?.[1];
    fail({
      ko: `${option ? `알 수 없는 옵션 '${option}'입니다` : (err as Error).message}\n옵션 목록은 "npm run lab -- --help"로 봅니다.`,
      en: `${(err as Error).message}\nRun "npm run lab -- --help" for the options.`,
    });
  }
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) fail({ ko: `--${name} ${value}: ${allowed.join(', ')} 중 하나를 쓰세요`, en: `--${name} ${value}: write one of ${allowed.join(', ')}` });
  return value as T;
}

const KINDS: HopKind[] = ['dns', 'smtp', 'queue', 'relay', 'mda', 'pop3', 'imap', 'bounce', 'net', 'lab'];

/** `npm run lab -- | head` closes the pipe early: stop quietly, no EPIPE stack. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

async function main(): Promise<number> {
  quietOnClosedPipe();
  const { values } = parse(process.argv.slice(2));
  lang = oneOf('lang', values.lang, ['ko', 'en'] as const, defaultLang());
  if (values.help) {
    const { helpText } = await import('./cli-help.ts');
    process.stdout.write(helpText(lang));
    return 0;
  }
  const figure: Figure = oneOf('figure', values.figure, ['overview', 'sendmail', 'both'] as const, 'both');
  const ports = oneOf('ports', values.ports, ['fixed', 'auto'] as const, values.diagram ? 'auto' : 'fixed');
  const runtimeOption = values.runtime === undefined ? undefined : oneOf('runtime', values.runtime, ['embedded', 'containers'] as const, 'embedded');
  const filter = values.filter?.split(',').map((k) => k.trim()) as HopKind[] | undefined;
  const unknownKind = filter?.find((k) => !KINDS.includes(k));
  if (unknownKind) fail({ ko: `--filter: "${unknownKind}"는 단계 종류가 아닙니다. ${KINDS.join(',')} 중에서 쓰세요`, en: `--filter: "${unknownKind}" is not a hop kind; write some of ${KINDS.join(',')}` });
  const webProblem = checkWebValues(values, values.exit === true || values.diagram === true);
  if (webProblem) fail(webProblem);
  const tty = process.stdout.isTTY === true;
  const color = !values['no-color'] && tty && !process.env.NO_COLOR;

  let scenario: Scenario;
  let topology: Topology;
  // files unchanged since an earlier start: their checked result, without the yaml package and zod
  const { cachedLesson, keepLesson } = await import('./topology/load-cache.ts');
  const request = { scenario: values.scenario ?? 'kim-to-lee', topology: values.topology ? path.resolve(values.topology) : undefined, ports };
  const cached = values.list ? undefined : cachedLesson(request);
  if (cached) ({ scenario, topology } = cached);
  else {
    const [{ listScenarios, loadScenario, resolveScenario }, { loadTopology }] = await Promise.all([import('./scenario/load.ts'), import('./topology/load.ts')]);
    if (values.list) {
      for (const s of listScenarios()) process.stdout.write(`${s.name.padEnd(28)} ${typeof s.title === 'string' ? s.title : s.title[lang]}\n`);
      return 0;
    }
    const files: string[] = [];
    const started = Date.now();
    try {
      // --topology: the scenario plays on that one, and its hosts are checked against it
      const given = values.topology ? loadTopology(request.topology!, { ports, files }) : undefined;
      scenario = loadScenario(resolveScenario(request.scenario), { topology: given, files });
      topology = given ?? loadTopology(scenario.topology, { ports, files });
    } catch (err) {
      fail(err as Error);
    }
    keepLesson(request, files, { scenario, topology }, started);
  }
  if (values['export-config']) {
    const { exportConfig } = await import('./export/export-config.ts');
    process.stdout.write(await exportConfig(topology, path.resolve(values['export-config']), lang));
    return 0;
  }
  const runtime = runtimeOption ?? scenario.runtime;
  if (runtime === 'containers' && values.step) {
    // The hold lives in this process; the roles of the containers runtime run in their own.
    fail({
      ko: '--step은 메일을 각 역할 안에서 멈춰 두는데, containers 런타임에서는 역할들이 각자의 컨테이너에서 돌아갑니다. --step은 embedded 런타임(기본)으로 쓰세요',
      en: '--step holds the mail inside the roles, which the containers runtime runs in containers of their own; use --step with the embedded runtime (the default)',
    });
  }
  if (runtime === 'containers') {
    const { containersAvailable } = await import('./runtime/containers.ts');
    const why = await containersAvailable();
    if (why) fail(`--runtime containers: ${why}`);
  }

  const quiet = values.diagram === true;
  if (quiet) for (const w of topology.warnings ?? []) process.stderr.write(`mail-lab: ${say(w)}\n`);
  const [{ TraceBus }, { TerminalRenderer, legend }, { toMs }, { startLab }, { defaultDataDir }] = await Promise.all([
    import('./trace/trace-bus.ts'), import('./trace/terminal-renderer.ts'), import('./scenario/duration.ts'), import('./runtime/lab.ts'), import('./runtime/embedded.ts'),
  ]);
  const trace = new TraceBus();
  const addresses = Object.fromEntries(topology.hosts.map((h) => [h.name, h.address]));
  const dataOption = values.data ? path.resolve(values.data) : undefined;
  // the data folder as startLab will choose it, known before it starts (auto ports: a new one)
  const knownData = dataOption ?? (ports === 'fixed' ? defaultDataDir(topology) : undefined);
  const renderer = new TerminalRenderer({ lang, figure, transcripts: values.transcripts, filter, color, addresses, dataDir: knownData, width: tty ? process.stdout.columns : undefined, letter: values.letter });
  const jsonl = values.trace ? (await import('./trace/jsonl-writer.ts')).writeJsonLines(trace, values.trace) : undefined;
  if (values.step) trace.stepHold.holdOnly((preview) => renderer.shows(preview));

  const title = typeof scenario.title === 'string' ? scenario.title : scenario.title[lang];
  const out = (text: string) => process.stdout.write(text);
  const leftovers = knownData && !values.clean && !quiet ? await leftoversLine(topology, knownData) : undefined;
  if (!quiet) {
    out(`\n== ${title} (${scenario.name}) ==\n`);
    for (const line of renderer.wrap(legend(lang, figure, values.step))) out(`${line}\n`);
    if (leftovers) for (const line of renderer.wrap([leftovers])) out(`${line}\n`);
    // what named-checkzone would warn about: the zone loads, as BIND loads it
    for (const w of topology.warnings ?? []) for (const line of renderer.wrap([`⚠ ${say(w)}`])) out(`${line}\n`);
    out('\n');
  }

  /** set once the teacher stops the lab (q, Ctrl-C): from then on nothing more is printed */
  let stoppedByUser = false;
  let gate: StepPrompt | undefined;

  let lab: Lab;
  let web: WebView | undefined;
  const labOptions = { runtime, ports, data: dataOption, trace, retry: scenario.retry, dnsTimeoutMs: scenario.dnsTimeout ? toMs(scenario.dnsTimeout) : undefined };
  try {
    lab = await startLab({ ...labOptions, topology, clean: values.clean });
  } catch (err) {
    await jsonl?.close();
    const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
    if (e.code === 'EADDRINUSE') {
      const where = `${e.port ?? ''} on ${e.address ?? topology.listen}`;
      fail({
        ko: `실습망을 시작하지 못했습니다: ${e.address ?? topology.listen}의 포트 ${e.port ?? ''}${josa(String(e.port ?? ''), '을')} 이미 쓰고 있습니다 (다른 실습망이나 다른 프로그램). 그것을 끄거나, 이 실습망을 --ports auto로 시작하세요`,
        en: `the lab could not start: port ${where} is in use (another lab, or another program); stop that one, or start this lab with --ports auto`,
      });
    }
    fail({ ko: `실습망을 시작하지 못했습니다: ${e.message}`, en: `the lab could not start: ${e.message}` });
  }
  renderer.setDataDir(lab.dataDir);
  // the listeners are open: now what the page and the scenario need
  const { runActions } = await import('./scenario/runner.ts');
  if (!quiet && wantsWeb(values)) web = await (await import('./web/cli-web.ts')).startWeb(lab, { values, lang, ports, exit: values.exit === true, options: labOptions }).catch(async (err) => (await lab.stop(), fail(err as Error)));
  if (!quiet && values.step) {
    const mailq = lab.dataDir === defaultDataDir(topology) ? 'npm run mailq' : `npm run mailq -- --data ${lab.dataDir}`;
    out(lang === 'ko'
      ? `단계마다 멈춥니다. 멈춰 있는 동안 다른 터미널에서 메일 큐를 볼 수 있습니다:\n  ${mailq}\n`
      : `The mail is held before every numbered hop. Meanwhile, from a second terminal:\n  ${mailq}\n`);
  }
  if (values.step) gate = new (await import('./trace/step-prompt.ts')).StepPrompt(trace, renderer, { lang, figure, filter, addresses, dataDir: lab.dataDir, tty });
  if (!quiet) {
    trace.on((event) => {
      if (!stoppedByUser) renderer.render(event, gate ? (text) => gate!.print(text) : undefined);
    });
  }

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    gate?.close();
    await (web ? web.close() : lab.stop());
    await jsonl?.close();
  })());
  const quit = (code: number) => stop().then(() => process.exit(code));
  // q at the prompt, Ctrl-C, the page's stop button: the lab stops cleanly, the roles held at a
  // hop unwind without a word, and the exit status says "stopped by the user" (128 + SIGINT).
  const stopByUser = () => {
    if (stoppedByUser) return;
    stoppedByUser = true;
    gate?.close();
    out(lang === 'ko' ? '\n실습을 끝냅니다...\n' : '\nStopping the lab...\n');
    trace.stepHold.quit('terminal');
    void quit(130);
  };
  process.on('SIGINT', stopByUser);
  process.once('SIGTERM', () => void quit(0));
  trace.stepHold.on((news) => {
    if (news.type === 'quit') stopByUser();
  });

  let result: ScenarioResult;
  try {
    const running = runActions(lab, scenario, (record) => {
      if (record.ok || quiet || stoppedByUser) return;
      const where = `${path.relative(process.cwd(), scenario.file)}:${record.line}`;
      const text = (lang === 'ko' ? `✗ 동작 ${record.number} (${where}): ` : `✗ action ${record.number} (${where}): `) + record.failure![lang];
      const lines = renderer.wrap(text.split('\n'));
      (gate ? (t: string) => gate!.print(t) : out)(`\n${lines.join('\n')}\n`);
    });
    web?.follow(scenario, running);
    result = await running;
  } catch (err) {
    if (stoppedByUser) return new Promise<number>(() => {});
    await stop();
    fail(err as Error);
  }
  // stopped by the user meanwhile: quit() ends the process once the lab is down
  if (stoppedByUser) return new Promise<number>(() => {});
  gate?.close();
  trace.stepHold.setStepMode(false, 'lab');

  if (values.diagram) {
    const { sequenceDiagram, topologyGraph } = await import('./trace/mermaid.ts');
    out(`%% ${lang === 'ko' ? '실습망' : 'the lab network'}: ${path.relative(process.cwd(), topology.file)}\n${topologyGraph(topology, lang)}\n\n`);
    out(`%% ${title}\n${sequenceDiagram(trace.events, topology, lang, figure)}\n`);
  } else printResult(result, renderer);
  const exported = await web?.exportRun(lang);
  if (exported) out(`\n${exported}\n`);

  if (values.exit || values.diagram) {
    await stop();
    return result.ok ? 0 : 1;
  }
  const { addressTable } = await import('./runtime/address-table.ts');
  out(`\n${renderer.wrap(addressTable(lab, lang).split('\n')).join('\n')}\n`);
  out(lang === 'ko' ? '\n실습망이 켜져 있습니다. Ctrl-C로 끝냅니다.\n' : '\nThe lab is up. Ctrl-C stops it.\n');
  await new Promise(() => {});
  return 0;
}

/** What startWeb would do anything for: the page (unless --web off or --exit), or --export-html. */
function wantsWeb(values: WebValues & { exit?: boolean }): boolean {
  return (values.exit !== true && values.web !== 'off') || values['export-html'] !== undefined;
}

async function leftoversLine(topology: Topology, dataDir: string): Promise<string | undefined> {
  const { findLeftovers, describeLeftovers } = await import('./scenario/leftovers.ts');
  return describeLeftovers(await findLeftovers(topology, dataDir), lang);
}

function printResult(result: ScenarioResult, renderer: TerminalRenderer): void {
  const ko = lang === 'ko';
  const lines: string[] = [''];
  for (const e of result.expectations) {
    lines.push(`${e.ok ? '✓' : '✗'} ${e.expected[lang]}`);
    if (!e.ok) lines.push(`    ${ko ? '실제' : 'actual'}: ${e.actual[lang]}  (${path.relative(process.cwd(), result.scenario.file)}:${e.line})`);
  }
  const total = result.expectations.length;
  const passed = result.expectations.filter((e) => e.ok).length;
  const failedAction = result.actions.find((a) => !a.ok);
  let line: string;
  if (ko) {
    const held = total === 0 ? '확인 항목 없음' : passed === total ? `확인 항목 ${total}개 모두 통과` : `확인 항목 ${total}개 중 ${passed}개 통과`;
    line = `${result.ok ? '성공' : '실패'}: ${failedAction ? `동작 ${failedAction.number} 실패, ` : ''}${held}`;
  } else {
    const held = total === 0 ? 'no expectations' : `${passed} of ${total} expectation${total === 1 ? '' : 's'} held`;
    line = `${result.ok ? 'PASS' : 'FAIL'}: ${failedAction ? `action ${failedAction.number} failed; ` : ''}${held}`;
  }
  lines.push('', line);
  process.stdout.write(`${renderer.wrap(lines).join('\n')}\n`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`mail-lab: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
