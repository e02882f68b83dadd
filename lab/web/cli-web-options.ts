import net from 'node:net';
import type { Bilingual } from '../trace/hop-event.ts';

// The web options of `npm run lab` and their help: small, loaded on every start. Starting the page
// (cli-web.ts, the web server, the lesson) is loaded only when the page or --export-html is asked for.

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

