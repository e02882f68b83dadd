// node:tls for smtp-server and nodemailer (mail-packages.ts sends them here): Node's own module,
// loaded the first time one of them uses it. Both read it as
// `__importDefault(require('node:tls')).default.connect(...)`, so the check for __esModule is
// answered here without loading it; every other name loads it.
'use strict';

let tls;
const real = () => (tls ??= require('node:tls'));

module.exports = new Proxy(
  {},
  {
    get: (_target, key) => (key === '__esModule' ? undefined : real()[key]),
    has: (_target, key) => key in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      if (descriptor) descriptor.configurable = true; // a proxy may not call fixed what its target lacks
      return descriptor;
    },
  },
);
