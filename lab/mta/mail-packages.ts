// nodemailer and smtp-server, by their CommonJS builds. Both packages ship an ES module build
// too, and there `import http from 'node:http'` (nodemailer's fetch, which smtp-server loads
// through nodemailer) makes Node build the module's whole export list, whose lazy members
// (WebSocket, MessageEvent) load Node's undici and node:http2: about 25 ms of every start and
// their memory, for nothing the lab does. require('node:http') reads no export it is not asked
// for. The builds are the same code (the packages generate both from one source), and every
// module of the lab that needs either package takes it from here, so only one build is loaded.
import { createRequire } from 'node:module';
import type NodemailerConnection from 'nodemailer/lib/smtp-connection';
import type parseAddresses from 'nodemailer/lib/addressparser';
import type nodemailer from 'nodemailer';
import type * as SmtpServerModule from 'smtp-server';
import type * as SmtpConnectionModule from 'smtp-server/lib/smtp-connection.js';

const require = createRequire(import.meta.url);

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
