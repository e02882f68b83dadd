// A request the page may not make as it is: a 400 (or the status given) with the reason in
// English and Korean. Apart from requests.ts (the schemas, which need zod) so that the web server
// can answer with it before the schemas are loaded.
import type { Topology } from '../topology/types.ts';
import type { Bilingual } from '../trace/hop-event.ts';
import { josa } from './page/josa.ts';

export class BadRequest extends Error {
  readonly status: number;
  readonly ko: string;
  constructor(message: string | Bilingual, status = 400) {
    super(typeof message === 'string' ? message : message.en);
    this.status = status;
    this.ko = typeof message === 'string' ? message : message.ko;
  }
}

/** A host that must exist in the topology, and be of the wanted sort. */
export function requireHost(topology: Topology, name: string, sort?: 'client' | 'mail'): void {
  const host = topology.hosts.find((h) => h.name === name);
  const names = (hosts: Topology['hosts']) => hosts.map((h) => h.name).join(', ');
  if (!host) throw new BadRequest({ en: `no host "${name}" in this lab; hosts: ${names(topology.hosts)}`, ko: `실습망에 "${name}" 호스트가 없습니다. 호스트: ${names(topology.hosts)}` });
  if (sort === 'client' && !host.client) {
    const pcs = names(topology.hosts.filter((h) => h.client));
    throw new BadRequest({ en: `${name} is not a client PC; client PCs: ${pcs}`, ko: `${josa(name, '은/는')} 메일 클라이언트가 아닙니다. 메일 클라이언트: ${pcs}` });
  }
  if (sort === 'mail' && !host.mail) {
    const servers = names(topology.hosts.filter((h) => h.mail));
    throw new BadRequest({ en: `${name} is not a mail server; mail servers: ${servers}`, ko: `${josa(name, '은/는')} 메일 서버가 아닙니다. 메일 서버: ${servers}` });
  }
}
