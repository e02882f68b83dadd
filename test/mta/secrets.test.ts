// No password of any user reaches any hop event, --trace file or terminal output, in any auth
// path: SMTP AUTH PLAIN and LOGIN (initial responses and continuation lines, right and wrong,
// an over-long line), POP3 USER/PASS and AUTH PLAIN, IMAP LOGIN (atom, quoted, literals) and
// AUTHENTICATE PLAIN, and the scripted client PCs. Secrets are marked where each command is
// parsed and masked by the trace bus alone; this test looks at what comes out.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../lab/runtime/lab.ts';
import { writeJsonLines } from '../../lab/trace/jsonl-writer.ts';
import { renderHop } from '../../lab/trace/terminal-renderer.ts';
import { Pop3Client } from '../../lab/client/pop3-client.ts';
import { SmtpTestClient } from './lab-fixture.ts';
import { imapLines } from './imap-line-client.ts';
import { startEditedLab, CLASSROOM_YAML, TOPOLOGY_DIR, b64 } from './yaml-lab.ts';
import { runCli } from '../cli/cli-helpers.ts';

const PASSWORDS = { lee: 'Lee-Pw-7391xq', kim: 'Kim-Pw-2468zw', admin: 'Admin-Pw-5550vv' };

/** Every form a password may travel in: as typed, base64 alone (LOGIN), in PLAIN responses. */
function forms(): string[] {
  const out: string[] = [];
  for (const [user, pw] of Object.entries(PASSWORDS)) {
    out.push(pw, b64(pw));
    for (const login of [user, `${user}@naver.com`, `${user}@daum.net`]) out.push(b64(`\0${login}\0${pw}`), b64(`${login}\0${login}\0${pw}`));
  }
  return out;
}

function withPasswords(doc: any): void {
  doc.hosts.Server.mail.users.lee.password = PASSWORDS.lee;
  doc.hosts.Server.mail.users.admin = { password: PASSWORDS.admin };
  doc.hosts['Server-B'].mail.users.kim.password = PASSWORDS.kim;
  doc.hosts.Client.client.password = PASSWORDS.lee;
  doc.hosts.WinClient.client.password = PASSWORDS.kim;
}

function expectClean(text: string, where: string): void {
  for (const secret of forms()) expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);
}

let lab: Lab;
let traceFile: string;
let closeTrace: () => Promise<void>;
const rendered: string[] = [];
beforeAll(async () => {
  lab = await startEditedLab(withPasswords);
  traceFile = path.join(lab.dataDir, 'trace.jsonl');
  closeTrace = writeJsonLines(lab.trace, traceFile).close;
  lab.trace.on((event) => {
    for (const lang of ['ko', 'en'] as const) rendered.push(...renderHop(event, { lang, transcripts: true }));
  });
});
afterAll(() => lab?.stop());

async function smtpPaths(): Promise<void> {
  const { client } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
  await client.command('EHLO outside.example');
  const pw = PASSWORDS.lee;
  // wrong ones first (each refusal is a hop with its transcript), then right ones
  expect((await client.command(`AUTH PLAIN ${b64(`\0lee\0${pw}x`)}`)).code).toBe(535);
  expect((await client.command('AUTH PLAIN')).code).toBe(334);
  expect((await client.command(b64(`\0lee\0${pw}y`))).code).toBe(535);
  expect((await client.command(`AUTH LOGIN ${b64('lee')}`)).code).toBe(334);
  expect((await client.command(b64(`${pw}z`))).code).toBe(535);
  expect((await client.command('AUTH LOGIN')).code).toBe(334);
  expect((await client.command(b64('lee'))).code).toBe(334);
  expect((await client.command(b64(pw))).code).toBe(235);
  await client.quit();
  for (const how of ['ir', 'continued'] as const) {
    const { client: c } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
    await c.command('EHLO outside.example');
    if (how === 'ir') expect((await c.command(`AUTH PLAIN ${b64(`\0lee\0${pw}`)}`)).code).toBe(235);
    else {
      expect((await c.command('AUTH PLAIN')).code).toBe(334);
      expect((await c.command(b64(`lee\0lee\0${pw}`))).code).toBe(235);
    }
    // relaying after AUTH makes hops with the whole session's transcript
    expect((await c.sendMail('lee@naver.com', ['kim@daum.net'], 'Subject: after auth\r\n\r\nhi\r\n')).code).toBe(250);
    await c.quit();
  }
  // an AUTH line over the line limit, password and all
  const { client: long } = await SmtpTestClient.fromOutside(lab.port('Server', 'smtp'));
  await long.command('EHLO outside.example');
  expect((await long.command(`AUTH PLAIN ${b64(`\0lee\0${pw}`)}${'A'.repeat(3000)}`)).code).toBe(500);
  await long.quit();
}

async function pop3Paths(): Promise<void> {
  const pw = PASSWORDS.lee;
  const session = async () => {
    const socket = net.connect(lab.port('Server', 'pop3'), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const c = new Pop3Client(socket);
    await c.greeting();
    return c;
  };
  const wrong = await session();
  await wrong.command('USER lee', 'single');
  await wrong.command(`PASS ${pw}w`, 'single', [[5, 5 + pw.length + 1]]);
  await wrong.command(`AUTH PLAIN ${b64(`\0lee\0${pw}v`)}`, 'single');
  await wrong.quit().catch(() => undefined);
  for (const how of ['user', 'ir', 'continued'] as const) {
    const c = await session();
    if (how === 'user') await c.login('lee', pw);
    else await c.authPlain('lee@naver.com', pw, { initialResponse: how === 'ir' });
    await c.quit();
  }
}

async function imapPaths(): Promise<void> {
  const pw = PASSWORDS.lee;
  const port = lab.port('Server', 'imap');
  const first = await imapLines(port);
  await first.say(`a LOGIN lee ${pw}q\r\n`, /^a NO/m);
  await first.say(`b LOGIN "lee" "${pw}r"\r\n`, /^b NO/m);
  await first.say(`c LOGIN lee {${pw.length + 1}}\r\n`, /^\+ /m);
  await first.say(`${pw}s\r\n`, /^c NO/m);
  // a fourth failure would close the session (three at most): a new one for the rest
  first.close();
  const again = await imapLines(port);
  await again.say(`d LOGIN lee "${pw}\r\n`, /^d BAD/m);
  await again.say('e AUTHENTICATE PLAIN\r\n', /^\+/m);
  await again.say(`${b64(`\0lee\0${pw}t`)}\r\n`, /^e NO/m);
  await again.say(`f LOGIN {3+}\r\nlee {${pw.length}+}\r\n${pw}\r\n`, /^f OK/m);
  await again.command('g', 'SELECT INBOX');
  await again.command('h', 'LOGOUT');
  again.close();
  for (const how of ['ir', 'continued'] as const) {
    const session = await imapLines(port);
    if (how === 'ir') await session.say(`a AUTHENTICATE PLAIN ${b64(`\0lee\0${pw}`)}\r\n`, /^a OK/m);
    else {
      await session.say('a AUTHENTICATE PLAIN\r\n', /^\+/m);
      await session.say(`${b64(`\0lee\0${pw}`)}\r\n`, /^a OK/m);
    }
    await session.command('b', 'SELECT INBOX');
    session.close();
  }
}

describe('secrets', () => {
  it('no password in any event, the --trace file or the rendered terminal output, in every auth path', async () => {
    await smtpPaths();
    await pop3Paths();
    await imapPaths();
    // the scripted client PCs: kim sends, lee reads by POP3 and by IMAP
    await lab.client('WinClient').send({ to: 'lee@naver.com', subject: 'secret test', text: 'hello' });
    await lab.waitForLetter('Server', 'lee', (l) => l.subject === 'secret test');
    await lab.client('Client').fetchPop3();
    await lab.client('Client').fetchImap();
    await closeTrace();

    const events = JSON.stringify(lab.trace.events);
    // the masked lines are there: the transcripts were written, with ***** where the secrets were
    expect(events).toContain('AUTH PLAIN *****');
    expect(events).toContain('PASS *****');
    expect(events).toMatch(/LOGIN lee \*\*\*\*\*/);
    expect(lab.trace.events.some((e) => e.transcript?.some((l) => l.line === '*****'))).toBe(true);
    // and no mark is left on any line
    expect(events).not.toContain('"secret"');
    expectClean(events, 'the trace');
    expectClean(await fsp.readFile(traceFile, 'utf8'), 'the --trace file');
    expectClean(rendered.join('\n'), 'the terminal output');
  });
});

describe('secrets, through the command line', () => {
  let topology: string;
  beforeAll(async () => {
    const doc = YAML.parse(fs.readFileSync(CLASSROOM_YAML, 'utf8'));
    withPasswords(doc);
    for (const zone of Object.keys(doc.zones)) doc.zones[zone] = path.join(TOPOLOGY_DIR, doc.zones[zone]);
    topology = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'mail-lab-secrets-')), 'classroom.yaml');
    await fsp.writeFile(topology, YAML.stringify(doc));
  });

  for (const scenario of ['kim-to-lee', 'kim-to-lee-imap']) {
    it(`npm run lab -- --scenario ${scenario} --transcripts --trace FILE: no password on the terminal or in the file`, async () => {
      const trace = path.join(path.dirname(topology), `${scenario}.jsonl`);
      const run = await runCli(['--scenario', scenario, '--topology', topology, '--ports', 'auto', '--exit', '--transcripts', '--trace', trace, '--lang', 'en']);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(scenario === 'kim-to-lee' ? /PASS \*\*\*\*\*/ : /LOGIN|AUTHENTICATE/);
      expectClean(run.stdout + run.stderr, 'the terminal output');
      expectClean(await fsp.readFile(trace, 'utf8'), 'the --trace file');
    });
  }
});
