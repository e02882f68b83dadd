import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MailStore, FolderError } from '../../lab/mailbox/mail-store.ts';
import { Maildir, type MaildirChange } from '../../lab/mailbox/maildir.ts';
import { MailboxNameError, folderDir } from '../../lab/mailbox/names.ts';
import { INDEX_FILE, INDEX_HEADER, encodeEntry, decodeEntry } from '../../lab/mailbox/header-index.ts';
import { UIDLIST } from '../../lab/mailbox/uid-list.ts';

function letter(subject: string, body = 'Hello lee.'): Buffer {
  return Buffer.from(`From: kim@daum.net\r\nTo: lee@naver.com\r\nSubject: ${subject}\r\nDate: Mon, 2 Mar 2026 10:00:00 +0900\r\n\r\n${body}\r\n`);
}

/** The next 'change' event of a folder. */
function nextChange(maildir: Maildir, match: (c: MaildirChange) => boolean = () => true): Promise<MaildirChange> {
  return new Promise((resolve) => {
    const listener = (change: MaildirChange) => {
      if (!match(change)) return;
      maildir.off('change', listener);
      resolve(change);
    };
    maildir.on('change', listener);
  });
}

/** A letter written into a Maildir as procmail would: tmp, then a rename into new/ (no in-process event). */
async function deliverAsAnotherProcess(dir: string): Promise<void> {
  const body = letter('by another process');
  await fs.writeFile(path.join(dir, 'tmp', 'x1'), body);
  await fs.rename(path.join(dir, 'tmp', 'x1'), path.join(dir, 'new', `1700000000.x1.other,S=${body.length}`));
}

let root: string;
let stores: MailStore[];

function store(): MailStore {
  const s = new MailStore(path.join(root, 'mail'));
  stores.push(s);
  return s;
}

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-lab-'));
  stores = [];
});

afterEach(async () => {
  for (const s of stores) s.close();
  await fs.rm(root, { recursive: true, force: true });
});

describe('UIDs and UIDVALIDITY (dovecot-uidlist)', () => {
  it('keeps UIDs and UIDVALIDITY across a restart and goes on counting', async () => {
    const mda = store();
    for (const s of ['one', 'two', 'three']) await mda.deliver('lee', letter(s));
    const first = (await store().folder('lee', 'INBOX'))!;
    await first.sync();
    const before = first.messages.map((m) => [m.uid, m.base]);
    expect(before.map(([uid]) => uid)).toEqual([1, 2, 3]);
    const validity = first.uidValidity;
    expect(validity).toBeGreaterThan(0);

    // "restart": a new store and a new Maildir object read the list from disk
    await mda.deliver('lee', letter('four'));
    const again = (await store().folder('lee', 'INBOX'))!;
    await again.sync();
    expect(again.uidValidity).toBe(validity);
    expect(again.messages.slice(0, 3).map((m) => [m.uid, m.base])).toEqual(before);
    expect(again.messages[3].uid).toBe(4);
    expect(again.uidNext).toBe(5);
    const list = await fs.readFile(path.join(mda.userDir('lee'), UIDLIST), 'utf8');
    expect(list).toMatch(new RegExp(`^3 V${validity} N\\d+\\n1 :`));
  });

  it('never reuses a UID, even for the last message after it is expunged', async () => {
    const mda = store();
    await mda.deliver('lee', letter('one'));
    await mda.deliver('lee', letter('two'));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    await box.expunge([2]);
    await mda.deliver('lee', letter('three'));
    await box.sync();
    expect(box.messages.map((m) => m.uid)).toEqual([1, 3]);
    const restarted = (await store().folder('lee', 'INBOX'))!;
    await restarted.sync();
    expect(restarted.messages.map((m) => m.uid)).toEqual([1, 3]);
  });

  it('starts a new, higher UIDVALIDITY when the UID list is lost', async () => {
    const mda = store();
    await mda.deliver('lee', letter('one'));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    const validity = box.uidValidity;
    await fs.rm(path.join(mda.userDir('lee'), UIDLIST));
    const fresh = (await store().folder('lee', 'INBOX'))!;
    await fresh.sync();
    expect(fresh.uidValidity).toBeGreaterThan(validity);
    expect(fresh.messages.map((m) => m.uid)).toEqual([1]);
  });

  it('two stores on one folder (two processes) hand out each UID once', async () => {
    const mda = store();
    for (let i = 0; i < 30; i++) await mda.deliver('lee', letter(`m${i}`));
    const a = (await store().folder('lee', 'INBOX'))!;
    const b = (await store().folder('lee', 'INBOX'))!;
    await Promise.all([a.sync(), b.sync()]);
    const mapA = new Map(a.messages.map((m) => [m.base, m.uid]));
    const mapB = new Map(b.messages.map((m) => [m.base, m.uid]));
    expect(mapA.size).toBe(30);
    expect(new Set(mapA.values()).size).toBe(30);
    expect([...mapA]).toEqual([...mapB]);
  });
});

describe('flags in file names (maildir(5))', () => {
  it('renames files for flags, sorted, keeps keywords in dovecot-keywords', async () => {
    const mda = store();
    await mda.deliver('lee', letter('one'));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    const letters = box.keywords.lettersOf(['\\Seen', '\\Flagged', '$Important'], true);
    await box.setFlags([1], 'add', letters);
    const cur = await fs.readdir(path.join(mda.userDir('lee'), 'cur'));
    expect(cur).toHaveLength(1);
    expect(cur[0]).toMatch(/,S=\d+:2,FSa$/);
    expect(await fs.readdir(path.join(mda.userDir('lee'), 'new'))).toEqual([]);
    expect(await fs.readFile(path.join(mda.userDir('lee'), 'dovecot-keywords'), 'utf8')).toBe('0 $Important\n');
    expect(box.flagsOf(box.get(1)!)).toEqual(['\\Flagged', '\\Seen', '$Important']);
    await box.setFlags([1], 'remove', 'S');
    expect((await fs.readdir(path.join(mda.userDir('lee'), 'cur')))[0]).toMatch(/:2,Fa$/);
  });

  it('sees what another writer did: POP3 moving a file to cur/ with :2,S, and deleting one', async () => {
    const mda = store();
    const { file } = await mda.deliver('lee', letter('one'));
    await mda.deliver('lee', letter('two'));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    const dir = mda.userDir('lee');
    await fs.rename(file, path.join(dir, 'cur', `${path.basename(file)}:2,S`));
    let change = await box.sync();
    expect(change.flags).toEqual([1]);
    expect(box.flagsOf(box.get(1)!)).toEqual(['\\Seen']);
    const two = box.get(2)!;
    await fs.rm(box.pathOf(two));
    change = await box.sync();
    expect(change.removed).toEqual([2]);
    expect(box.messages.map((m) => m.uid)).toEqual([1]);
  });
});

describe('new/ -> cur/ after a SELECT', () => {
  it('claimRecent returns at once; the moves are done by settled(), every file in cur/ with ":2,"', async () => {
    const mda = store();
    for (let i = 0; i < 250; i++) await mda.deliver('lee', letter(`n${i}`));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    const uids = box.messages.map((m) => m.uid);
    expect(box.claimRecent(uids, true)).toEqual(uids);
    const dir = mda.userDir('lee');
    // the moves go 100 at a time between turns of the event loop: between two turns some files
    // are in new/, some in cur/, and every message can be read where its file is
    await new Promise((resolve) => setImmediate(resolve));
    const moved = box.messages.filter((m) => m.dir === 'cur').length;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(250);
    expect(readdirSync(path.join(dir, 'cur')).length).toBe(moved);
    for (const rec of box.messages) expect(box.readFile(rec)?.data.toString()).toContain('Subject: n');
    await box.settled();
    expect(await fs.readdir(path.join(dir, 'new'))).toEqual([]);
    expect((await fs.readdir(path.join(dir, 'cur'))).filter((f) => f.endsWith(':2,'))).toHaveLength(250);
    expect(box.messages.every((m) => m.dir === 'cur' && m.name.endsWith(':2,'))).toBe(true);
    expect(box.claimRecent(uids, true)).toEqual([]); // claimed once
  });

  it("its own moves bring no look at the folder; another writer's file after them does", async () => {
    const mda = store();
    for (let i = 0; i < 60; i++) await mda.deliver('lee', letter(`n${i}`));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    box.acquire();
    try {
      let looks = 0;
      const inner = box as unknown as { syncNow: (origin: unknown) => Promise<MaildirChange> };
      const syncNow = inner.syncNow.bind(box);
      inner.syncNow = (origin) => (looks++, syncNow(origin));
      box.claimRecent(box.messages.map((m) => m.uid), true);
      await box.settled();
      const heard = nextChange(box, (c) => c.added.length > 0);
      await deliverAsAnotherProcess(mda.userDir('lee'));
      expect((await heard).added).toEqual([61]);
      expect(looks, 'the 120 events of the 60 moves brought a look of their own').toBe(1);
    } finally {
      box.release();
    }
  });
});

describe('news of changes', () => {
  it("an open folder hears of its host store's delivery at once", async () => {
    const host = store();
    const box = (await host.folder('lee', 'INBOX'))!;
    await box.sync();
    box.acquire();
    try {
      const heard = nextChange(box, (c) => c.added.length > 0);
      await host.deliver('lee', letter('during a session'));
      const change = await heard;
      expect(change.added).toEqual([1]);
      expect(box.unclaimedRecent.has(1)).toBe(true);
    } finally {
      box.release();
    }
  });

  it('an open folder hears of a file another process wrote (fs.watch)', async () => {
    const mda = store();
    await mda.deliver('lee', letter('one'));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    box.acquire();
    try {
      const heard = nextChange(box, (c) => c.added.length > 0);
      await deliverAsAnotherProcess(mda.userDir('lee'));
      expect((await heard).added).toEqual([2]);
    } finally {
      box.release();
    }
  });

  it('skips reading an old, unchanged folder, and still sees the next delivery', async () => {
    const mda = store();
    await mda.deliver('lee', letter('one'));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const d of ['new', 'cur']) await fs.utimes(path.join(mda.userDir('lee'), d), hourAgo, hourAgo);
    await box.sync(); // notes the old stamps
    expect((await box.sync()).added).toEqual([]);
    await mda.deliver('lee', letter('two'));
    expect((await box.sync()).added).toEqual([2]);
    await fs.rm(box.pathOf(box.get(1)!));
    expect((await box.sync()).removed).toEqual([1]);
  });

  it('a delivery racing a sync is counted once', async () => {
    const mda = store();
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => mda.deliver('lee', letter(`race ${i}`))),
      box.sync(),
      box.sync(),
    ]);
    await box.sync();
    expect(box.messages.map((m) => m.uid)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('the header index', () => {
  async function indexed(): Promise<{ mda: MailStore; box: Maildir; dir: string }> {
    const mda = store();
    for (const s of ['alpha', 'beta', 'gamma']) await mda.deliver('lee', letter(s));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    for (const rec of box.messages) box.entryOf(rec);
    await box.saveIndex();
    return { mda, box, dir: mda.userDir('lee') };
  }

  it('is written once built, and read instead of the files', async () => {
    const { dir } = await indexed();
    const text = await fs.readFile(path.join(dir, INDEX_FILE), 'utf8');
    expect(text.split('\n')[0]).toBe(INDEX_HEADER);
    expect(text).toContain('"alpha"');
    expect(text.split('\n').filter(Boolean)).toHaveLength(4);
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    expect(box.index.rebuilt).toBeUndefined();
    expect(box.index.size).toBe(3);
    // the index answers, not the file: a same-size change to the file is not seen
    const rec = box.messages[1];
    const bytes = await fs.readFile(box.pathOf(rec), 'latin1');
    await fs.writeFile(box.pathOf(rec), bytes.replace('beta', 'BETA'), 'latin1');
    expect(box.entryOf(rec)?.envelope).toContain('"beta"');
  });

  it('keeps every field through its line format, tabs and line breaks included', () => {
    const entry = {
      size: 10, mtime: 1.5, vsize: 12, lf: 1 as const, headerSize: 3, sentMs: null, sentDay: 7, messageId: null,
      search: ['a\tb', 'back\\slash \\N', '', 'x', 'y'] as [string, string, string, string, string],
      envelope: '("d" {6}\r\n한글 NIL)', bodystructure: '("text" "plain")', body: '\\N',
    };
    expect(decodeEntry(encodeEntry('b,S=10', entry))).toEqual(['b,S=10', entry]);
    // built for ENVELOPE: no structure yet
    const bare = { ...entry, bodystructure: null, body: null };
    expect(decodeEntry(encodeEntry('b,S=10', bare))).toEqual(['b,S=10', bare]);
    expect(decodeEntry('cut short\t1')).toBeUndefined();
  });

  it('is rebuilt when deleted', async () => {
    const { dir } = await indexed();
    await fs.rm(path.join(dir, INDEX_FILE));
    const box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    expect(box.index.rebuilt).toBe('missing');
    expect(box.entryOf(box.messages[2])?.envelope).toContain('"gamma"');
    await box.saveIndex();
    expect(await fs.readFile(path.join(dir, INDEX_FILE), 'utf8')).toContain('"gamma"');
  });

  it('is rebuilt when stale: another format, or an entry that does not match its file', async () => {
    const { dir } = await indexed();
    const file = path.join(dir, INDEX_FILE);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    // an entry whose size no longer matches the file: that message is read again
    const [base, entry] = decodeEntry(lines[1])!;
    lines[1] = encodeEntry(base, { ...entry, size: entry.size + 1, envelope: '(NIL "forged" NIL NIL NIL NIL NIL NIL NIL NIL)' });
    await fs.writeFile(file, lines.join('\n'));
    let box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    const rec = box.messages.find((m) => m.base === base)!;
    expect(box.entryOf(rec)?.envelope).not.toContain('forged');

    await fs.writeFile(file, `mail-lab-index 1\n${lines.slice(1).join('\n')}`);
    box = (await store().folder('lee', 'INBOX'))!;
    await box.sync();
    expect(box.index.rebuilt).toBe('stale');
    expect(box.index.size).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});

describe('APPEND and COPY', () => {
  it('appends with flags and an internal date, and copies with new UIDs and the same flags', async () => {
    const s = store();
    await s.createFolder('lee', 'Archive/2026');
    const inbox = (await s.folder('lee', 'INBOX'))!;
    await inbox.sync();
    const when = Date.UTC(2025, 0, 2, 3, 4, 5);
    const uid = await inbox.append(letter('appended'), inbox.keywords.lettersOf(['\\Seen', '$Work'], true), when);
    expect(uid).toBe(1);
    const entry = inbox.entryOf(inbox.get(1)!)!;
    expect(inbox.internalDate(inbox.get(1)!, entry)).toBe(when);
    const archive = (await s.folder('lee', 'Archive/2026'))!;
    await archive.sync();
    const pairs = await inbox.copyTo(archive, [1]);
    expect(pairs).toEqual([[1, 1]]);
    expect(archive.flagsOf(archive.get(1)!)).toEqual(['\\Seen', '$Work']);
    expect(await fs.readdir(path.join(s.userDir('lee'), '.Archive.2026', 'cur'))).toHaveLength(1);
  });
});

describe('names that would leave the data folder', () => {
  it('refuses user names that are paths', async () => {
    const s = store();
    for (const bad of ['..', '../kim', 'a/b', '/etc', '.hidden', 'lee\0', '', 'LEE']) {
      expect(() => s.userDir(bad), bad).toThrow(MailboxNameError);
    }
    await expect(s.deliver('../escape', letter('x'))).rejects.toThrow(MailboxNameError);
    expect(existsSync(path.join(root, 'escape'))).toBe(false);
  });

  it('refuses folder names with "..", "/", absolute paths, NUL, a leading "."', async () => {
    const s = store();
    const user = s.userDir('lee');
    for (const bad of ['..', '../x', 'a/../b', '/etc', '/', 'a//b', '.hidden', 'a/.b', 'x\0y', 'a.b', 'a\\b', '%', 'a*', '메일함']) {
      expect(() => folderDir(user, bad), JSON.stringify(bad)).toThrow(MailboxNameError);
      await expect(s.createFolder('lee', bad), JSON.stringify(bad)).rejects.toThrow(MailboxNameError);
    }
    expect(folderDir(user, 'Archive/2026')).toBe(path.join(user, '.Archive.2026'));
    expect(folderDir(user, 'inbox')).toBe(user);
    expect(await fs.readdir(root)).toEqual([]); // nothing was created anywhere
  });

  it('reports folder errors with their response codes', async () => {
    const s = store();
    await s.createFolder('lee', 'Sent');
    await expect(s.createFolder('lee', 'Sent')).rejects.toMatchObject({ code: 'ALREADYEXISTS' });
    await expect(s.deleteFolder('lee', 'Nope')).rejects.toMatchObject({ code: 'NONEXISTENT' });
    await expect(s.deleteFolder('lee', 'INBOX')).rejects.toBeInstanceOf(FolderError);
    await s.renameFolder('lee', 'Sent', 'Old/Sent');
    expect(await s.folders('lee')).toEqual(['INBOX', 'Old/Sent']);
  });
});

describe('delivery order', () => {
  it('gives UIDs in the order the files were delivered, numbers compared as numbers', async () => {
    const s = store();
    const dir = s.userDir('lee');
    await s.ensureInbox('lee');
    // same second and microsecond, counters 9, 10, 11 (string order would put 10 and 11 first)
    for (const q of [10, 9, 11]) await fs.writeFile(path.join(dir, 'new', `1700000000.M5P7Q${q}.host,S=3`), 'x\r\n');
    await fs.writeFile(path.join(dir, 'new', '999999999.M999999P7Q1.host,S=3'), 'x\r\n');
    const box = (await s.folder('lee', 'INBOX'))!;
    await box.sync();
    expect(box.messages.map((m) => `${m.uid} ${m.base.split('.')[0]}.${m.base.split('Q')[1]?.split('.')[0]}`)).toEqual(['1 999999999.1', '2 1700000000.9', '3 1700000000.10', '4 1700000000.11']);
  });
});
