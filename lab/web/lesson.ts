import fs from 'node:fs/promises';
import { startLab, type Lab, type LabOptions } from '../runtime/lab.ts';
import type { Topology } from '../topology/types.ts';
import type { ServiceName } from '../topology/schema.ts';
import { webModules } from './web-modules.ts';
import { runActions, type ScenarioResult } from '../scenario/runner.ts';
import type { Scenario } from '../scenario/schema.ts';
import { toMs } from '../scenario/duration.ts';
import type { TraceBus } from '../trace/trace-bus.ts';
import type { Bilingual } from '../trace/hop-event.ts';

/** What the page hears about a scenario: started, then its expectations. */
export interface ScenarioRun {
  name: string;
  title: Bilingual;
  state: 'running' | 'done' | 'failed';
  /** the trace's seq when it started: its hops are the ones after */
  fromSeq: number;
  error?: string;
  expectations?: { ok: boolean; expected: Bilingual; actual: Bilingual; line: number }[];
}

/**
 * The running lab as the page drives it: one lab at a time on one trace bus. A reset or a
 * scenario stops it and starts a new one on a clean data folder, at the same real ports (so the
 * addresses printed in the terminal stay true), with the scenario's topology and retry schedule.
 * Every action goes through the Lab API, as the CLI and the scenarios do, so it works in both
 * runtimes.
 */
export class Lesson {
  lab: Lab;
  readonly trace: TraceBus;
  private readonly base: LabOptions;
  /** the data folder was a temporary one (--ports auto without --data): removed at the end */
  private readonly temporaryData: boolean;
  /** the trace's seq at the last reset: the page shows the hops after it */
  resetAt = 0;
  scenario: ScenarioRun | undefined;
  /** the client PC that sends first in the scenario played: the figures put its side on the left */
  lead: string | undefined;
  restarting = false;
  private readonly listeners = new Set<(what: 'reset' | 'scenario') => void>();

  constructor(lab: Lab, base: LabOptions) {
    this.lab = lab;
    this.trace = lab.trace;
    this.base = base;
    this.temporaryData = base.ports === 'auto' && !base.data;
  }

  onChange(listener: (what: 'reset' | 'scenario') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(what: 'reset' | 'scenario'): void {
    for (const listener of this.listeners) listener(what);
  }

  get busy(): { en: string; ko: string } | undefined {
    if (this.restarting) return { en: 'the lab is restarting', ko: '실습망을 다시 시작하는 중입니다' };
    if (this.scenario?.state === 'running') return { en: `the scenario ${this.scenario.name} is still running`, ko: `${this.scenario.name} 시나리오가 아직 실행 중입니다` };
    return undefined;
  }

  /** Follow a scenario the CLI runs itself (the one on its command line). */
  follow(scenario: Scenario, fromSeq: number, running: Promise<ScenarioResult>): void {
    this.scenario = { name: scenario.name, title: bilingual(scenario.title), state: 'running', fromSeq };
    const send = scenario.actions.find((a) => 'send' in a);
    if (send && 'send' in send && send.send.from !== 'outside') this.lead = send.send.from;
    this.changed('scenario');
    running.then((result) => this.finished(result), (err: Error) => this.failed(err));
  }

  /** Stop the lab and start it again on an empty data folder. */
  async reset(topology: Topology = this.lab.topology, extra: Pick<LabOptions, 'retry' | 'dnsTimeoutMs'> = {}): Promise<void> {
    const busy = this.busy;
    if (busy) throw new Conflict({ en: `${busy.en}; wait until it ends`, ko: `${busy.ko}. 끝날 때까지 기다리세요` });
    this.restarting = true;
    // Hops held in step mode go on first (into a lab that is stopping), so no role waits forever;
    // the new lab holds again as the old one did.
    const stepMode = this.trace.stepHold.stepMode;
    this.trace.stepHold.setStepMode(false, 'web');
    try {
      const dataDir = this.lab.dataDir;
      const pinned = this.lab.runtime.kind === 'embedded' ? pinPorts(topology, this.lab) : topology;
      await this.lab.stop();
      this.lab = await startLab({ ...this.base, ...extra, topology: pinned, data: dataDir, clean: true, trace: this.trace });
      this.resetAt = this.trace.events.at(-1)?.seq ?? this.resetAt;
      this.scenario = undefined;
    } finally {
      this.restarting = false;
      this.trace.stepHold.setStepMode(stepMode, 'web');
    }
    this.changed('reset');
  }

  /** The shipped scenarios, by name and title. */
  scenarios(): { name: string; title: Bilingual }[] {
    return webModules().listScenarios().map((s) => ({ name: s.name, title: bilingual(s.title) }));
  }

  /** Play a shipped scenario on a fresh lab with its topology; resolves once it has started. */
  async play(name: string): Promise<void> {
    if (!this.scenarios().some((s) => s.name === name)) throw new Conflict({ en: `no shipped scenario "${name}"`, ko: `"${name}" 시나리오는 없습니다` });
    const { loadScenario, resolveScenario, loadTopology } = webModules();
    const scenario = loadScenario(resolveScenario(name));
    const ports = this.base.ports ?? 'fixed';
    const topology = scenario.topology === this.lab.topology.file ? this.lab.topology : loadTopology(scenario.topology, { ports });
    await this.reset(topology, { retry: scenario.retry, dnsTimeoutMs: scenario.dnsTimeout ? toMs(scenario.dnsTimeout) : undefined });
    this.follow(scenario, this.resetAt, runActions(this.lab, scenario));
  }

  private finished(result: ScenarioResult): void {
    if (!this.scenario) return;
    const failedAction = result.actions.find((a) => !a.ok);
    this.scenario = {
      ...this.scenario,
      state: result.ok ? 'done' : 'failed',
      error: failedAction ? `${result.scenario.file}:${failedAction.line}: ${failedAction.error}` : undefined,
      expectations: result.expectations.map((e) => ({ ok: e.ok, expected: e.expected, actual: e.actual, line: e.line })),
    };
    this.changed('scenario');
  }

  private failed(err: Error): void {
    if (!this.scenario) return;
    this.scenario = { ...this.scenario, state: 'failed', error: err.message };
    this.changed('scenario');
  }

  async stop(): Promise<void> {
    const dataDir = this.lab.dataDir;
    await this.lab.stop();
    if (this.temporaryData) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** An action that cannot be done now (a 409 for the page), as opposed to bad input (a 400); said in English and Korean. */
export class Conflict extends Error {
  readonly ko: string;
  constructor(message: { en: string; ko: string }) {
    super(message.en);
    this.ko = message.ko;
  }
}

function bilingual(title: string | Bilingual): Bilingual {
  return typeof title === 'string' ? { ko: title, en: title } : title;
}

/** The same real ports as the running lab, host by host, so that a restart listens where it did. */
function pinPorts(topology: Topology, lab: Lab): Topology {
  const hosts = topology.hosts.map((host) => {
    const services = { ...host.services };
    for (const service of Object.keys(services) as ServiceName[]) {
      try {
        services[service] = lab.port(host.name, service);
      } catch {
        // a host or service the running lab does not have: keep the topology's port
      }
    }
    return { ...host, services };
  });
  return { ...topology, hosts };
}
