// A whole lab (startLab, the embedded runtime) on topology/classroom.yaml as shipped, or edited
// first (a Korean user, a relay rule, small limits): the YAML is read, changed and parsed by
// the real loader, so defaults and checks are the real ones. Ports chosen by the OS.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseTopology } from '../../lab/topology/load.ts';
import { startLab, type Lab, type LabOptions } from '../../lab/runtime/lab.ts';
import type { EmbeddedRuntime } from '../../lab/runtime/embedded.ts';
import type { MailServer } from '../../lab/mta/mail-server.ts';
import { SmtpTestClient } from './lab-fixture.ts';

export const TOPOLOGY_DIR = path.resolve(import.meta.dirname, '../../topology');
export const CLASSROOM_YAML = path.join(TOPOLOGY_DIR, 'classroom.yaml');

/** The classroom topology, changed by `edit` (the YAML as plain data), with OS-chosen ports. */
export function editedTopology(edit: (doc: any) => void = () => {}) {
  const doc = YAML.parse(fs.readFileSync(CLASSROOM_YAML, 'utf8'));
  edit(doc);
  // the zones stay relative to topology/
  return parseTopology(YAML.stringify(doc), path.join(TOPOLOGY_DIR, 'edited-for-a-test.yaml'), { ports: 'auto' });
}

export async function startEditedLab(edit?: (doc: any) => void, options: LabOptions = {}): Promise<Lab> {
  return startLab({ topology: editedTopology(edit), ports: 'auto', retry: '100ms*5', failedLoginDelayMs: 5, ...options });
}

export function runtimeOf(lab: Lab): EmbeddedRuntime {
  return lab.runtime as EmbeddedRuntime;
}

export function mailServerOf(lab: Lab, host: string): MailServer {
  return runtimeOf(lab).hosts.get(host)!.services.smtp as MailServer;
}

/** An SMTP session from a lab host (WinClient, Client, ...) to a mail host's port 25. */
export function smtpFromHost(lab: Lab, from: string, toHost: string) {
  const address = lab.topology.hosts.find((h) => h.name === toHost)!.address;
  return SmtpTestClient.fromHost(runtimeOf(lab), from, address);
}

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
