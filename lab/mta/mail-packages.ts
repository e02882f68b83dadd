// nodemailer and smtp-server, by their CommonJS builds. Both packages ship an ES module build
// too, and there `import http from 'node:http'` (nodemailer's fetch, which smtp-server loads
// through nodemailer) makes Node build the module's whole export list, whose lazy members
// (WebSocket, MessageEvent) load Node's undici and node:http2: about 25 ms of every start and
// their memory, for nothing the lab does. require('node:http') reads no export it is not asked
// for. The builds are the same code (the packages generate both from one source), and every
// module of the lab that needs either package takes it from here, so only one build is loaded.
import { createRequire, Module } from 'node:module';
import type NodemailerConnection from 'nodemailer/lib/smtp-connection';
import type parseAddresses from 'nodemailer/lib/addressparser';
import type nodemailer from 'nodemailer';
import type * as SmtpServerModule from 'smtp-server';
import type * as SmtpConnectionModule from 'smtp-server/lib/smtp-connection.js';

const require = createRequire(import.meta.url);

// nodemailer's fetch (node:http, node:https and node:zlib with it: 2.3 MB of an idle lab's
// memory) is loaded by nodemailer's shared helpers, which smtp-server and the SMTP client load,
// only to fetch an attachment or an OAuth2 token given by URL; nothing in the lab does either.
// A stand-in takes its place in require's cache, and the first call loads the real one.
const fetchFile = require.resolve('nodemailer/lib/fetch');
if (!require.cache[fetchFile]) {
  type Fetch = ((...args: unknown[]) => unknown) & { Cookies?: unknown };
  let real: Fetch | undefined;
  const load = (): Fetch => {
    if (!real) {
      delete require.cache[fetchFile];
      real = require(fetchFile) as Fetch;
    }
    return real;
  };
  const lazyFetch = ((...args: unknown[]) => load()(...args)) as Fetch & { default?: unknown };
  Object.defineProperty(lazyFetch, 'Cookies', { get: () => load().Cookies });
  Object.defineProperty(lazyFetch, 'default', { value: lazyFetch });
  const stand = new Module(fetchFile);
  stand.filename = fetchFile;
  stand.loaded = true;
  stand.exports = lazyFetch;
  require.cache[fetchFile] = stand;
}

/** nodemailer's SMTP client (the engine of its SMTP transport): the MTA's relay uses it */
export const SMTPClient = require('nodemailer/lib/smtp-connection') as typeof NodemailerConnection;
export type SMTPClient = NodemailerConnection;

/** nodemailer's address parser (quoted local parts, comments, groups) */
export const addressparser = require('nodemailer/lib/addressparser') as typeof parseAddresses;

export const { SMTPServer } = require('smtp-server') as typeof SmtpServerModule;
export type SMTPServer = SmtpServerModule.SMTPServer;
export const { SMTPConnection } = require('smtp-server/lib/smtp-connection.js') as typeof SmtpConnectionModule;
export type SMTPConnection = SmtpConnectionModule.SMTPConnection;

/** the whole of nodemailer (its transports: about 50 modules), for a client PC's first send */
export function loadNodemailer(): typeof nodemailer {
  return require('nodemailer') as typeof nodemailer;
}
