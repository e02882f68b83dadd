import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTopology, parseTopology, TopologyError } from '../../lab/topology/load.ts';

const CLASSROOM = path.join(import.meta.dirname, '..', '..', 'topology', 'classroom.yaml');
const classroomText = fs.readFileSync(CLASSROOM, 'utf8');

/** Parse a variant of the classroom file placed in the topology folder (so the zone paths resolve). */
function variant(edit: (text: string) => string) {
  return () => parseTopology(edit(classroomText), CLASSROOM);
}

function errorOf(fn: () => unknown): TopologyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TopologyError) return err;
    throw err;
  }
  throw new Error('expected a TopologyError, got none');
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('the classroom topology', () => {
  it('loads the seed lab: four hosts on 192.168.111.0/24 with their roles', () => {
    const t = loadTopology(CLASSROOM);
    expect(t.network).toBe('192.168.111.0/24');
    const byName = Object.fromEntries(t.hosts.map((h) => [h.name, h]));
    expect(byName.Server.address).toBe('192.168.111.100');
    expect(byName.Server.hostname).toBe('mail.naver.com');
    expect(byName.Server.services).toEqual({ dns: 5300, smtp: 2525, pop3: 1110, imap: 1143 });
    expect(byName['Server-B'].address).toBe('192.168.111.200');
    expect(byName['Server-B'].resolver).toBe('Server');
    expect(byName['Server-B'].services).toEqual({ smtp: 2526, pop3: 1111, imap: 1144 });
    expect(byName.Client.client?.account).toBe('lee@naver.com');
    expect(byName.WinClient.client?.server).toBe('Server-B');
    expect(t.zones.map((z) => z.origin).sort()).toEqual(['daum.net', 'naver.com']);
  });

  it('with ports auto, every service port is 0 (chosen by the OS)', () => {
    const t = loadTopology(CLASSROOM, { ports: 'auto' });
    for (const h of t.hosts) for (const p of Object.values(h.services)) expect(p).toBe(0);
  });
});

describe('a bad topology is rejected with the file, the line and the fix', () => {
  it('unknown host as resolver', () => {
    const text = classroomText.replace('resolver: Server\n    services: { smtp: 2526', 'resolver: DNS-Box\n    services: { smtp: 2526');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.message).toContain('classroom.yaml:');
    expect(err.line).toBe(lineOf(text, 'resolver: DNS-Box'));
    // the hosts that run DNS are the ones to name
    expect(err.message).toMatch(/resolver "DNS-Box" is not a host here; write one of: Server$/);
  });

  it('unknown host as mail server of a client', () => {
    const text = classroomText.replace('server: Server-B, read', 'server: Server-C, read');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'Server-C'));
    expect(err.message).toMatch(/mail server "Server-C" is not a host here; write one of: Server, Server-B/);
  });

  it('duplicate address', () => {
    const text = classroomText.replace('address: 192.168.111.200', 'address: 192.168.111.100');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(text.split('\n').findIndex((l, i) => l.includes('address: 192.168.111.100') && i > lineOf(text, 'Server-B:') - 1) + 1);
    expect(err.message).toMatch(/Server-B has the address 192.168.111.100, which Server already has/);
  });

  it('address outside the network', () => {
    const text = classroomText.replace('address: 192.168.111.131', 'address: 10.0.0.131');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, '10.0.0.131'));
    expect(err.message).toMatch(/outside the lab network 192.168.111.0\/24; give it an address in that network, e.g. 192.168.111.100/);
  });

  it('missing zone file', () => {
    const text = classroomText.replace('zones/daum.net.zone', 'zones/daum.zone');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'zones/daum.zone'));
    expect(err.message).toMatch(/zone file zones\/daum.zone for daum.net not found/);
  });

  it('two services on one port', () => {
    const text = classroomText.replace('{ smtp: 2526, pop3: 1111', '{ smtp: 2526, pop3: 2525');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'pop3: 2525'));
    expect(err.message).toMatch(/Server-B's pop3 port 2525 is already used by Server's smtp/);
  });

  it('a user on a host that takes no mail for that domain', () => {
    const text = classroomText.replace('lee: { password: "1234"', '"lee@daum.net": { password: "1234"');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'lee@daum.net'));
    expect(err.message).toMatch(/user lee@daum.net is on Server, which takes no mail for daum.net/);
  });

  it("a client account its server does not take mail for", () => {
    const text = classroomText.replace('account: lee@naver.com', 'account: lee@daum.net');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'account: lee@daum.net'));
    expect(err.message).toMatch(/account lee@daum.net is on Server, which takes no mail for daum.net/);
  });

  it('an unknown key, with its line', () => {
    const text = classroomText.replace('    hostname: mail.daum.net', '    hostnam: mail.daum.net');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'hostnam: mail.daum.net'));
    expect(err.message).toMatch(/unknown key "hostnam"/);
  });

  it('a malformed address', () => {
    const text = classroomText.replace('address: 192.168.111.132', 'address: 192.168.111');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(text.split('\n').findIndex((l) => l.trimEnd().endsWith('address: 192.168.111')) + 1);
    expect(err.message).toMatch(/"192\.168\.111" is not an IPv4 address; write four numbers 0-255 separated by dots/);
  });

  it('192.168.111.300 is not an IPv4 address (not "outside the network")', () => {
    const text = classroomText.replace('address: 192.168.111.200', 'address: 192.168.111.300');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, '192.168.111.300'));
    expect(err.message).toMatch(/hosts\.Server-B\.address: "192\.168\.111\.300" is not an IPv4 address/);
    expect(err.ko).toMatch(/"192\.168\.111\.300"는 IPv4 주소가 아닙니다/);
  });

  it('a misspelt key is named on its own line, with "did you mean"', () => {
    const text = classroomText.replace('    address: 192.168.111.200', '    adress: 192.168.111.200');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'adress:'));
    expect(err.message).toMatch(/hosts\.Server-B\.adress: unknown key "adress"; did you mean address\?/);
    expect(err.ko).toMatch(/모르는 키 "adress"입니다\. "address"를 쓰려던 것인가요\?/);
  });

  it('password: 1234 is a number to YAML: quote it', () => {
    const text = classroomText.replace('lee: { password: "1234"', 'lee: { password: 1234');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'lee: { password: 1234'));
    expect(err.message).toMatch(/password: 1234 is read as a number; quote it to make it text: "1234"/);
    expect(err.ko).toMatch(/1234는 숫자로 읽힙니다\. 따옴표로 감싸/);
  });

  it('resolver: Client (a host without a name server) suggests the hosts that run DNS', () => {
    const text = classroomText.replace('    resolver: Server\n    services: { smtp: 2526', '    resolver: Client\n    services: { smtp: 2526');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'resolver: Client'));
    expect(err.message).toMatch(/Server-B's resolver Client runs no name server; write Server \(the host that runs DNS\)/);
    expect(err.ko).toMatch(/네임 서버가 있는 Server를 쓰세요/);
  });

  it('a YAML syntax error points at the line that is wrong', () => {
    const text = classroomText.replace('services: { smtp: 2526, pop3: 1111, imap: 1144 }', 'services: { smtp: 2526, pop3: 1111, imap: 1144');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.line).toBe(lineOf(text, 'services: { smtp: 2526'));
    expect(err.message).toMatch(/YAML syntax: the "\{" opened on this line is never closed; end the line with "\}"/);
  });

  it('YAML syntax errors name the line', () => {
    const text = classroomText.replace('network: 192.168.111.0/24', 'network: [192.168.111.0/24');
    const err = errorOf(() => parseTopology(text, CLASSROOM));
    expect(err.message).toMatch(/YAML syntax/);
    expect(err.line).toBeGreaterThan(0);
  });

  it('a file that does not exist', () => {
    const err = errorOf(() => loadTopology(path.join(os.tmpdir(), 'no-such-topology.yaml')));
    expect(err.message).toMatch(/cannot read the topology file \(ENOENT\)/);
  });

  it('a bad zone file names the zone file and line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-topo-'));
    fs.mkdirSync(path.join(dir, 'zones'));
    fs.writeFileSync(path.join(dir, 'zones', 'naver.com.zone'), '$TTL 3H\n@ IN SOA @ root. ( 2 1D 1H 1W 1H )\n  IN MX mail.naver.com.\n');
    fs.copyFileSync(path.join(path.dirname(CLASSROOM), 'zones', 'daum.net.zone'), path.join(dir, 'zones', 'daum.net.zone'));
    fs.writeFileSync(path.join(dir, 'lab.yaml'), classroomText);
    expect(() => loadTopology(path.join(dir, 'lab.yaml'))).toThrow(/naver\.com\.zone:3:/);
  });
  void variant;
});
