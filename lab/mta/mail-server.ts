// The sendmail role of one mail host: the SMTP listener, the MDA, the queue and its runner.
// The runtime starts it with the host's context; `close()` stops it without losing mail
// (what was acknowledged is on disk; the queue carries on at the next start).
import path from 'node:path';
import type { HostContext, Service } from '../host/host-context.ts';
import { Queue } from './queue.ts';
import { QueueRunner } from './queue-runner.ts';
import { Mda } from './mda.ts';
import { SmtpListener } from './smtp-listener.ts';
import { queueIdOfTopReceived } from './headers.ts';

export interface MailServerOptions {
  /** the real port to listen on (0: the OS chooses) */
  port: number;
  /** retry schedule override (tests: '50ms*3'); default the host's mail.retry */
  retry?: string;
}

export interface MailServer extends Service {
  readonly port: number;
  readonly queue: Queue;
  readonly runner: QueueRunner;
  readonly mda: Mda;
  readonly listener: SmtpListener;
  close(): Promise<void>;
}

export async function startMailServer(ctx: HostContext, options: MailServerOptions): Promise<MailServer> {
  if (!ctx.host.mail) throw new Error(`${ctx.host.name} has no "mail:" section in ${ctx.topology.file}: it runs no MTA`);
  const hostname = ctx.host.hostname ?? ctx.host.mail.domains[0];
  const queue = new Queue(path.join(ctx.dataDir, 'queue'), { hostname });
  const mda = new Mda(ctx);
  const runner = new QueueRunner({
    ctx,
    queue,
    // The queue ID is the one in our own Received field on top (the runner does not pass it).
    deliverLocal: (recipient, message, envelope) => mda.deliver(recipient, message, envelope, { queueId: queueIdOfTopReceived(message, hostname) }),
    schedule: options.retry,
  });
  // The queue first: what a previous run left behind is loaded before new mail arrives.
  await runner.start();
  const listener = new SmtpListener(ctx, { queue, mda, kick: () => runner.kick() });
  let port: number;
  try {
    port = await listener.listen(options.port);
  } catch (err) {
    await runner.stop();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    port,
    queue,
    runner,
    mda,
    listener,
    close() {
      closing ??= (async () => {
        await listener.close();
        await runner.stop();
      })();
      return closing;
    },
  };
}
