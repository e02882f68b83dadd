// nodemailer and smtp-server, by their CommonJS builds. Both packages ship an ES module build
// too, and there `import http from 'node:http'` (nodemailer's fetch, which smtp-server loads
// through nodemailer) makes Node build the module's whole export list, whose lazy members
// (WebSocket, MessageEvent) load Node's undici and node:http2: about 25 ms of every start and
// their memory, for nothing the lab does. require('node:http') reads no export it is not asked
// for. The builds are the same code (the packages generate both from one source), and every
// module of the lab that needs either package takes it from here, so only one build is loaded.
import { createRequire, Module, registerHooks } from 'node:module';
import type NodemailerConnection from 'nodemailer/lib/smtp-connection';
import type parseAddresses from 'nodemailer/lib/addressparser';
import type Mail from 'nodemailer/lib/mailer';
import type SmtpTransport from 'nodemailer/lib/smtp-transport';
import type * as SmtpServerModule from 'smtp-server';
import type * as SmtpConnectionModule from 'smtp-server/lib/smtp-connection.js';

const require = createRequire(import.meta.url);

/**
 * Put a stand-in for `file` (a module whose export is a function) in require's cache: a
 * function that loads the real module on its first call and hands every call on to it.
 */
function loadOnFirstCall(file: string, properties: string[] = []): void {
  if (require.cache[file]) return;
  type Exported = ((...args: unknown[]) => unknown) & Record<string, unknown>;
  let real: Exported | undefined;
  const load = (): Exported => {
    if (!real) {
      delete require.cache[file];
      real = require(file) as Exported;
    }
    return real;
  };
  const standIn = ((...args: unknown[]) => load()(...args)) as Exported;
  for (const name of properties) Object.defineProperty(standIn, name, { get: () => load()[name] });
  Object.defineProperty(standIn, 'default', { value: standIn });
  const cached = new Module(file);
  cached.filename = file;
  cached.loaded = true;
  cached.exports = standIn;
  require.cache[file] = cached;
}

// nodemailer's fetch (node:http, node:https and node:zlib with it: 2.3 MB of an idle lab's
// memory) is loaded by nodemailer's shared helpers, which smtp-server and the SMTP client load,
// only to fetch an attachment or an OAuth2 token given by URL; nothing in the lab does either.
loadOnFirstCall(require.resolve('nodemailer/lib/fetch'), ['Cookies']);

// Both packages load node:tls as they load, to offer STARTTLS and implicit TLS, which the lab's
// servers never offer (smtp-listener.ts) and its relay never asks for; loaded, tls and OpenSSL's
// TLS code held about 2.9 MB of an idle lab. While they load, a resolve hook sends their
// require('node:tls') to lazy-tls.cjs, a stand-in that loads it the first time either uses it.
// The hook is gone once they are loaded: a hook on every resolution of the lab's own modules
// made Node's path code hot enough for V8's optimising compiler at start (its code is 4 MB more
// of an idle lab's memory).
const LAZY_TLS = new URL('./lazy-tls.cjs', import.meta.url).href;
const TLS_USERS = /\/node_modules\/(?:smtp-server|nodemailer)\//;

export interface SmtpPackages {
  /** nodemailer's SMTP client (the engine of its SMTP transport): the MTA's relay uses it */
  client: typeof NodemailerConnection;
  server: typeof SmtpServerModule;
  connection: typeof SmtpConnectionModule;
}

let packages: SmtpPackages | undefined;

/**
 * smtp-server and nodemailer's SMTP client, loaded on the first call: a mail server's first
 * connection (smtp-listener.ts) or its relay's first letter (relay.ts). An idle lab has no use
 * for either, and together they held about 1.5 MB of its memory (node:crypto with them).
 */
export function smtpPackages(): SmtpPackages {
  packages ??= withLazyTls(() => ({
    client: require('nodemailer/lib/smtp-connection') as typeof NodemailerConnection,
    server: require('smtp-server') as typeof SmtpServerModule,
    connection: require('smtp-server/lib/smtp-connection.js') as typeof SmtpConnectionModule,
  }));
  return packages;
}

/** Load modules of either package with their node:tls sent to the stand-in. */
function withLazyTls<T>(load: () => T): T {
  const tlsHook = registerHooks({
    resolve(specifier, context, next) {
      if ((specifier === 'node:tls' || specifier === 'tls') && context.parentURL && TLS_USERS.test(context.parentURL)) {
        return { url: LAZY_TLS, format: 'commonjs', shortCircuit: true };
      }
      return next(specifier, context);
    },
  });
  try {
    return load();
  } finally {
    tlsHook.deregister();
  }
}

/** The smtp-server that smtp-server-adapter.ts is written for (package.json pins it). */
export const SMTP_SERVER_VERSION = '3.21.6';

/** What is wrong when another smtp-server is installed, and what to do. */
export function smtpServerMismatch(installed: string, missing: string[] = []): Error {
  const what = missing.length ? `; it lacks ${missing.join(', ')}` : '';
  return new Error(
    `smtp-server ${installed} is installed, but lab/mta/smtp-server-adapter.ts is written for smtp-server ${SMTP_SERVER_VERSION}${what}. ` +
      `Install the pinned version (npm ci, or npm install smtp-server@${SMTP_SERVER_VERSION} --save-exact), or update the adapter and SMTP_SERVER_VERSION together.`,
  );
}

/**
 * The installed smtp-server's version, read without loading it: a mail server checks it as it
 * starts (the adapter checks the rest of it at the first connection).
 */
export function checkSmtpServerVersion(): void {
  const { version } = require('smtp-server/package.json') as { version: string };
  if (version !== SMTP_SERVER_VERSION) throw smtpServerMismatch(version);
}

export type SMTPClient = NodemailerConnection;
export type SMTPServer = SmtpServerModule.SMTPServer;
export type SMTPConnection = SmtpConnectionModule.SMTPConnection;

/** nodemailer's address parser (quoted local parts, comments, groups): one file, no imports */
export const addressparser = require('nodemailer/lib/addressparser') as typeof parseAddresses;

/**
 * What nodemailer.createTransport(options) makes for SMTP options (its Mailer on its SMTP
 * transport), for a client PC's first send and the scenario runner's: nodemailer's own index
 * loads every transport it has (sendmail's with node:child_process, SES, JSON, stream, the pool)
 * and nine more of Node's modules with them. These two load in 7.5-9.9 ms against 12.5-17.3 for
 * the whole (this machine, compile cache on), and the lesson's first letter waits for them.
 */
export function loadSmtpMailer(): SmtpMailer {
  return withLazyTls(() => {
    const Mailer = require('nodemailer/lib/mailer') as typeof Mail;
    const SMTPTransport = require('nodemailer/lib/smtp-transport') as typeof SmtpTransport;
    return { createTransport: (options) => new Mailer(new SMTPTransport(options), options) };
  });
}

export interface SmtpMailer {
  createTransport(options: SmtpTransport.Options): Mail<SmtpTransport.SentMessageInfo>;
}
