// bind9 on a host that runs the name server: a zone stanza per zone in named.conf.local (Ubuntu's
// place for local zones) and each zone file, copied byte for byte, so that "MX from
// /etc/bind/naver.com.db line 8" in a hop's details is line 8 of the exported file too.
import { fs } from '../node-builtins.ts';
import type { Topology } from '../topology/types.ts';
import { REAL, zoneRealFile } from '../host/real-files.ts';
import { shownPath } from '../host/config-refs.ts';
import type { ExportFile } from './export-file.ts';

export function bindFiles(topology: Topology): ExportFile[] {
  const stanzas = topology.zones.map((zone) => [
    `zone "${zone.origin}" IN {`,
    '\ttype master;',
    `\tfile "${zoneRealFile(zone.origin)}";`,
    '};',
  ].join('\n'));
  const conf = [
    `// ${REAL.namedConfLocal}: the lab's zones (mail-lab, ${shownPath(topology.file)}).`,
    '// named.conf includes this file; check it with: sudo named-checkconf -z',
    '',
    stanzas.join('\n\n'),
    '',
  ].join('\n');
  return [
    { path: REAL.namedConfLocal.slice(1), text: conf },
    ...topology.zones.map((zone) => ({ path: zoneRealFile(zone.origin).slice(1), text: fs.readFileSync(zone.file, 'utf8') })),
  ];
}
