// A small lab for the DNS tests: the classroom topology (its real zone files) plus a test zone,
// Server's name server on an OS-chosen port, bound into the lab network as 192.168.111.100:53.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { execFile, execFileSync } from 'node:child_process';
import { Packet } from 'dns2';
import { loadTopology } from '../../lab/topology/load.ts';
import { parseZone } from '../../lab/topology/zone-file.ts';
import { LoopbackNet } from '../../lab/net/lab-net.ts';
import { TraceBus } from '../../lab/trace/trace-bus.ts';
import { StubResolver } from '../../lab/net/resolver.ts';
import { startNameServer, type NameServer } from '../../lab/dns/name-server.ts';
import { clockAndLogin, type HostContext } from '../../lab/host/host-context.ts';
import { MailStore } from '../../lab/mailbox/mail-store.ts';
import type { Topology } from '../../lab/topology/types.ts';

const run = promisify(execFile);

export const CLASSROOM = path.resolve(import.meta.dirname, '../../topology/classroom.yaml');

/** A zone for what the classroom zones do not show: aliases, long answers, NODATA. */
export const SCHOOL_ZONE = `$TTL 1H
@        IN SOA ns.school.test. admin.school.test. ( 7 1D 1H 1W 5M )
         IN NS  ns
ns       IN A   192.168.111.100
www      IN CNAME web
web      IN A   192.168.111.50
alias    IN CNAME www            ; two hops
mailhost IN CNAME mail.naver.com. ; into another lab zone
away     IN CNAME www.google.com. ; out of the lab
dangling IN CNAME nothing         ; to a name that does not exist
loop1    IN CNAME loop2
loop2    IN CNAME loop1
onlya    IN A   192.168.111.60    ; no MX: the implicit MX (RFC 5321 section 5.1)
two      IN MX  20 b
         IN MX  10 a
a        IN A   192.168.111.61
b        IN A   192.168.111.62
x.empty  IN A   192.168.111.63    ; empty.school.test exists, with no records of its own
nomail   IN MX  0 .              ; a null MX: takes no mail (RFC 7505)
text     IN TXT "v=spf1 mx -all" "second; string"
${Array.from({ length: 40 }, (_, i) => `big IN A 10.0.0.${i + 1}`).join('\n')}
`;

export interface DnsLab {
  topology: Topology;
  net: LoopbackNet;
  trace: TraceBus;
  server: NameServer;
  ctx: HostContext;
  resolver(from: string, timeoutMs?: number): StubResolver;
  close(): Promise<void>;
}

export async function startDnsLab(options: { trace?: TraceBus } = {}): Promise<DnsLab> {
  const topology = loadTopology(CLASSROOM, { ports: 'auto' });
  topology.zones.push(parseZone(SCHOOL_ZONE, 'school.test', 'school.test.zone'));
  const net = new LoopbackNet(topology);
  // every outside query whole: these tests read the server's own hops (the sampler has its own, test/trace/outside-sampler.test.ts)
  const trace = options.trace ?? new TraceBus(undefined, { outside: false });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-'));
  const host = topology.hosts.find((h) => h.name === 'Server')!;
  const resolver = (from: string, timeoutMs = 2000) => new StubResolver({ net, from, nameServer: 'Server', trace, timeoutMs });
  const ctx: HostContext = {
    host, topology, net, trace, resolver: resolver('Server'),
    dataDir: path.join(dataDir, 'Server'), listen: topology.listen, ...clockAndLogin(host, { clock: trace.clock }),
    mailStore: new MailStore(path.join(dataDir, 'Server', 'mail')),
  };
  const server = await startNameServer(ctx, { port: 0 });
  net.bind('Server', 'dns', server.port);
  return {
    topology, net, trace, server, ctx, resolver,
    async close() {
      await server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const hasDig = (() => {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface QueryOptions {
  id?: number;
  rd?: 0 | 1;
  opcode?: number;
  cls?: number;
  /** add an OPT record (RFC 6891) */
  edns?: { version?: number; size?: number };
}

/** A DNS query as bytes, built with dns2's Packet. */
export function buildQuery(name: string, type: keyof typeof Packet.TYPE, options: QueryOptions = {}): Buffer {
  const packet = new Packet();
  packet.header = new Packet.Header({ id: options.id ?? 4242, rd: options.rd ?? 1, opcode: options.opcode ?? 0 });
  packet.questions.push(new Packet.Question(name, Packet.TYPE[type], options.cls ?? Packet.CLASS.IN));
  if (options.edns) packet.additionals.push(Packet.Resource.EDNS([], { version: options.edns.version, udpPayloadSize: options.edns.size ?? 1232 }));
  return packet.toBuffer();
}

/** Send datagrams from outside the lab (a plain socket) and resolve with the first answer. */
export async function askUdp(port: number, ...datagrams: Buffer[]): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  try {
    const answer = new Promise<Buffer>((resolve) => socket.once('message', (msg) => resolve(msg)));
    await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
    for (const d of datagrams) socket.send(d);
    return await answer;
  } finally {
    socket.close();
  }
}

/** Send length-prefixed messages over one TCP connection and collect `count` answers. */
export async function askTcp(port: number, messages: Buffer[], count = messages.length): Promise<Buffer[]> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.write(Buffer.concat(messages.map((m) => Buffer.concat([u16(m.length), m]))));
    const answers: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    for await (const chunk of socket) {
      buffered = Buffer.concat([buffered, chunk as Buffer]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        answers.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (answers.length >= count) break;
    }
    return answers;
  } finally {
    socket.destroy();
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** dig's output, split into what the tests look at. */
export interface DigResult {
  status: string;
  flags: string[];
  sections: Record<string, string[]>;
  raw: string;
}

export async function dig(port: number, ...args: string[]): Promise<DigResult> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=5', '+tries=1', ...args]);
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? '';
  const flags = (/;; flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/);
  const sections: Record<string, string[]> = {};
  let current = '';
  for (const line of stdout.split('\n')) {
    const heading = /^;; (\w+) SECTION:/.exec(line);
    if (heading) current = heading[1];
    else if (!line.trim() || line.startsWith(';')) current = line.startsWith(';') ? current : '';
    else if (current) (sections[current] ??= []).push(line.trim().split(/\s+/).join(' '));
  }
  return { status, flags, sections, raw: stdout };
}
