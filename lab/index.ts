// mail-lab's public API, for people writing their own tests against a lab.
export { startLab, Lab, DEFAULT_TOPOLOGY, type LabOptions } from './runtime/lab.ts';
export { runScenario, type RunScenarioOptions, type RunScenarioResult } from './scenario/run-scenario.ts';
export { loadScenario, listScenarios, ScenarioError } from './scenario/load.ts';
export { loadTopology, TopologyError } from './topology/load.ts';
export { TraceBus, type HopPreview, type StepGate } from './trace/trace-bus.ts';
export { StepHold, HoldAborted, type HeldHop, type HoldNews } from './trace/step-hold.ts';
export { LabClock, type Clock, type LabTimer } from './trace/lab-clock.ts';
export { STEPS, SENDMAIL_ORDER } from './trace/steps.ts';
export type { HopEvent, HopKind, HopStatus, TranscriptLine, StepLabels } from './trace/hop-event.ts';
export type { MailboxLetter } from './runtime/mailbox-view.ts';
export type { QueueEntry } from './runtime/queue-view.ts';
export type { Topology, Host } from './topology/types.ts';
export type { ClientPc, Letter, SendResult, FetchedLetter } from './client/client-pc.ts';
export type { ScenarioResult } from './scenario/runner.ts';
export type { ExpectationResult } from './scenario/expectations.ts';
