// lab/mta/mail-packages.ts puts a stand-in for nodemailer's fetch (and with it node:http, https
// and zlib) in require's cache; the first call loads the real one. What it stands in for must
// still work: nodemailer's shared helpers fetch an href through it, over a real HTTP server.
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import '../../lab/mta/mail-packages.ts';

const require = createRequire(import.meta.url);

describe("nodemailer's fetch, loaded on first use", () => {
  it('is a stand-in until called; then an href is fetched by the real one, which takes its place', async () => {
    const file = require.resolve('nodemailer/lib/fetch');
    const standIn = require.cache[file]!.exports as { Cookies?: unknown };
    const server = http.createServer((_req, res) => res.end('an attachment by URL'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const shared = require('nodemailer/lib/shared') as { resolveContent: (data: object, key: string, cb: (err: Error | null, value?: Buffer) => void) => void };
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/a.txt`;
      const value = await new Promise<Buffer>((resolve, reject) => shared.resolveContent({ att: { href: url } }, 'att', (err, v) => (err ? reject(err) : resolve(v!))));
      expect(value.toString()).toBe('an attachment by URL');
      const real = require.cache[file]!.exports as { Cookies?: unknown };
      expect(real).not.toBe(standIn);
      expect(typeof real.Cookies).toBe('function');
      expect(standIn.Cookies).toBe(real.Cookies);
    } finally {
      server.close();
    }
  });
});
