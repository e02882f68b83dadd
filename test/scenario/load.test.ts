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

const GOOD = `name: mine
title: my scenario
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
    expect(s.lines.actions).toEqual([4, 5]);
    expect(s.lines.expect).toEqual([7]);
    expect(s.topology).toMatch(/topology[/\\]classroom\.yaml$/);
  });

  it('an unknown action names its line and the actions there are', () => {
    const err = errorOf(write(GOOD.replace('  - wait: { for: delivered, host: Server }', '  - pause: 3s')));
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/actions\.1: not an action.*one of send, fetch, wait/);
  });

  it('a wrong value inside an action names the field', () => {
    const err = errorOf(write(GOOD.replace('for: delivered', 'for: arrived')));
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/wait\.for.*delivered/);
  });

  it('a bad address says what to write', () => {
    const err = errorOf(write(GOOD.replace('to: lee@naver.com', 'to: lee')));
    expect(err.line).toBe(4);
    expect(err.message).toMatch(/an address such as lee@naver.com/);
  });

  it('an unknown expectation names its line', () => {
    const err = errorOf(write(GOOD.replace('  - mailbox: { host: Server, user: lee, subject: hi }', '  - inbox: { host: Server }')));
    expect(err.line).toBe(7);
    expect(err.message).toMatch(/not an expectation; an expectation is one of mailbox, queue, steps/);
  });

  it('a missing title', () => {
    const err = errorOf(write(GOOD.replace('title: my scenario\n', '')));
    expect(err.message).toMatch(/title: missing/);
  });

  it('YAML syntax errors name the line', () => {
    const err = errorOf(write(GOOD.replace('  - wait: { for: delivered, host: Server }', '  - wait: { for: delivered, host: Server')));
    expect(err.message).toMatch(/YAML syntax/);
    expect(err.line).toBeGreaterThanOrEqual(5);
  });

  it('an unknown scenario name lists the ones there are', () => {
    expect(() => resolveScenario('kim-to-park')).toThrow(/no scenario named "kim-to-park"; write one of: .*kim-to-lee/);
  });
});
