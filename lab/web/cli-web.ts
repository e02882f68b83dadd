import os from 'node:os';
import path from 'node:path';
import type { Lab, LabOptions } from '../runtime/lab.ts';
import type { Lang } from '../trace/language.ts';
import type { WebValues } from './cli-web-options.ts';
import { josa } from '../trace/korean.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ScenarioResult } from '../scenario/runner.ts';
import { Lesson } from './lesson.ts';
import { WebServer, newToken } from './web-server.ts';
import { writeExport } from './export-html.ts';

// Starting the page beside the lab (the web lines of `npm run lab`; their options and help are in
// cli-web-options.ts, which the CLI loads on every start: this file and the web server only when asked).

export { WEB_ARGS, WEB_HELP, WEB_HELP_KO, checkWebValues, type WebValues } from './cli-web-options.ts';

export interface WebStart {
  values: WebValues;
  lang: Lang;
  ports: 'fixed' | 'auto';
  exit: boolean;
  /** how the CLI started the lab, to start it again for a reset or a scenario */
  options: LabOptions;
  write?: (text: string) => void;
}

/** The page beside a running lab (and the recorder for --export-html); undefined when neither is asked for. */
export class WebView {
  readonly lesson: Lesson;
  readonly server: WebServer;
  private readonly exportFile: string | undefined;

  constructor(lesson: Lesson, server: WebServer, exportFile: string | undefined) {
    this.lesson = lesson;
    this.server = server;
    this.exportFile = exportFile;
  }

  /** The scenario the CLI plays, so that the page shows it running and its expectations. */
  follow(scenario: Scenario, running: Promise<ScenarioResult>): void {
    this.lesson.follow(scenario, this.lesson.resetAt, running);
  }

  /** The lab as it is now (a reset from the page starts a new one). */
  get lab(): Lab {
    return this.lesson.lab;
  }

  /** --export-html: write the file; returns the line to print. */
  async exportRun(lang: Lang): Promise<string | undefined> {
    if (!this.exportFile) return undefined;
    await writeExport(this.server.api, this.exportFile);
    return lang === 'ko' ? `기록 파일: ${this.exportFile} (브라우저로 열면 인터넷 없이 다시 볼 수 있습니다)` : `recording: ${this.exportFile} (opens in a browser, offline)`;
  }

  /** Stop the page and the lab it drives. */
  async close(): Promise<void> {
    await this.server.close();
    await this.lesson.stop();
  }
}

export async function startWeb(lab: Lab, start: WebStart): Promise<WebView | undefined> {
  const { values, exit } = start;
  const exportFile = values['export-html'] ? path.resolve(values['export-html']) : undefined;
  const serve = !exit && values.web !== 'off';
  if (!serve && !exportFile) return undefined;
  const write = start.write ?? ((text: string) => process.stdout.write(text));
  const listen = values['web-listen'] ?? lab.topology.listen;
  const loopback = isLoopback(listen);
  const token = loopback ? undefined : newToken();
  const port = values.web === undefined ? (start.ports === 'auto' ? 0 : lab.topology.web ?? 8025) : values.web === 'auto' ? 0 : Number(values.web);
  const lesson = new Lesson(lab, start.options);
  const server = new WebServer(lesson, { listen, port, lang: start.lang, token });
  if (serve) {
    try {
      await server.start();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      await server.close();
      if (e.code === 'EADDRINUSE') {
        throw Object.assign(new Error(`the page's port ${port} on ${listen} is in use; start with --web auto (or --web off)`), {
          ko: `${listen}의 화면 포트 ${port}${josa(String(port), '을')} 이미 쓰고 있습니다. --web auto (또는 --web off)로 시작하세요`,
        });
      }
      throw err;
    }
    const ko = start.lang === 'ko';
    for (const url of publicUrls(listen, server.port)) {
      write(`${ko ? '웹 화면' : 'web'}: ${url}\n`);
      if (token) write(`  ${ko ? '선생님 (조작 가능)' : 'teacher (may act)'}: ${url}?token=${token}\n`);
    }
    if (token) write(ko ? `  학생은 토큰 없이 보기만 합니다. 토큰: ${token}\n` : `  students without the token can only watch. token: ${token}\n`);
  }
  return new WebView(lesson, server, exportFile);
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === 'localhost';
}

/** The addresses a browser types: the listen address, or every IPv4 address of this computer for 0.0.0.0. */
function publicUrls(listen: string, port: number): string[] {
  if (listen !== '0.0.0.0' && listen !== '::') return [`http://${listen.includes(':') ? `[${listen}]` : listen}:${port}/`];
  const addresses = Object.values(os.networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4').map((i) => i!.address);
  return (addresses.length ? addresses : ['127.0.0.1']).map((a) => `http://${a}:${port}/`);
}
