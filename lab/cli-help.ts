// `npm run lab -- --help`, in the class's language (LANG=ko_KR.UTF-8 or --lang ko: Korean).
import type { Lang } from './trace/language.ts';
import { WEB_HELP, WEB_HELP_KO } from './web/cli-web-options.ts';

const EN = `mail-lab: the two-domain mail lab (naver.com, daum.net) of the sendmail/dovecot/bind9 lesson.

Usage: npm run lab -- [options]

  --scenario NAME|PATH  the scenario to play (default kim-to-lee); see --list
  --list                list the shipped scenarios and exit
  --topology PATH       the lab's topology file (default: the scenario's, topology/classroom.yaml)
  --exit                stop after the scenario; exit status 0 only if every expectation held
                        (without it the lab keeps running for dig, telnet, curl and mail
                        programs until Ctrl-C)
  --step                hold the mail before every numbered hop; in a terminal one key acts:
                        Enter goes on, b shows the previous hop again (with its transcript and
                        the letter), t switches transcripts, q stops the lab; with piped input
                        each line goes on by one hop. Waits and time-outs stand still while a
                        hop is held. Embedded runtime only
  --letter              show the letter's header (decoded) wherever a hop changes it, the
                        lines that hop added marked with +
  --trace FILE          write every hop event as JSON Lines to FILE
  --transcripts         show each hop's protocol transcript (SMTP, DNS, POP3, IMAP)
  --lang ko|en          language of everything printed (default from LANG: ko for ko_KR.*)
  --figure overview|sendmail|both
                        which of the seed's numberings to show (default both: "②·③" is the
                        overview figure's ② and the sendmail figure's ③)
  --filter KINDS        show (and in --step hold) only these protocols or hop kinds,
                        comma-separated: dns, smtp (with the relay), queue, relay, mda, pop3,
                        imap, bounce, net
  --diagram             print the topology as a Mermaid graph and the scenario's hops as a
                        Mermaid sequence diagram (runs the scenario with --ports auto), then exit
  --ports fixed|auto    fixed: the topology's classroom ports (DNS 5300, SMTP 2525/2526,
                        POP3 1110/1111, IMAP 1143/1144); auto: ports chosen by the OS and a data
                        folder of its own, so many labs can run at once (default fixed)
  --data DIR            where queues and mailboxes live (default var/<topology name>, e.g.
                        var/classroom; kept across runs, so a crash or Ctrl-C loses no mail; a
                        run judges only the letters it sends itself)
  --clean               empty the data folder before starting
  --runtime embedded|containers
                        embedded: every host in this process on loopback (the default, or
                        the scenario's "runtime:"); containers: every host in its own Docker
                        container at its topology address
${WEB_HELP}  --export-config DIR   write each host's real configuration files (bind9, sendmail, dovecot,
                        accounts) and a README in Korean and English under DIR, then exit
  --no-color            plain output
  -h, --help            this help

Exit status: 0 every expectation held, 1 one did not (or an action failed), 2 a bad option or
file, 130 stopped by the user (q or Ctrl-C).

While the lab runs, from a second terminal:
  dig @127.0.0.1 -p 5300 naver.com MX           ask the name server
  npm run mailq                                  list Server-B's and Server's queues
  curl pop3://127.0.0.1:1110/1 -u lee:1234       read lee's first letter by POP3
`;

const KO = `mail-lab: sendmail, dovecot, bind9 수업의 두 도메인(naver.com, daum.net) 메일 실습망입니다.

사용법: npm run lab -- [옵션]

  --scenario 이름|경로   실행할 시나리오 (기본 kim-to-lee); --list로 목록을 봅니다
  --list                 들어 있는 시나리오 목록을 보이고 끝냅니다
  --topology 경로        실습망 설정 파일 (기본: 시나리오의 것, topology/classroom.yaml)
  --exit                 시나리오가 끝나면 실습망을 끕니다. 확인 항목이 모두 통과해야 종료
                         코드 0 (없으면 Ctrl-C를 누를 때까지 켜져 있어 dig, telnet, curl,
                         메일 클라이언트로 접속해 볼 수 있습니다)
  --step                 번호가 붙은 단계마다 메일을 멈춰 둡니다. 터미널에서는 키 하나로:
                         Enter 진행, b 이전 단계 다시 보기 (대화 내용과 메일 머리글까지),
                         t 대화 내용 켜기/끄기, q 끝내기. 파이프로 입력하면 한 줄에 한 단계씩
                         진행합니다. 멈춰 있는 동안에는 기다림과 시간 제한도 멈춥니다
                         (embedded 런타임에서만)
  --letter               단계가 메일 머리글을 바꿀 때마다 머리글을 (디코딩해서) 보이고, 그
                         단계에서 붙은 줄에 + 표시를 합니다
  --trace 파일           모든 단계를 JSON Lines로 파일에 씁니다
  --transcripts          단계마다 프로토콜 대화 내용(SMTP, DNS, POP3, IMAP)을 보입니다
  --lang ko|en           출력 언어 (기본은 LANG에 따라: ko_KR.*이면 한국어)
  --figure overview|sendmail|both
                         교재의 어느 번호를 쓸지 (기본 both: "②·③"은 [전체 과정] 그림의 ②,
                         [센드메일 상세 원리] 그림의 ③)
  --filter 종류          이 프로토콜이나 단계 종류만 보입니다 (--step에서는 이것만 멈춥니다).
                         쉼표로 구분: dns, smtp (전달 포함), queue, relay, mda, pop3, imap,
                         bounce, net
  --diagram              실습망을 Mermaid 그래프로, 시나리오의 단계를 Mermaid 시퀀스
                         다이어그램으로 출력하고 끝냅니다 (--ports auto로 실행)
  --ports fixed|auto     fixed: 설정 파일의 교실 포트 (DNS 5300, SMTP 2525/2526,
                         POP3 1110/1111, IMAP 1143/1144); auto: 운영체제가 고른 포트와 따로 쓰는
                         데이터 폴더 (여러 실습망을 함께 켤 때) (기본 fixed)
  --data 폴더            메일 큐와 메일 박스가 있는 폴더 (기본 var/<설정 이름>, 예: var/classroom.
                         실행이 끝나도 남아 있어 갑자기 꺼져도 메일을 잃지 않습니다. 각 실행은
                         자기가 보낸 메일만 확인합니다)
  --clean                시작하기 전에 데이터 폴더를 비웁니다
  --runtime embedded|containers
                         embedded: 모든 호스트를 이 프로세스에서 루프백으로 (기본, 또는
                         시나리오의 "runtime:"); containers: 호스트마다 Docker 컨테이너 하나를
                         설정 파일의 주소로
${WEB_HELP_KO}  --export-config 폴더   호스트마다 실제 설정 파일(bind9, sendmail, dovecot, 계정)과 한국어·영어
                         README를 폴더에 쓰고 끝냅니다
  --no-color             색 없이 출력합니다
  -h, --help             이 도움말

종료 코드: 0 확인 항목이 모두 통과, 1 통과하지 못한 항목이 있음 (또는 동작이 실패함),
2 잘못된 옵션이나 파일, 130 사용자가 멈춤 (q 또는 Ctrl-C).

실습망이 켜져 있는 동안 다른 터미널에서:
  dig @127.0.0.1 -p 5300 naver.com MX           네임 서버에 묻기
  npm run mailq                                  Server-B와 Server의 메일 큐 보기
  curl pop3://127.0.0.1:1110/1 -u lee:1234       lee의 첫 메일을 POP3로 읽기
`;

export function helpText(lang: Lang): string {
  return lang === 'ko' ? KO : EN;
}
