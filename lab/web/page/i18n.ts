import type { Bilingual, Lang } from 'lab-page/types.ts';

// Every word the page shows, in Korean (the seed's terms) and English. Korean is written here
// first, not translated from the English.

const WORDS = {
  title: { ko: '메일 실습망', en: 'Mail lab' },
  overview: { ko: '개요 그림', en: 'Overview' },
  detail: { ko: '센드메일 상세 그림', en: 'Inside the servers' },
  overviewStep: { ko: '개요', en: 'overview' },
  sendmailStep: { ko: '센드메일', en: 'sendmail' },
  events: { ko: '이벤트 목록', en: 'Event list' },
  time: { ko: '시간', en: 'Time' },
  from: { ko: '보낸 곳', en: 'From' },
  to: { ko: '받는 곳', en: 'To' },
  protocol: { ko: '프로토콜', en: 'Protocol' },
  status: { ko: '상태', en: 'Status' },
  summary: { ko: '설명', en: 'Summary' },
  numberedOnly: { ko: '번호 있는 단계만', en: 'numbered steps only' },
  noHops: { ko: '아직 이벤트가 없습니다. 메일을 보내 보세요.', en: 'No hops yet. Send a letter.' },
  details: { ko: '자세히', en: 'Details' },
  transcript: { ko: '대화 내용', en: 'Transcript' },
  files: { ko: '건드린 파일', en: 'Files touched' },
  fileGone: { ko: '(읽기 전에 지워졌습니다)', en: '(gone before it could be read)' },
  dnsQuestion: { ko: '질문 섹션', en: 'Question section' },
  dnsAnswer: { ko: '답 섹션', en: 'Answer section' },
  replies: { ko: '응답 코드', en: 'Reply codes' },
  config: { ko: '이 단계를 정한 설정', en: 'The configuration that decided it' },
  addedReceived: { ko: '이 서버가 붙인 Received 줄', en: 'the Received line this server added' },
  headers: { ko: '헤더', en: 'Headers' },
  body: { ko: '본문', en: 'Body' },
  raw: { ko: '원본', en: 'Raw source' },
  queue: { ko: '메일 큐', en: 'Mail queue' },
  queueEmpty: { ko: '메일 큐가 비어 있습니다', en: 'Mail queue is empty' },
  mailboxes: { ko: '메일 박스', en: 'Mailboxes' },
  mailboxEmpty: { ko: '메일이 없습니다', en: 'no mail' },
  zones: { ko: '네임 서버 영역', en: 'Zones served' },
  id: { ko: 'ID', en: 'ID' },
  age: { ko: '대기 시간', en: 'Age' },
  sender: { ko: '보낸 사람', en: 'Sender' },
  recipients: { ko: '받는 사람', en: 'Recipients' },
  lastError: { ko: '마지막 오류', en: 'Last error' },
  nextTry: { ko: '다음 시도', en: 'Next try' },
  now: { ko: '지금', en: 'now' },
  subject: { ko: '제목', en: 'Subject' },
  date: { ko: '날짜', en: 'Date' },
  close: { ko: '닫기', en: 'Close' },
  reply: { ko: '답장', en: 'Reply' },
  compose: { ko: '메일 쓰기', en: 'Write a letter' },
  send: { ko: '보내기', en: 'Send' },
  pc: { ko: '보내는 메일 클라이언트', en: 'Client PC' },
  body2: { ko: '내용', en: 'Body' },
  welcome: { ko: '안녕하세요! 메일 서버 실습입니다.', en: 'Hello! This is the mail server lab.' },
  fetchPop3: { ko: 'POP3로 받기', en: 'Fetch by POP3' },
  fetchImap: { ko: 'IMAP으로 받기', en: 'Fetch by IMAP' },
  faults: { ko: '장애', en: 'Faults' },
  hostDown: { ko: '끄기', en: 'down' },
  hostUp: { ko: '켜기', en: 'up' },
  down: { ko: '꺼짐', en: 'down' },
  linkDown: { ko: '연결 끊기', en: 'pull the cable' },
  linkUp: { ko: '연결 복구', en: 'plug it back' },
  flush: { ko: '메일 큐 다시 보내기 (sendmail -q)', en: 'Flush queue (sendmail -q)' },
  scenario: { ko: '시나리오', en: 'Scenario' },
  run: { ko: '실행', en: 'Run' },
  reset: { ko: '초기화', en: 'Reset' },
  resetAsk: { ko: '실습망을 깨끗한 데이터 폴더로 다시 시작할까요? 메일 큐와 메일 박스가 모두 비워집니다.', en: 'Restart the lab on a clean data folder? Every queue and mailbox is emptied.' },
  export: { ko: '기록 내보내기', en: 'Export' },
  step: { ko: '단계별 실행', en: 'Step mode' },
  stepUnavailable: {
    ko: '컨테이너 실행에서는 단계별 실행을 쓸 수 없습니다: 메일을 붙잡아 두는 곳이 센드메일 서비스와 dovecot 서비스 안인데, 컨테이너 실행에서는 이 서비스들이 각자의 컨테이너에서 돕니다. 단계별로 보려면 내장 실행(기본값, --runtime 없이)으로 시작하세요.',
    en: 'Step mode is not available in the containers runtime: the mail is held inside the sendmail and dovecot services, and there each of them runs in a container of its own. Start the lab in the embedded runtime (the default, without --runtime) to go step by step.',
  },
  stepUnavailableShort: { ko: '(컨테이너 실행에서는 안 됨)', en: '(not in the containers runtime)' },
  keyStep: { ko: '단계마다 메일을 붙잡아 둡니다 (--step)', en: 'hold the mail before every step (--step)' },
  runtimeEmbedded: { ko: '내장 실행', en: 'embedded' },
  runtimeContainers: { ko: '컨테이너 실행', en: 'containers' },
  back: { ko: '이전', en: 'Back' },
  next: { ko: '다음', en: 'Next' },
  play: { ko: '재생', en: 'Play' },
  pause: { ko: '멈춤', en: 'Pause' },
  speed: { ko: '속도', en: 'Speed' },
  held: { ko: '다음 단계 (메일이 여기서 기다립니다)', en: 'Next hop (the mail waits here)' },
  projector: { ko: '프로젝터', en: 'Projector' },
  keys: { ko: '단축키', en: 'Keys' },
  keyNext: { ko: 'Enter, Space, →: 다음', en: 'Enter, Space, →: next' },
  keyBack: { ko: '←, b: 이전 단계 다시 보기', en: '←, b: previous hop again' },
  keyPlay: { ko: 'p: 재생/멈춤', en: 'p: play/pause' },
  keyFigure: { ko: 'f: 그림 바꾸기', en: 'f: switch figure' },
  keyLang: { ko: 'l: 한국어/English', en: 'l: 한국어/English' },
  keyProjector: { ko: 'v: 프로젝터 모드', en: 'v: projector mode' },
  keyCompose: { ko: 'c: 메일 쓰기', en: 'c: write a letter' },
  watchOnly: { ko: '보기 전용 (조작하려면 선생님 주소의 토큰이 필요합니다)', en: 'watching only (acting needs the teacher\'s token)' },
  recording: { ko: '기록 파일 (오프라인)', en: 'Recording (offline)' },
  live: { ko: '실시간', en: 'live' },
  offline: { ko: '연결 끊김, 다시 연결 중…', en: 'disconnected, reconnecting…' },
  running: { ko: '실행 중', en: 'running' },
  passed: { ko: '성공', en: 'passed' },
  failed: { ko: '실패', en: 'failed' },
  sent: { ko: '보냈습니다', en: 'sent' },
  refused: { ko: '거부됨', en: 'refused' },
  lan: { ko: '실습망', en: 'lab network' },
  nameServer: { ko: '네임 서버', en: 'name server' },
  mailServer: { ko: '메일 서버', en: 'mail server' },
  mailClient: { ko: '메일 클라이언트', en: 'mail client' },
  sendmailService: { ko: '센드메일 서비스', en: 'sendmail service' },
  mailQueue: { ko: '메일 큐', en: 'mail queue' },
  mda: { ko: 'MDA', en: 'MDA' },
  mailbox: { ko: '메일 박스', en: 'mailbox' },
  dovecotService: { ko: 'dovecot 서비스', en: 'dovecot service' },
  bind9: { ko: '네임 서버 (bind9)', en: 'name server (bind9)' },
  language: { ko: 'English', en: '한국어' },
  runtime: { ko: '실행 방식', en: 'runtime' },
  summaryOf: { ko: '요약', en: 'Summary' },
  queueId: { ko: '큐 ID', en: 'queue ID' },
  messageId: { ko: 'Message-ID', en: 'Message-ID' },
  letterFrom: { ko: '보낸 사람', en: 'From' },
  letterTo: { ko: '받는 사람', en: 'To' },
  expectations: { ko: '기대 결과', en: 'Expectations' },
  sidePanel: { ko: '자세히 보기와 실습망 상태', en: 'Details and the lab\'s state' },
  labControls: { ko: '실습 조작', en: 'Lab controls' },
  noSubject: { ko: '(제목 없음)', en: '(no subject)' },
  bytes: { ko: '바이트', en: 'bytes' },
  mdaNote: { ko: '로컬 배달 / SMTP', en: 'local / SMTP' },
  statusOk: { ko: '성공', en: 'ok' },
  statusDeferred: { ko: '연기됨', en: 'deferred' },
  statusBounced: { ko: '반송됨', en: 'bounced' },
  statusRefused: { ko: '거부됨', en: 'refused' },
  statusFailed: { ko: '실패', en: 'failed' },
  rcptPending: { ko: '보낼 차례', en: 'pending' },
  rcptDeferred: { ko: '연기됨', en: 'deferred' },
  rcptDelivered: { ko: '배달됨', en: 'delivered' },
  rcptBounced: { ko: '반송됨', en: 'bounced' },
  protoQueue: { ko: '큐', en: 'QUEUE' },
  protoBounce: { ko: '반송', en: 'BOUNCE' },
  protoNet: { ko: '네트워크', en: 'NET' },
  protoLab: { ko: '실습망', en: 'LAB' },
  fetchDone: { ko: '받아 온 메일', en: 'letters fetched' },
  notSent: { ko: '보내지 못했습니다', en: 'not sent' },
  notFetched: { ko: '받아 오지 못했습니다', en: 'not fetched' },
  notInRecording: { ko: '이 기록 파일에는 없습니다', en: 'not in this recording' },
  unreachable: { ko: '실습망에 연결할 수 없습니다. 실습망이 아직 실행 중인지(npm run lab을 실행한 터미널) 확인하고 다시 해 보세요', en: 'the lab could not be reached: check that it still runs (the terminal of npm run lab) and try again' },
  recordingOnly: { ko: '기록 파일입니다: 조작하려면 실습망이 켜져 있어야 합니다', en: 'this is a recording: actions need the running lab' },
  letterShown: { ko: '그림의 메일', en: 'Letter shown' },
  latestLetter: { ko: '가장 최근 메일 (따라가기)', en: 'the latest letter (follow)' },
  letterOnly: { ko: '이 메일만', en: 'this letter only' },
  letterColumn: { ko: '메일', en: 'Letter' },
  thisLetter: { ko: '이 메일', en: 'This letter' },
} satisfies Record<string, Bilingual>;

export type Word = keyof typeof WORDS;

let current: Lang = 'ko';

export function setLang(lang: Lang): void {
  current = lang;
  document.documentElement.lang = lang;
}

export function lang(): Lang {
  return current;
}

export function t(word: Word): string {
  return WORDS[word][current];
}

/** A bilingual text from the lab (a hop's summary) in the page's language. */
export function tr(text: Bilingual | undefined): string {
  return text ? text[current] : '';
}

/** Korean where the browser or the lab says so, unless the teacher switched (kept in this browser). */
export function initialLang(labLang: Lang): Lang {
  const chosen = localStorage.getItem('mail-lab.lang');
  if (chosen === 'ko' || chosen === 'en') return chosen;
  if (labLang === 'ko' || navigator.languages.some((l) => /^ko\b/i.test(l))) return 'ko';
  return 'en';
}

/** "메일 2통", "2 letters" */
export function letterCount(n: number): string {
  return current === 'ko' ? `메일 ${n}통` : `${n} letter${n === 1 ? '' : 's'}`;
}
