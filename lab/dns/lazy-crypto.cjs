// node:crypto for dns2's packet.js (dns-packet.ts sends it here): packet.js takes randomInt as it
// loads, for the ID of a packet made without one, and node:crypto is loaded at that first call
// (the lab's own DNS IDs come from net/resolver.ts, which loads it at its first query).
'use strict';

exports.randomInt = (...args) => require('node:crypto').randomInt(...args);
