import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { Lab, LabOptions } from '../runtime/lab.ts';
import type { Lang } from '../trace/language.ts';
import type { Bilingual } from '../trace/hop-event.ts';
import { josa } from '../trace/korean.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ScenarioResult } from '../scenario/runner.ts';
import { Lesson } from './lesson.ts';
import { WebServer, newToken } from './web-server.ts';
import { writeExport } from './export-html.ts';

// The web lines of `npm run lab`: the options, their help, and starting the page beside the lab.

export const WEB_ARGS = {
  web: { type: 'string' },
  'web-listen': { type: 'string' },
  'export-html': { type: 'string' },
} as const;

export const WEB_HELP_KO = `  --web 포트|auto|off    브라우저 화면 (기본: 설정 파일의 "web:" 포트, classroom.yaml에서는 8025;
                         --ports auto이면 auto): 실습망을 교재의 그림으로 실시간으로 보여 주고,
                         단계별 실행, 메일 쓰기, 장애, 시나리오를 다룹니다. --exit와는 함께 쓰지 않습니다
  --web-listen 주소      설정 파일의 주소 대신 이 주소로 화면을 엽니다 (0.0.0.0: 교실 네트워크).
                         이때 조작하려면 여기에 찍히는 토큰이 있어야 합니다
  --export-html 파일     실행이 끝나면 그 기록(그림, 단계, 자세한 내용, 이전/다음/재생)을 인터넷
                         없이 열리는 HTML 파일 하나로 씁니다. --exit와 함께 씁니다
`;

export const WEB_HELP = `  --web PORT|auto|off   the browser view (default: the topology's "web:" port, 8025 in
                        classroom.yaml; auto with --ports auto): the lab as the seed's figures,
                        live, with step mode, sending, faults and scenarios; not with --exit
  --web-listen ADDR     serve the page on ADDR (0.0.0.0: the classroom network) instead of the
                        topology's listen address; actions then need the token printed here
  --export-html FILE    after the run, write one self-contained HTML file of it (figures, hops,
                        details, Back/Next/Play) that opens offline; with --exit
`;

export interface WebValues {
  web?: string;
  'web-listen'?: string;
  'export-html'?: string;
}

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

/** Check --web, --web-listen and --export-html; a message saying what to write instead, or undefined. */
export function checkWebValues(values: WebValues, exit: boolean): Bilingual | undefined {
  const web = values.web;
  if (web !== undefined && web !== 'auto' && web !== 'off' && !/^\d{1,5}$/.test(web)) return { ko: `--web ${web}: 포트 번호(8025), auto, off 중 하나를 쓰세요`, en: `--web ${web}: write a port (8025), auto or off` };
  if (web !== undefined && /^\d+$/.test(web) && Number(web) > 65535) return { ko: `--web ${web}: 포트 번호는 65535까지입니다`, en: `--web ${web}: a port is at most 65535` };
  const listen = values['web-listen'];
  if (listen !== undefined && net.isIP(listen) === 0) return { ko: `--web-listen ${listen}: 0.0.0.0 (이 컴퓨터의 모든 네트워크)이나 192.168.0.10 같은 IP 주소를 쓰세요`, en: `--web-listen ${listen}: write an IP address, such as 0.0.0.0 (every network of this computer) or 192.168.0.10` };
  if (values['export-html'] !== undefined && !exit) return { ko: '--export-html 파일은 실행이 끝난 뒤에 기록을 씁니다: --exit와 함께 쓰세요', en: '--export-html FILE writes the run once it is over: use it with --exit' };
  return undefined;
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
