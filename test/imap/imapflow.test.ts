import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { startImapLab, letter, encodedWord, type ImapLab } from './imap-lab.ts';

// A real client library drives the server: what a mail program does to lee's mailbox.

/** fetchOne's answer, which is false when there is no such message */
function found(m: FetchMessageObject | false): FetchMessageObject {
  if (!m) throw new Error('no such message');
  return m;
}

let lab: ImapLab;
let client: ImapFlow;

beforeEach(async () => {
  lab = await startImapLab();
  await lab.store.deliver('lee', letter({ subject: encodedWord('안녕하세요 이순신 님'), body: '보낸 사람: 김유신' }));
  await lab.store.deliver('lee', letter({ subject: 'second letter', from: 'Kim <kim@daum.net>' }));
  await lab.store.deliver('lee', letter({ subject: 'third letter' }));
  client = new ImapFlow({ host: '127.0.0.1', port: lab.port, secure: false, auth: { user: 'lee@naver.com', pass: '1234' }, logger: false });
  await client.connect();
});

afterEach(async () => {
  await client.logout().catch(() => undefined);
  await lab.close();
});

describe('imapflow against the IMAP server', () => {
  it('lists folders, opens INBOX and fetches envelope, body structure and source', async () => {
    const folders = await client.list();
    expect(folders.map((f) => f.path)).toEqual(['INBOX']);
    const box = await client.mailboxOpen('INBOX');
    expect(box.exists).toBe(3);
    expect(box.uidNext).toBe(4);
    const first = found(await client.fetchOne('1', { envelope: true, bodyStructure: true, source: true, flags: true, uid: true, internalDate: true, size: true }));
    expect(first.uid).toBe(1);
    expect(first.envelope!.subject).toBe('안녕하세요 이순신 님');
    expect(first.envelope!.from).toEqual([{ name: '김유신', address: 'kim@daum.net' }]);
    expect(first.envelope!.to).toMatchObject([{ address: 'lee@naver.com' }]);
    expect(first.bodyStructure).toMatchObject({ type: 'text/plain', parameters: { charset: 'utf-8' }, encoding: '8bit' });
    expect(first.source!.toString()).toContain('보낸 사람: 김유신');
    expect(first.size).toBe(first.source!.length);
    expect(first.flags!.has('\\Recent')).toBe(true);
    expect(first.internalDate).toBeInstanceOf(Date);
  });

  it('searches unseen and by a Korean subject (CHARSET UTF-8, a literal)', async () => {
    await client.mailboxOpen('INBOX');
    expect(await client.search({ seen: false })).toEqual([1, 2, 3]);
    await client.messageFlagsAdd('2', ['\\Seen']);
    expect(await client.search({ seen: false })).toEqual([1, 3]);
    expect(await client.search({ subject: '이순신' })).toEqual([1]);
    expect(await client.search({ body: '김유신' })).toEqual([1]);
    expect(await client.search({ from: 'kim <KIM@' })).toEqual([2]); // case-insensitive, on the decoded header
    expect(await client.search({ subject: 'letter' }, { uid: true })).toEqual([2, 3]);
  });

  it('adds and removes flags and keywords', async () => {
    await client.mailboxOpen('INBOX');
    await client.messageFlagsAdd('1:2', ['\\Flagged', '$Important']);
    await client.messageFlagsRemove('2', ['\\Flagged']);
    const flags = new Map<number, string[]>();
    for await (const m of client.fetch('1:3', { flags: true })) flags.set(m.seq, [...m.flags!].sort());
    expect(flags.get(1)).toEqual(['$Important', '\\Flagged', '\\Recent']);
    expect(flags.get(2)).toEqual(['$Important', '\\Recent']);
    expect(flags.get(3)).toEqual(['\\Recent']);
  });

  it('moves to a new folder (COPYUID), appends (APPENDUID) and expunges', async () => {
    await client.mailboxOpen('INBOX');
    await client.mailboxCreate('Archive/2026');
    const moved = await client.messageMove('2', 'Archive/2026');
    expect(moved && [...moved.uidMap!]).toEqual([[2, 1]]);
    const appended = await client.append('INBOX', letter({ subject: 'appended' }), ['\\Seen'], new Date('2026-01-02T03:04:05Z'));
    expect(appended && appended.uid).toBe(4);
    expect(client.mailbox && client.mailbox.exists).toBe(3);
    await client.messageDelete('1');
    const left: string[] = [];
    for await (const m of client.fetch('1:*', { envelope: true, internalDate: true })) left.push(`${m.uid} ${m.envelope!.subject}`);
    expect(left).toEqual(['3 third letter', '4 appended']);
    const status = await client.status('Archive/2026', { messages: true, unseen: true, uidNext: true });
    expect(status).toMatchObject({ messages: 1, unseen: 1, uidNext: 2 });
    const names = (await client.list()).map((f) => `${f.path} ${[...f.flags].sort().join(' ')}`);
    expect(names).toEqual(['INBOX \\HasNoChildren', 'Archive \\HasChildren \\Noselect', 'Archive/2026 \\HasNoChildren']);
  });

  it('is told in IDLE of a new delivery through MailStore.deliver', async () => {
    await client.mailboxOpen('INBOX');
    const told = new Promise<{ count: number; prevCount: number }>((resolve) => client.once('exists', resolve));
    const idling = client.idle();
    await lab.store.deliver('lee', letter({ subject: 'while idling' }));
    expect(await told).toMatchObject({ count: 4, prevCount: 3 });
    const latest = found(await client.fetchOne('*', { envelope: true, flags: true }));
    expect(latest.envelope!.subject).toBe('while idling');
    expect(latest.flags!.has('\\Recent')).toBe(true);
    await idling;
  });

  it('is told of another session\'s expunge before its next reply', async () => {
    await client.mailboxOpen('INBOX');
    const other = new ImapFlow({ host: '127.0.0.1', port: lab.port, secure: false, auth: { user: 'lee', pass: '1234' }, logger: false });
    await other.connect();
    try {
      await other.mailboxOpen('INBOX');
      await other.messageDelete('1');
      const expunged = new Promise<{ seq: number }>((resolve) => client.once('expunge', resolve));
      await client.noop();
      expect((await expunged).seq).toBe(1);
      expect(client.mailbox && client.mailbox.exists).toBe(2);
    } finally {
      await other.logout();
    }
  });
});
