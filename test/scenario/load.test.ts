import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenario, listScenarios, resolveScenario, ScenarioError } from '../../lab/scenario/load.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-lab-scenario-'));
let n = 0;
function write(text: string): string {
  const file = path.join(dir, `s${++n}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}
function errorOf(file: string): ScenarioError {
  try {
    loadScenario(file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

const CLASSROOM = path.join(import.meta.dirname, '..', '..', 'topology', 'classroom.yaml');
const GOOD = `name: mine
title: my scenario
topology: ${CLASSROOM}
actions:
  - send: { from: WinClient, to: lee@naver.com, subject: hi, body: hello }
  - wait: { for: delivered, host: Server }
expect:
  - mailbox: { host: Server, user: lee, subject: hi }
`;

describe('scenario files', () => {
  it('every shipped scenario loads, and the required ones are there', () => {
    const names = listScenarios().map((s) => s.name);
    for (const name of ['kim-to-lee', 'kim-to-lee-imap', 'lee-replies-to-kim', 'unknown-user-bounce', 'relay-denied-from-outside', 'server-down-then-up', 'dns-down', 'no-mx-implicit-a', 'unknown-domain-bounce', 'several-recipients']) {
      expect(names).toContain(name);
    }
  });

  it('a good file loads, with each action and expectation line', () => {
    const s = loadScenario(write(GOOD));
    expect(s.actions).toHaveLength(2);
    expect(s.lines.actions).toEqual([5, 6]);
    expect(s.lines.expect).toEqual([8]);
    expect(s.topology).toMatch(/topology[/\\]classroom\.yaml$/);
  });

  it('an unknown action names its line and the actions there are', () => {
    const err = errorOf(write(GOOD.replace('  - wait: { for: delivered, host: Server }', '  - pause: 3s')));
    expect(err.line).toBe(6);
    // actions are numbered as a teacher counts them, from 1
    expect(err.message).toMatch(/action 2 \(pause\): not an action.*one of send, fetch, wait/);
    expect(err.ko).toMatch(/동작 2 \(pause\): 동작이 아닙니다/);
  });

  it('a wrong value inside an action names the field', () => {
    const err = errorOf(write(GOOD.replace('for: delivered', 'for: arrived')));
    expect(err.line).toBe(6);
    expect(err.message).toMatch(/wait\.for.*delivered/);
  });

  it('a bad address says what to write', () => {
    const err = errorOf(write(GOOD.replace('to: lee@naver.com', 'to: lee')));
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/an address such as lee@naver.com/);
  });

  it('an unknown expectation names its line', () => {
    const err = errorOf(write(GOOD.replace('  - mailbox: { host: Server, user: lee, subject: hi }', '  - inbox: { host: Server }')));
    expect(err.line).toBe(8);
    expect(err.message).toMatch(/expectation 1 \(inbox\): not an expectation; an expectation is one of mailbox, queue, steps/);
  });

  it('a missing title', () => {
    const err = errorOf(write(GOOD.replace('title: my scenario\n', '')));
    expect(err.message).toMatch(/title: missing/);
  });

  it('YAML syntax errors name the line', () => {
    const err = errorOf(write(GOOD.replace('  - wait: { for: delivered, host: Server }', '  - wait: { for: delivered, host: Server')));
    expect(err.message).toMatch(/YAML syntax: the "\{" opened on this line is never closed; end the line with "\}"/);
    // the line that is wrong, not where the parser gave up
    expect(err.line).toBe(6);
  });

  it('a host the topology does not have is caught at load, with its line', () => {
    const err = errorOf(write(GOOD.replace('wait: { for: delivered, host: Server }', 'wait: { for: delivered, host: Sever }')));
    expect(err.line).toBe(6);
    expect(err.message).toMatch(/action 2 \(wait\): no host "Sever" in classroom\.yaml; write one of: Server, Server-B, Client, WinClient/);
    const pc = errorOf(write(GOOD.replace('from: WinClient', 'from: Server')));
    expect(pc.line).toBe(5);
    expect(pc.message).toMatch(/action 1 \(send\): Server is not a client PC; write one of: Client, WinClient/);
    expect(pc.ko).toMatch(/동작 1 \(send\): Server는 클라이언트 PC가 아닙니다/);
    const mailbox = errorOf(write(GOOD.replace('mailbox: { host: Server,', 'mailbox: { host: Serverr,')));
    expect(mailbox.line).toBe(8);
    expect(mailbox.message).toMatch(/expectation 1 \(mailbox\): no host "Serverr"/);
  });

  it('a topology file that is not there is named at the scenario\'s topology line (found by npm run fuzz)', () => {
    const err = errorOf(write(GOOD.replace(`topology: ${CLASSROOM}`, 'topology: 1ms*100000')));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/topology: there is no file 1ms\*100000 .*such as \.\.\/topology\/classroom\.yaml/);
    expect(err.ko).toMatch(/topology: 1ms\*100000 파일이 없습니다/);
  });

  it('an unknown scenario name lists the ones there are', () => {
    expect(() => resolveScenario('kim-to-park')).toThrow(/no scenario named "kim-to-park"; write one of: .*kim-to-lee/);
  });
});
