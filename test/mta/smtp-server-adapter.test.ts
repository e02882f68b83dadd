// lab/mta/smtp-server-adapter.ts: the one file that reaches inside smtp-server. It checks at
// start-up that the installed smtp-server is the pinned version and has what it patches, and
// its command hook is on every parser smtp-server makes (a new one after STARTTLS too).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { checkSmtpServer, LabSmtpConnection, LabSmtpServer, SMTP_SERVER_VERSION, withDomain } from '../../lab/mta/smtp-server-adapter.ts';
import type { Peer } from '../../lab/net/lab-net.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');

describe('the smtp-server adapter', () => {
  it('is written for the exact smtp-server that package.json and package-lock.json pin', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    expect(pkg.dependencies['smtp-server']).toBe(SMTP_SERVER_VERSION);
    expect(lock.packages[''].dependencies['smtp-server']).toBe(SMTP_SERVER_VERSION);
    expect(lock.packages['node_modules/smtp-server'].version).toBe(SMTP_SERVER_VERSION);
    expect(() => checkSmtpServer()).not.toThrow();
  });

  it('says which version it wants and what is missing when another smtp-server is installed', () => {
    const connection = { ...Object.fromEntries(Object.getOwnPropertyNames(SMTPConnection.prototype).map((k) => [k, () => {}])) } as Record<string, unknown>;
    delete connection._createParser;
    const wrong = () => checkSmtpServer({ version: '3.22.0', connection, server: SMTPServer.prototype });
    expect(wrong).toThrow(/smtp-server 3\.22\.0 is installed, but lab\/mta\/smtp-server-adapter\.ts is written for smtp-server 3\.21\.6; it lacks SMTPConnection\._createParser\(\)/);
    expect(wrong).toThrow(/npm install smtp-server@3\.21\.6 --save-exact/);
    // the right version, but a connection without the fields the hooks read
    expect(() => checkSmtpServer({ version: SMTP_SERVER_VERSION, connection: SMTPConnection.prototype, server: SMTPServer.prototype, sample: () => ({ name: 'x', session: {} }) })).toThrow(/it lacks SMTPConnection#_parser, SMTPConnection#_nextHandler/);
  });

  it('builds its TLS context only when something looks at it (the lab offers no STARTTLS), and then as smtp-server does', async () => {
    const server = new LabSmtpServer({ logger: false });
    const contexts = (server as unknown as { secureContext: Map<string, unknown> & { built?: unknown } }).secureContext;
    expect(contexts.built).toBeUndefined();
    const plain = (new SMTPServer({ logger: false }) as unknown as { secureContext: Map<string, object> }).secureContext.get('*')!;
    const made = contexts.get('*') as object;
    expect(made.constructor.name).toBe(plain.constructor.name);
    expect(contexts.built).toBeDefined();
    // SNI, as a TLS handshake would ask: the same context
    const bySni = await new Promise((resolve) => (server as unknown as { _resolveSNI(name: string, cb: (err: unknown, ctx: unknown) => void): void })._resolveSNI('mail.naver.com', (_e, ctx) => resolve(ctx)));
    expect(bySni).toBe(made);
  });

  it('puts the lab\'s command hook on a parser made later, as after STARTTLS', () => {
    const connection = new LabSmtpConnection(new SMTPServer({ logger: false }), new net.Socket(), {});
    const seen: string[] = [];
    // a socket that never connected: the replies are only noted
    const replies: string[] = [];
    connection.send = (code: number, data?: string | string[] | null) => void replies.push(`${code} ${data}`);
    connection.lab = { command: (line, info) => (seen.push(`${line} ${info.continuation}`), { code: 500, text: '5.5.2 no' }) };
    const first = connection._parser as unknown as { oncommand(c: Buffer, cb: () => void): void };
    first.oncommand(Buffer.from('NOOP'), () => {});
    // smtp-server's upgrade() replaces the parser with a new one
    const second = connection._createParser() as unknown as { oncommand(c: Buffer, cb: () => void): void };
    second.oncommand(Buffer.from('EHLO again'), () => {});
    expect(seen).toEqual(['NOOP false', 'EHLO again false']);
    expect(replies).toEqual(['500 5.5.2 no', '500 5.5.2 no']);
  });

  it('shuts the socket once QUIT is answered, not waiting for the client to close its side', async () => {
    // smtp-server's own fall-back (a 5 s timer after QUIT) held still: only the adapter can close it
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = new LabSmtpServer({ logger: false, authOptional: true, disabledCommands: ['STARTTLS'] });
    server.hooks = {
      identify: async (): Promise<Peer> => ({ host: 'outside', address: '192.0.2.1' }),
      attach: (connection) => {
        connection.lab = { command: () => undefined };
      },
    };
    let serverSocket: net.Socket | undefined;
    const accepted = new Promise<net.Socket>((resolve) => server.server.once('connection', (s: net.Socket) => resolve((serverSocket = s))));
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const { port } = server.server.address() as net.AddressInfo;
      // a client that keeps its side open after the server's FIN
      const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      client.setEncoding('utf8');
      let text = '';
      client.on('data', (chunk: string) => {
        if (!text.includes('220 ') && (text += chunk).includes('220 ')) client.write('QUIT\r\n');
        else text += chunk;
      });
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      const socket = await accepted;
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await ended;
      expect(text).toMatch(/\r\n221 /);
      expect(client.destroyed).toBe(false);
      client.destroy();
    } finally {
      vi.useRealTimers();
      serverSocket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  it('gives each session an ID of 16 characters of base 32, as smtp-server does, from the lab\'s pool of random bytes', async () => {
    const ids: string[] = [];
    const server = new LabSmtpServer({ logger: false, authOptional: true, disabledCommands: ['STARTTLS'] });
    server.hooks = {
      identify: async (): Promise<Peer> => ({ host: 'outside', address: '192.0.2.1' }),
      attach: (connection) => {
        ids.push((connection as unknown as { id: string }).id);
        connection.lab = { command: () => undefined };
      },
    };
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const { port } = server.server.address() as net.AddressInfo;
      for (let i = 0; i < 3; i++) {
        const client = net.connect({ host: '127.0.0.1', port });
        await new Promise<void>((resolve) => client.once('data', () => resolve()));
        client.destroy();
      }
      expect(ids).toHaveLength(3);
      for (const id of ids) expect(id).toMatch(/^[0-9a-v]{16}$/);
      expect(new Set(ids).size).toBe(3);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('puts the server\'s name first in a 421 that lacks it, after the enhanced code, and never twice', () => {
    expect(withDomain('Timeout - closing connection', 'mail.naver.com')).toBe('mail.naver.com Timeout - closing connection');
    expect(withDomain('4.3.2 Server shutting down', 'mail.naver.com')).toBe('4.3.2 mail.naver.com Server shutting down');
    expect(withDomain('mail.naver.com Too many connected clients, try again in a moment', 'mail.naver.com')).toBe('mail.naver.com Too many connected clients, try again in a moment');
    expect(withDomain('4.4.2 mail.naver.com Command line not completed within 400 ms; closing connection', 'mail.naver.com')).toBe('4.4.2 mail.naver.com Command line not completed within 400 ms; closing connection');
    // a name that only begins the same is not the name
    expect(withDomain('mail.naver.community is not us', 'mail.naver.com')).toBe('mail.naver.com mail.naver.community is not us');
  });
});
