// dns2's wire format (its Packet class), without the rest of dns2. The package's entry loads its
// DNS-over-HTTPS server and clients too, and with them node:http2, node:https and Node's undici:
// about a fifth of the builtin modules a lab loads at start, and none of them used (the lab's
// sockets are its own, see name-server.ts). Its exports map names only the entry, so the file is
// loaded by its path beside the entry; the types are the entry's own.
//
// packet.js loads node:crypto as it loads (2 MB of an idle lab's memory) for one function; while
// it loads, a resolve hook gives it lazy-crypto.cjs instead, which loads node:crypto when that
// function is first called. The hook is gone once packet.js is loaded (see mail-packages.ts).
import path from 'node:path';
import { createRequire, registerHooks } from 'node:module';
import type { Packet as PacketClass } from 'dns2';

const require = createRequire(import.meta.url);
const PACKET = path.join(path.dirname(require.resolve('dns2')), 'packet.js');
const LAZY_CRYPTO = new URL('./lazy-crypto.cjs', import.meta.url).href;

const cryptoHook = registerHooks({
  resolve(specifier, context, next) {
    if ((specifier === 'node:crypto' || specifier === 'crypto') && context.parentURL?.includes('/node_modules/dns2/')) {
      return { url: LAZY_CRYPTO, format: 'commonjs', shortCircuit: true };
    }
    return next(specifier, context);
  },
});
let loaded: typeof PacketClass;
try {
  loaded = require(PACKET);
} finally {
  cryptoHook.deregister();
}
export const Packet: typeof PacketClass = loaded;
export type Packet = PacketClass;
export type { Resource } from 'dns2';
