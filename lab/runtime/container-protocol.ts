// What the runner and a host's container say to each other (containers runtime): hop lines and
// clock lines (`{"clock": epoch ms}`, see hop-merge.ts) on the container's stdout, and one-line commands on a control socket inside it. Kept apart from
// container-host.ts so that `docker exec ... container-control.ts` loads almost nothing.

export const CONTROL_SOCKET = '/tmp/mail-lab-control.sock';

/** A hop event line, as the runner reads it from a container's stdout. */
export interface HopLine {
  hop: unknown;
  /** epoch ms, so the runner can place it on the lab's own clock */
  time: number;
}
