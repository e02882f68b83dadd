// `npm run lab -- --export-config DIR`: for each host of the topology, the files the seed's
// machines carry, under DIR/<Host>/ at their real paths (etc/mail/access ...), with a README in
// Korean and English. Only files are written; nothing here runs.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Host, Topology } from '../topology/types.ts';
import type { Lang } from '../trace/language.ts';
import type { ExportFile } from './export-file.ts';
import { systemFiles } from './system-files.ts';
import { bindFiles } from './bind-files.ts';
import { sendmailFiles, type ChangedLine } from './sendmail-files.ts';
import { dovecotFiles, servesMailboxes } from './dovecot-files.ts';
import { accountsScript } from './accounts-script.ts';
import { hostReadme, indexReadme } from './host-readme.ts';

export interface HostExport {
  host: string;
  files: ExportFile[];
  /** the sendmail.mc lines the lesson changes (mail hosts) */
  changed: ChangedLine[];
}

/** Every host's files, in memory. */
export function configFiles(topology: Topology): HostExport[] {
  return topology.hosts.map((host) => hostFiles(topology, host));
}

function hostFiles(topology: Topology, host: Host): HostExport {
  const files: ExportFile[] = [...systemFiles(topology, host)];
  let changed: ChangedLine[] = [];
  if (host.services.dns !== undefined) files.push(...bindFiles(topology));
  if (host.mail) {
    const sendmail = sendmailFiles(topology, host);
    files.push(...sendmail.files);
    changed = sendmail.changed;
    if (servesMailboxes(host)) files.push(...dovecotFiles(topology, host));
    files.push(accountsScript(host));
  }
  for (const lang of ['ko', 'en'] as const) files.push({ path: `README.${lang}.md`, text: hostReadme({ topology, host, changed }, lang) });
  return { host: host.name, files, changed };
}

/** Write the export under `dir` and say, in the chosen language, what was written. */
export async function exportConfig(topology: Topology, dir: string, lang: Lang): Promise<string> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new Error(`${dir} is a file; give --export-config a folder (it is created if missing)`);
  const hosts = configFiles(topology);
  const lines: string[] = [];
  for (const { host, files } of hosts) {
    for (const file of files) {
      const target = path.join(dir, host, file.path);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.text, { mode: file.mode ?? 0o644 });
      if (file.mode) await fs.chmod(target, file.mode);
    }
    lines.push(`  ${host}/  ${files.map((f) => (f.path.startsWith('etc/') ? `/${f.path}` : f.path)).join(' ')}`);
  }
  for (const l of ['ko', 'en'] as const) await fs.writeFile(path.join(dir, `README.${l}.md`), indexReadme(topology, l));
  const head = lang === 'ko' ? `실제 컴퓨터에 옮길 설정 파일을 ${dir}에 썼습니다 (호스트마다 README.ko.md, README.en.md):` : `Wrote the real machines' configuration files to ${dir} (a README.ko.md and README.en.md per host):`;
  return `${head}\n${lines.join('\n')}\n`;
}
