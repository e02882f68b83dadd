// /etc/hostname and /etc/hosts: the seed renames each server (mail.naver.com) before anything
// else, because sendmail takes its own name from there.
import type { Host, Topology } from '../topology/types.ts';
import { shownPath } from '../host/config-refs.ts';
import { isHostname, machineName, type ExportFile } from './export-file.ts';

export function systemFiles(topology: Topology, host: Host): ExportFile[] {
  const name = machineName(host);
  const short = name.split('.')[0];
  const lines = [
    '127.0.0.1\tlocalhost',
    `127.0.1.1\t${name}${short !== name ? `\t${short}` : ''}`,
    '',
    `# the lab network ${topology.network} (${shownPath(topology.file)})`,
  ];
  for (const other of topology.hosts) {
    if (!isHostname(other.hostname)) continue;
    lines.push(`${other.address}\t${other.hostname.toLowerCase()}`);
  }
  lines.push('', '::1\tlocalhost ip6-localhost ip6-loopback', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters');
  return [
    { path: 'etc/hostname', text: `${name}\n` },
    { path: 'etc/hosts', text: `${lines.join('\n')}\n` },
  ];
}
