// What the runner and a host's container say to each other (containers runtime): hop lines and
// clock lines (`{"clock": epoch ms}`, see hop-merge.ts) on the container's stdout, and one-line
// commands on a control socket inside it. Kept apart from container-host.ts so that
// `docker exec ... container-control.ts` loads almost nothing.

export const CONTROL_SOCKET = '/tmp/mail-lab-control.sock';

/** A hop event line, as the runner reads it from a container's stdout. */
export interface HopLine {
  hop: unknown;
  /** epoch ms (epochMs), so the runner can place it on the lab's own clock */
  time: number;
}

/**
 * Now as epoch ms, with the fraction of a ms (the process's start on the wall clock, plus the
 * monotonic time since): the runner orders two hosts' hops by it (hop-merge.ts). Date.now()
 * gave a relay's step 4-5 and the next server's step 6-7, a fraction of a ms apart, the same
 * time now and then, and the merge then took them in the order their lines came in.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
