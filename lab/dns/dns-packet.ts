// dns2's wire format (its Packet class), without the rest of dns2. The package's entry loads its
// DNS-over-HTTPS server and clients too, and with them node:http2, node:https and Node's undici:
// about a fifth of the builtin modules a lab loads at start, and none of them used (the lab's
// sockets are its own, see name-server.ts). Its exports map names only the entry, so the file is
// loaded by its path beside the entry; the types are the entry's own.
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Packet as PacketClass } from 'dns2';

const require = createRequire(import.meta.url);

export const Packet: typeof PacketClass = require(path.join(path.dirname(require.resolve('dns2')), 'packet.js'));
export type Packet = PacketClass;
export type { Resource } from 'dns2';
