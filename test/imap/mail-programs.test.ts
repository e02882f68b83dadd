// Mail programs people use every day, against a whole lab: mbsync (isync) keeps a Maildir on
// lee's PC in step with Server's IMAP both ways (flags, deletions, new mail, folders), and
// fetchmail takes lee's mail by POP3 and removes it from the server. Each is skipped, with the
// reason, when it is not installed (.ci/run installs them).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startLab, type Lab } from '../../lab/index.ts';
import { RawClient } from './imap-lab.ts';

const run = promisify(execFile);
const hasMbsync = spawnSync('mbsync', ['--version'], { encoding: 'utf8' }).status === 0;
const hasFetchmail = spawnSync('sh', ['-c', 'command -v fetchmail']).status === 0;

let lab: Lab;
let home: string;
beforeEach(async () => {
  lab = await startLab({ ports: 'auto', retry: '100ms*5', failedLoginDelayMs: 1 });
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-pc-'));
});
afterEach(async () => {
  await lab.stop();
  await fs.rm(home, { recursive: true, force: true });
});

async function send(subject: string): Promise<void> {
  await lab.client('WinClient').send({ to: 'lee@naver.com', subject, text: `${subject}: 메일 서버 실습` });
  await lab.waitForLetter('Server', 'lee', (l) => l.subject === subject);
}

async function imapSession(): Promise<RawClient> {
  const c = await RawClient.connect(lab.port('Server', 'imap'));
  expect(await c.command('l', 'LOGIN lee 1234')).toMatch(/^l OK/m);
  return c;
}

/** The subjects of a local Maildir folder's files, with their Maildir flags. */
async function localFolder(dir: string): Promise<Array<{ file: string; subject: string; flags: string }>> {
  const out: Array<{ file: string; subject: string; flags: string }> = [];
  for (const sub of ['new', 'cur']) {
    for (const name of await fs.readdir(path.join(dir, sub)).catch(() => [] as string[])) {
      const file = path.join(dir, sub, name);
      const subject = /^Subject: (.*)$/m.exec(await fs.readFile(file, 'utf8'))?.[1].trim() ?? '';
      out.push({ file, subject, flags: name.split(':2,')[1] ?? '' });
    }
  }
  return out.sort((a, b) => a.subject.localeCompare(b.subject));
}

describe('mbsync (isync)', () => {
  it.skipIf(!hasMbsync)(`keeps a Maildir in step with INBOX and a folder, both ways${hasMbsync ? '' : ' (skipped: mbsync not found)'}`, async () => {
    for (const subject of ['one', 'two', 'three']) await send(subject);
    const c = await imapSession();
    expect(await c.command('c', 'CREATE Archive')).toMatch(/^c OK/m);
    await c.command('s', 'SELECT INBOX');
    expect(await c.command('k', 'COPY 3 Archive')).toMatch(/^k OK/m);
    const local = path.join(home, 'Mail');
    await fs.mkdir(local);
    const rc = path.join(home, 'mbsyncrc');
    await fs.writeFile(rc, [
      'IMAPAccount lab', 'Host 127.0.0.1', `Port ${lab.port('Server', 'imap')}`, 'User lee', 'Pass 1234', 'SSLType None', 'AuthMechs LOGIN', '',
      'IMAPStore remote', 'Account lab', '',
      'MaildirStore local', `Path ${local}/`, `Inbox ${local}/INBOX`, 'SubFolders Verbatim', '',
      'Channel lab', 'Far :remote:', 'Near :local:', 'Patterns *', 'Create Both', 'Expunge Both', 'SyncState *', '',
    ].join('\n'));
    const mbsync = () => run('mbsync', ['-c', rc, '-a'], { timeout: 60_000 });
    await mbsync();
    const inbox = await localFolder(path.join(local, 'INBOX'));
    expect(inbox.map((m) => m.subject)).toEqual(['one', 'three', 'two']);
    expect((await localFolder(path.join(local, 'Archive'))).map((m) => m.subject)).toEqual(['three']);
    // on lee's PC: "one" is read, "two" is deleted; on the server a new letter arrives
    const one = inbox.find((m) => m.subject === 'one')!;
    const base = path.basename(one.file).split(':2,')[0];
    await fs.rename(one.file, path.join(local, 'INBOX', 'cur', `${base}:2,S`));
    await fs.unlink(inbox.find((m) => m.subject === 'two')!.file);
    await send('four');
    await mbsync();
    expect((await localFolder(path.join(local, 'INBOX'))).map((m) => m.subject)).toEqual(['four', 'one', 'three']);
    // and the server has what the PC did
    await c.command('s2', 'SELECT INBOX');
    const flags = await c.command('f', 'FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    const server = [...flags.matchAll(/FLAGS \(([^)]*)\) BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: (\w+)/g)].map((m) => `${m[2]} ${m[1].includes('\\Seen') ? 'seen' : 'unseen'}`);
    expect(server).toEqual(['one seen', 'three unseen', 'four unseen']);
    c.close();
  });
});

describe('fetchmail', () => {
  it.skipIf(!hasFetchmail)(`takes lee's mail by POP3 and removes it from the server${hasFetchmail ? '' : ' (skipped: fetchmail not found)'}`, async () => {
    for (const subject of ['first', 'second']) await send(subject);
    const out = path.join(home, 'fetched.mbox');
    const rc = path.join(home, 'fetchmailrc');
    await fs.writeFile(rc, [
      'set no bouncemail',
      `poll 127.0.0.1 with protocol pop3 and port ${lab.port('Server', 'pop3')}`,
      // no TLS in the lab: fetchmail must not try STLS
      `  user "lee" there with password "1234" is "${os.userInfo().username}" here sslproto ""`,
      `  mda "/bin/sh -c 'cat >> ${out}'"`,
      '',
    ].join('\n'), { mode: 0o600 });
    await run('fetchmail', ['-f', rc, '--nodetach', '--nosyslog', '-s'], { timeout: 60_000, env: { ...process.env, FETCHMAILHOME: home } });
    const fetched = await fs.readFile(out, 'utf8');
    expect(fetched).toContain('Subject: first');
    expect(fetched).toContain('Subject: second');
    expect(await lab.mailbox('Server', 'lee')).toEqual([]);
    // the POP3 login and both transfers are in the trace as steps 8 and 9-10
    expect(lab.trace.events.filter((e) => e.kind === 'pop3' && e.status === 'ok').length).toBeGreaterThanOrEqual(3);
  });
});
