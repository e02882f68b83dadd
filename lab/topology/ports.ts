// The ports every host listens on in the lab network (and in the containers), the real ones.
// Apart from schema.ts so that the lab network and the runtimes can have them without zod.
import type { ServiceName } from './schema.ts';

export const STANDARD_PORTS: Record<ServiceName, number> = { dns: 53, smtp: 25, pop3: 110, imap: 143 };
