import type { ServiceName } from '../topology/schema.ts';
import type { HostContext, Service } from '../host/host-context.ts';
import { startNameServer } from '../dns/name-server.ts';
import { startMailServer } from '../mta/mail-server.ts';
import { startPop3Server } from '../pop3/pop3-server.ts';
import { startImapServer } from '../imap/imap-server.ts';

export interface ServiceOptions {
  /** retry schedule override for the mail server (tests use milliseconds) */
  retry?: string;
}

/** Start one role of a host on a real port: bind9 (dns), sendmail (smtp), dovecot (pop3, imap). */
export async function startService(ctx: HostContext, service: ServiceName, port: number, options: ServiceOptions = {}): Promise<Service> {
  switch (service) {
    case 'dns':
      return startNameServer(ctx, { port });
    case 'smtp':
      return startMailServer(ctx, { port, retry: options.retry });
    case 'pop3':
      return startPop3Server(ctx, { port });
    case 'imap':
      return startImapServer(ctx, { port });
  }
}
