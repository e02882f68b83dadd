// lab/mta/mail-packages.ts gives smtp-server and nodemailer's SMTP client stand-ins that load
// what they stand for on first use: node:tls (lazy-tls.cjs) and nodemailer's fetch (with
// node:http, https and zlib). What they stand in for must still work, over real sockets:
// STARTTLS on both sides, and an attachment fetched by URL.
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { smtpPackages } from '../../lab/mta/mail-packages.ts';

const { client: SMTPClient, server: { SMTPServer } } = smtpPackages();

const require = createRequire(import.meta.url);

describe('what smtp-server and nodemailer load on first use', () => {
  it("node:tls: smtp-server's STARTTLS and nodemailer's client upgrade one session through the stand-in, and a letter goes over it", async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      logger: false,
      authOptional: true,
      onData(stream, session, callback) {
        let text = '';
        stream.on('data', (d: Buffer) => (text += d));
        stream.on('end', () => {
          received.push(`${session.secure} ${text.trim()}`);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    const client = new SMTPClient({ host: '127.0.0.1', port, requireTLS: true, tls: { rejectUnauthorized: false }, logger: false });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('error', reject);
        client.connect(() => resolve());
      });
      await new Promise<void>((resolve, reject) => client.send({ from: 'kim@daum.net', to: ['lee@naver.com'] }, 'Subject: tls\r\n\r\nover TLS\r\n', (err) => (err ? reject(err) : resolve())));
      expect(client.secure).toBe(true);
      // both packages' node:tls was the stand-in
      expect(Object.keys(require.cache).some((f) => f.endsWith('/lab/mta/lazy-tls.cjs'))).toBe(true);
      expect(received).toEqual(['true Subject: tls\r\n\r\nover TLS']);
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("nodemailer's fetch: a stand-in until called; then an href is fetched by the real one, which takes its place", async () => {
    const file = require.resolve('nodemailer/lib/fetch');
    const standIn = require.cache[file]!.exports as { Cookies?: unknown };
    const web = http.createServer((_req, res) => res.end('an attachment by URL'));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const shared = require('nodemailer/lib/shared') as { resolveContent: (data: object, key: string, cb: (err: Error | null, value?: Buffer) => void) => void };
      const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/a.txt`;
      const value = await new Promise<Buffer>((resolve, reject) => shared.resolveContent({ att: { href: url } }, 'att', (err, v) => (err ? reject(err) : resolve(v!))));
      expect(value.toString()).toBe('an attachment by URL');
      const real = require.cache[file]!.exports as { Cookies?: unknown };
      expect(real).not.toBe(standIn);
      expect(typeof real.Cookies).toBe('function');
      expect(standIn.Cookies).toBe(real.Cookies);
    } finally {
      web.close();
    }
  });
});
