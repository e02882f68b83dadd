import { lang } from 'lab-page/i18n.ts';
import { josa } from 'lab-page/josa.ts';

// The page's sentences that name something from the lab, with the particle that fits the name
// (Server-B가, Server를): built here, in Korean and English, rather than pieced together.

const ko = () => lang() === 'ko';

/** A letter was taken: "WinClient에서 보낸 메일을 Server-B가 받았습니다:" (the server's reply follows) */
export function sentBy(pc: string, server: string): string {
  return ko() ? `${pc}에서 보낸 메일을 ${josa(server, '이/가')} 받았습니다:` : `${server} took the letter from ${pc}:`;
}

export function fetchedBy(pc: string, count: number): string {
  return ko() ? `${josa(pc, '이/가')} 메일 ${count}통을 받아 왔습니다` : `${pc} fetched ${count} letter${count === 1 ? '' : 's'}`;
}

export function hostSwitched(host: string, up: boolean): string {
  return ko() ? `${josa(host, '을/를')} ${up ? '다시 켰습니다' : '껐습니다'}` : `${host} is ${up ? 'up again' : 'down'}`;
}

export function serviceSwitched(host: string, service: string, up: boolean): string {
  const name = service.toUpperCase();
  return ko() ? `${host}의 ${josa(name, '을/를')} ${up ? '다시 켰습니다' : '껐습니다'}` : `${host}'s ${name} is ${up ? 'up again' : 'down'}`;
}

export function linkSwitched(a: string, b: string, up: boolean): string {
  return ko() ? `${josa(a, '과/와')} ${b} 사이의 연결을 ${up ? '복구했습니다' : '끊었습니다'}` : `the cable between ${a} and ${b} is ${up ? 'back' : 'pulled'}`;
}

export function flushing(host: string): string {
  return ko() ? `${host}의 메일 큐를 지금 다시 보냅니다 (sendmail -q)` : `${host}: flushing the queue now (sendmail -q)`;
}

export function scenarioStarted(title: string): string {
  return ko() ? `시나리오를 새 실습망에서 시작합니다: ${title}` : `the scenario starts on a fresh lab: ${title}`;
}
