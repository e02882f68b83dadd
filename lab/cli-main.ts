// `npm run lab` (through cli.ts): arguments -> topology + scenario -> runtime -> renderers.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { startLab, type Lab } from './runtime/lab.ts';
import { TraceBus } from './trace/trace-bus.ts';
import { TerminalRenderer, type Figure } from './trace/terminal-renderer.ts';
import { writeJsonLines } from './trace/jsonl-writer.ts';
import { defaultLang, type Lang } from './trace/language.ts';
import { StepPrompt } from './trace/step-prompt.ts';
import { sequenceDiagram, topologyGraph } from './trace/mermaid.ts';
import type { HopKind } from './trace/hop-event.ts';
import { listScenarios, loadScenario, resolveScenario } from './scenario/load.ts';
import { runActions, type ScenarioResult } from './scenario/runner.ts';
import { toMs } from './scenario/schema.ts';
import { loadTopology } from './topology/load.ts';
import { addressTable } from './runtime/address-table.ts';
import { WEB_ARGS, WEB_HELP, checkWebValues, startWeb, type WebValues, type WebView } from './web/cli-web.ts';

const HELP = `mail-lab: the two-domain mail lab (naver.com, daum.net) of the sendmail/dovecot/bind9 lesson.

Usage: npm run lab -- [options]

  --scenario NAME|PATH  the scenario to play (default kim-to-lee); see --list
  --list                list the shipped scenarios and exit
  --topology PATH       the lab's topology file (default: the scenario's, topology/classroom.yaml)
  --exit                stop after the scenario; exit status 0 only if every expectation held
                        (without it the lab keeps running for dig, telnet, curl and mail
                        programs until Ctrl-C)
  --step                hold the mail before every numbered hop: Enter goes on, b shows the
                        previous hop again, t toggles transcripts, q stops the lab (a line on
                        standard input does the same when it is not a terminal; embedded
                        runtime only)
  --trace FILE          write every hop event as JSON Lines to FILE
  --transcripts         show each hop's protocol transcript (SMTP, DNS, POP3, IMAP)
  --lang ko|en          language of the hop summaries (default from LANG: ko for ko_KR.*)
  --figure overview|sendmail|both
                        which of the seed's numberings to show (default both)
  --filter KINDS        show only these protocols or hop kinds, comma-separated: dns, smtp (with
                        the relay), queue, relay, mda, pop3, imap, bounce, net
  --diagram             print the topology as a Mermaid graph and the scenario's hops as a
                        Mermaid sequence diagram (runs the scenario with --ports auto), then exit
  --ports fixed|auto    fixed: the topology's classroom ports (DNS 5300, SMTP 2525/2526,
                        POP3 1110/1111, IMAP 1143/1144); auto: ports chosen by the OS and a data
                        folder of its own, so many labs can run at once (default fixed)
  --data DIR            where queues and mailboxes live (default var/<topology name>, e.g.
                        var/classroom; kept across runs, so a crash or Ctrl-C loses no mail)
  --clean               empty the data folder before starting
  --runtime embedded|containers
                        embedded: every host in this process on loopback (the default, or
                        the scenario's "runtime:"); containers: every host in its own Docker
                        container at its topology address
${WEB_HELP}  --export-config DIR   write each host's real configuration files (bind9, sendmail, dovecot,
                        accounts) and a README in Korean and English under DIR, then exit
  --no-color            plain output
  -h, --help            this help

While the lab runs, from a second terminal:
  dig @127.0.0.1 -p 5300 naver.com MX           ask the name server
  npm run mailq                                  list Server-B's and Server's queues
  curl pop3://127.0.0.1:1110/1 -u lee:1234       read lee's first letter by POP3
`;

interface Cli {
  values: {
    scenario?: string; list?: boolean; topology?: string; exit?: boolean; step?: boolean; trace?: string;
    transcripts?: boolean; lang?: string; figure?: string; filter?: string; diagram?: boolean; ports?: string;
    data?: string; clean?: boolean; runtime?: string; 'no-color'?: boolean; help?: boolean;
    'export-config'?: string;
  } & WebValues;
}

function fail(message: string): never {
  process.stderr.write(`mail-lab: ${message}\n`);
  process.exit(2);
}

function parse(argv: string[]): Cli {
  try {
    return parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' }, list: { type: 'boolean' }, topology: { type: 'string' }, exit: { type: 'boolean' },
        step: { type: 'boolean' }, trace: { type: 'string' }, transcripts: { type: 'boolean' }, lang: { type: 'string' },
        figure: { type: 'string' }, filter: { type: 'string' }, diagram: { type: 'boolean' }, ports: { type: 'string' },
        data: { type: 'string' }, clean: { type: 'boolean' }, runtime: { type: 'string' }, 'no-color': { type: 'boolean' },
        'export-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' }, ...WEB_ARGS,
      },
      strict: true,
      allowPositionals: false,
    }) as Cli;
  } catch (err) {
    fail(`${(err as Error).message}\nRun "npm run lab -- --help" for the options.`);
  }
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) fail(`--${name} ${value}: write one of ${allowed.join(', ')}`);
  return value as T;
}

const KINDS: HopKind[] = ['dns', 'smtp', 'queue', 'relay', 'mda', 'pop3', 'imap', 'bounce', 'net', 'lab'];

async function main(): Promise<number> {
  const { values } = parse(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const lang: Lang = oneOf('lang', values.lang, ['ko', 'en'] as const, defaultLang());
  const figure: Figure = oneOf('figure', values.figure, ['overview', 'sendmail', 'both'] as const, 'both');
  const ports = oneOf('ports', values.ports, ['fixed', 'auto'] as const, values.diagram ? 'auto' : 'fixed');
  const runtimeOption = values.runtime === undefined ? undefined : oneOf('runtime', values.runtime, ['embedded', 'containers'] as const, 'embedded');
  const filter = values.filter?.split(',').map((k) => k.trim()) as HopKind[] | undefined;
  const unknownKind = filter?.find((k) => !KINDS.includes(k));
  if (unknownKind) fail(`--filter: "${unknownKind}" is not a hop kind; write some of ${KINDS.join(',')}`);
  const webProblem = checkWebValues(values, values.exit === true || values.diagram === true);
  if (webProblem) fail(webProblem);
  const color = !values['no-color'] && process.stdout.isTTY === true && !process.env.NO_COLOR;

  if (values.list) {
    for (const s of listScenarios()) process.stdout.write(`${s.name.padEnd(28)} ${typeof s.title === 'string' ? s.title : s.title[lang]}\n`);
    return 0;
  }

  let scenario;
  try {
    scenario = loadScenario(resolveScenario(values.scenario ?? 'kim-to-lee'));
  } catch (err) {
    fail((err as Error).message);
  }
  const runtime = runtimeOption ?? scenario.runtime;
  let topology;
  try {
    topology = loadTopology(values.topology ? path.resolve(values.topology) : scenario.topology, { ports });
  } catch (err) {
    fail((err as Error).message);
  }
  if (values['export-config']) {
    const { exportConfig } = await import('./export/export-config.ts');
    process.stdout.write(await exportConfig(topology, path.resolve(values['export-config']), lang));
    return 0;
  }
  if (runtime === 'containers' && values.step) {
    // The gate lives in this process; the roles of the containers runtime run in their own.
    fail('--step holds the mail inside the roles, which the containers runtime runs in containers of their own; use --step with the embedded runtime (the default)');
  }
  if (runtime === 'containers') {
    const { containersAvailable } = await import('./runtime/containers.ts');
    const why = await containersAvailable();
    if (why) fail(`--runtime containers: ${why}`);
  }

  const trace = new TraceBus();
  const addresses = Object.fromEntries(topology.hosts.map((h) => [h.name, h.address]));
  const renderer = new TerminalRenderer({ lang, figure, transcripts: values.transcripts, filter, color, addresses });
  const quiet = values.diagram === true;
  const jsonl = values.trace ? writeJsonLines(trace, values.trace) : undefined;
  if (values.step) trace.stepHold.holdOnly((preview) => renderer.shows(preview));
  const gate = values.step ? new StepPrompt(trace, renderer, { lang, figure, filter, addresses }) : undefined;
  /** set once the teacher stops the lab (q, Ctrl-C): from then on nothing more is printed */
  let stoppedByUser = false;
  if (!quiet) trace.on((event) => {
    if (!stoppedByUser) renderer.render(event, gate ? (text) => gate.print(text) : undefined);
  });

  const title = typeof scenario.title === 'string' ? scenario.title : scenario.title[lang];
  if (!quiet) process.stdout.write(`\n== ${title} (${scenario.name}) ==\n\n`);

  let lab: Lab;
  let web: WebView | undefined;
  const labOptions = { runtime, ports, data: values.data ? path.resolve(values.data) : undefined, trace, retry: scenario.retry, dnsTimeoutMs: scenario.dnsTimeout ? toMs(scenario.dnsTimeout) : undefined };
  try {
    lab = await startLab({ ...labOptions, topology, clean: values.clean });
    if (!quiet) web = await startWeb(lab, { values, lang, ports, exit: values.exit === true, options: labOptions }).catch(async (err) => (await lab.stop(), fail((err as Error).message)));
  } catch (err) {
    gate?.close();
    await jsonl?.close();
    const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
    if (e.code === 'EADDRINUSE') {
      fail(`the lab could not start: port ${e.port ?? ''} on ${e.address ?? topology.listen} is in use (another lab, or another program); stop that one, or start this lab with --ports auto`);
    }
    fail(`the lab could not start: ${e.message}`);
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
    process.stdout.write(lang === 'ko' ? '\n실습을 끝냅니다...\n' : '\nStopping the lab...\n');
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
      if (!record.ok && !quiet && !stoppedByUser) process.stdout.write(`\n✗ ${scenario.file}:${record.line}: ${record.error}\n`);
    });
    web?.follow(scenario, running);
    result = await running;
  } catch (err) {
    if (stoppedByUser) return new Promise<number>(() => {});
    await stop();
    fail((err as Error).message);
  }
  // stopped by the user meanwhile: quit() ends the process once the lab is down
  if (stoppedByUser) return new Promise<number>(() => {});
  gate?.close();
  trace.stepHold.setStepMode(false, 'lab');

  if (values.diagram) {
    process.stdout.write(`%% ${lang === 'ko' ? '실습 네트워크' : 'the lab network'}: ${topology.file}\n${topologyGraph(topology, lang)}\n\n`);
    process.stdout.write(`%% ${title}\n${sequenceDiagram(trace.events, topology, lang, figure)}\n`);
  } else printResult(result, lang);
  const exported = await web?.exportRun(lang);
  if (exported) process.stdout.write(`\n${exported}\n`);

  if (values.exit || values.diagram) {
    await stop();
    return result.ok ? 0 : 1;
  }
  process.stdout.write(`\n${addressTable(lab, lang)}\n`);
  process.stdout.write(lang === 'ko' ? '\n실습망이 켜져 있습니다. Ctrl-C로 끝냅니다.\n' : '\nThe lab is up. Ctrl-C stops it.\n');
  await new Promise(() => {});
  return 0;
}

function printResult(result: ScenarioResult, lang: Lang): void {
  process.stdout.write('\n');
  for (const e of result.expectations) {
    const mark = e.ok ? '✓' : '✗';
    process.stdout.write(`${mark} ${e.expected[lang]}\n`);
    if (!e.ok) process.stdout.write(`    ${lang === 'ko' ? '실제' : 'actual'}: ${e.actual[lang]}  (${result.scenario.file}:${e.line})\n`);
  }
  const passed = result.expectations.filter((e) => e.ok).length;
  process.stdout.write(lang === 'ko'
    ? `\n${result.ok ? '성공' : '실패'}: 기대 ${result.expectations.length}개 중 ${passed}개 충족\n`
    : `\n${result.ok ? 'PASS' : 'FAIL'}: ${passed} of ${result.expectations.length} expectations held\n`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`mail-lab: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
