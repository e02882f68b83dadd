import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startImapLab, letter, encodedWord, type ImapLab } from './imap-lab.ts';

// Clients no one here wrote: Python 3's imaplib and curl's imap://.

const run = promisify(execFile);

function has(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const hasPython = has('python3', ['-c', 'import imaplib']);
const hasCurlImap = has('curl', ['--version']) && execFileSync('curl', ['--version']).toString().includes('imap');
// vitest has no skip reason: it goes in the test's name
const noPython = hasPython ? '' : ' [skipped: python3 with imaplib not found]';
const noCurl = hasCurlImap ? '' : ' [skipped: curl with imap:// not found]';

const PYTHON = `
import imaplib, json, sys
port = int(sys.argv[1])
out = {}
m = imaplib.IMAP4('127.0.0.1', port)
out['capabilities'] = sorted(m.capabilities)
out['login'] = m.login('lee', '1234')[0]
typ, data = m.select('INBOX')
out['select'] = [typ, data[0].decode()]
typ, data = m.search(None, 'UNSEEN')
out['unseen'] = data[0].decode()
typ, data = m.search('UTF-8', 'SUBJECT', '"\\uc774\\uc21c\\uc2e0"'.encode('utf-8'))
out['korean'] = data[0].decode()
typ, data = m.fetch('1', '(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['fetch_meta'] = data[0][0].decode()
out['fetch_header'] = data[0][1].decode()
typ, data = m.fetch('2', '(RFC822)')
out['rfc822'] = data[0][1].decode()
typ, data = m.store('1', '+FLAGS', '(\\\\Flagged)')
out['store'] = [typ, data[0].decode()]
typ, data = m.uid('SEARCH', None, 'FLAGGED')
out['flagged'] = data[0].decode()
typ, data = m.search(None, 'SEEN')
out['seen'] = data[0].decode()
typ, data = m.select('No/Such/Folder')
out['missing'] = [typ, data[0].decode()]
out['logout'] = m.logout()[0]
print(json.dumps(out))
`;

let lab: ImapLab;

beforeAll(async () => {
  lab = await startImapLab();
  await lab.store.deliver('lee', letter({ subject: encodedWord('이순신 님께'), body: '첫 번째 편지' }));
  await lab.store.deliver('lee', letter({ subject: 'plain ascii', body: 'second body' }));
});

afterAll(async () => {
  await lab.close();
});

describe('real clients', () => {
  it.skipIf(!hasPython)(`Python imaplib: login, select, search (also UTF-8), fetch, store, logout${noPython}`, async () => {
    const { stdout } = await run('python3', ['-c', PYTHON, String(lab.port)]);
    const out = JSON.parse(stdout);
    expect(out.capabilities).toContain('IMAP4REV1');
    expect(out.login).toBe('OK');
    expect(out.select).toEqual(['OK', '2']);
    expect(out.unseen).toBe('1 2');
    expect(out.korean).toBe('1');
    expect(out.fetch_meta).toMatch(/^1 \(UID 1 FLAGS \(\\Recent\) RFC822\.SIZE \d+ BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}$/);
    expect(out.fetch_header).toBe(`Subject: ${encodedWord('이순신 님께')}\r\n\r\n`);
    expect(out.rfc822).toContain('second body');
    expect(out.store[0]).toBe('OK');
    expect(out.store[1]).toContain('\\Flagged');
    expect(out.flagged).toBe('1');
    expect(out.seen).toBe('2'); // RFC822 (not a peek) set \Seen on message 2
    expect(out.missing).toEqual(['NO', "[NONEXISTENT] Mailbox doesn't exist: No/Such/Folder"]);
    expect(out.logout).toBe('BYE');
    const request = lab.trace.events.find((e) => e.kind === 'imap' && e.steps?.sendmail === '8' && e.status === 'ok');
    expect(request?.transcript?.some((l) => l.line.includes('1234'))).toBe(false);
  });

  it.skipIf(!hasCurlImap)(`curl imap://127.0.0.1:PORT/INBOX;UID=1 -u lee:1234 prints the letter${noCurl}`, async () => {
    const { stdout } = await run('curl', ['-s', '--max-time', '20', `imap://127.0.0.1:${lab.port}/INBOX;UID=1`, '-u', 'lee:1234']);
    expect(stdout).toContain(`Subject: ${encodedWord('이순신 님께')}`);
    expect(stdout).toContain('첫 번째 편지');
    // the transfer is hop 9-10, with the UID, held and reported
    const hop = await lab.trace.waitFor((e) => e.kind === 'imap' && e.steps?.sendmail === '9-10' && (e.detail?.uids as number[] | undefined)?.[0] === 1);
    expect(hop.from).toBe('Server');
    expect(hop.transcript!.at(-1)!.line).toMatch(/ OK /);
  });

  it.skipIf(!hasCurlImap)(`curl with a wrong password fails, and the refusal is traced${noCurl}`, async () => {
    await expect(run('curl', ['-s', '--max-time', '20', `imap://127.0.0.1:${lab.port}/INBOX;UID=1`, '-u', 'lee:wrong'])).rejects.toMatchObject({ code: 67 });
    const refused = await lab.trace.waitFor((e) => e.kind === 'imap' && e.status === 'refused');
    expect(JSON.stringify(refused.transcript)).not.toContain('wrong');
  });
});
