import fs from '../fs-async.ts';
import { fs as nodeFs } from '../node-builtins.ts';
import path from 'node:path';
import { crypto } from '../node-builtins.ts';
import { Maildir } from './maildir.ts';
import { checkUserName, folderDir, folderNameOf, folderComponents, normaliseFolderName, MailboxNameError, SEPARATOR } from './names.ts';
import { maildirName, fsyncPath } from './maildir-name.ts';
import { FolderSync } from './folder-sync.ts';
import { writeFileSynced } from './disk.ts';

export { maildirName, fsyncPath };

// The users' mailboxes on one mail host: <data>/<Host>/mail/<user>/ is a Maildir
// (tmp, new, cur), as dovecot and procmail keep it, with Maildir++ subfolders (.Sent,
// .Archive.2026). One store per host (DESIGN.md, "One of each per host"), made with the host's
// context: the MDA delivers here, IMAP reads the folders here and POP3 reads INBOX here through
// a Maildrop view, so every one of them sees the same messages, UIDs and flags, and news of a
// delivery goes from the MDA to the sessions without any module-level emitter.

/** A folder operation refused, with the RFC 5530 response code the IMAP server sends. */
export class FolderError extends Error {
  readonly code: 'NONEXISTENT' | 'ALREADYEXISTS' | 'CANNOT' | 'INUSE';
  constructor(code: FolderError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const SUBSCRIPTIONS = 'subscriptions';

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

async function makeMaildir(dir: string, marker: boolean): Promise<void> {
  await Promise.all(['tmp', 'new', 'cur'].map((d) => fs.mkdir(path.join(dir, d), { recursive: true })));
  // Maildir++: a subfolder says what it is
  if (marker) await fs.writeFile(path.join(dir, 'maildirfolder'), '', { flag: 'a' });
}

export class MailStore {
  readonly root: string;
  private readonly open = new Map<string, Maildir>();
  /** user Maildirs known to exist (delivery skips the mkdirs) */
  private readonly made = new Set<string>();
  private readonly syncs = new Map<string, FolderSync>();
  /** userDir's answers: a letter's delivery asks for its user's folder three times */
  private readonly userDirs = new Map<string, string>();
  /** POP3 sessions holding a user's maildrop (RFC 1939 section 8, RFC 2449 [IN-USE]) */
  private readonly maildropHolders = new Map<string, object>();

  constructor(root: string) {
    this.root = root;
  }

  /** The Maildir folder of a user; the name is checked so that no login can leave the store. */
  userDir(user: string): string {
    let dir = this.userDirs.get(user);
    if (dir === undefined) {
      dir = path.join(this.root, checkUserName(user));
      if (this.userDirs.size >= 1000) this.userDirs.clear();
      this.userDirs.set(user, dir);
    }
    return dir;
  }

  /**
   * Deliver one message: write to tmp, fsync, rename into new, fsync the folder (maildir(5)).
   * Returns the file's path in new/. Sessions watching this mailbox are told at once.
   */
  async deliver(user: string, message: Buffer): Promise<{ file: string }> {
    const dir = this.userDir(user);
    if (!this.made.has(dir)) {
      await Promise.all(['tmp', 'new', 'cur'].map((d) => fs.mkdir(path.join(dir, d), { recursive: true })));
      this.made.add(dir);
    }
    const name = maildirName();
    // (userDir is normalised: names in it are concatenated, not joined and normalised again)
    const tmp = `${dir}${path.sep}tmp${path.sep}${name}`;
    try {
      await writeFileSynced(tmp, message, 'wx');
    } catch (err) {
      // the Maildir was removed since (by hand): make it again, once
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.made.delete(dir);
      // its new/ is another folder now: the kept descriptor names the one removed
      this.syncs.get(path.join(dir, 'new'))?.close();
      this.syncs.delete(path.join(dir, 'new'));
      return this.deliver(user, message);
    }
    const newDir = `${dir}${path.sep}new`;
    const file = `${newDir}${path.sep}${name},S=${message.length}`;
    nodeFs.renameSync(tmp, file);
    // the rename is durable once new/ is fsynced; concurrent deliveries share that fsync
    let sync = this.syncs.get(newDir);
    if (!sync) this.syncs.set(newDir, (sync = new FolderSync(newDir)));
    await sync.sync();
    this.open.get(dir)?.noteDelivery();
    return { file };
  }

  /** The folder's directory (checked: it stays below the user's Maildir). */
  folderDir(user: string, name: string): string {
    return folderDir(this.userDir(user), name);
  }

  /** A user's INBOX exists from the first login on, as with dovecot. */
  async ensureInbox(user: string): Promise<void> {
    await makeMaildir(this.userDir(user), false);
  }

  /** The folder, shared by every session of this store; undefined if it does not exist. */
  async folder(user: string, name: string): Promise<Maildir | undefined> {
    const dir = this.folderDir(user, name);
    if (normaliseFolderName(name) === 'INBOX') await this.ensureInbox(user);
    else if (!(await isDir(path.join(dir, 'cur')))) return undefined;
    let maildir = this.open.get(dir);
    if (!maildir) {
      maildir = new Maildir(dir);
      this.open.set(dir, maildir);
    }
    return maildir;
  }

  /** Every folder's IMAP name (INBOX first), subfolders included. */
  async folders(user: string): Promise<string[]> {
    const dir = this.userDir(user);
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch {
      entries = [];
    }
    const names: string[] = [];
    for (const entry of entries) {
      const name = folderNameOf(entry);
      if (name !== undefined && (await isDir(path.join(dir, entry, 'cur')))) names.push(name);
    }
    return ['INBOX', ...names.sort()];
  }

  async createFolder(user: string, name: string): Promise<void> {
    const parts = folderComponents(name);
    if (parts.length === 0) throw new FolderError('ALREADYEXISTS', 'INBOX always exists');
    const dir = this.folderDir(user, name);
    if (await isDir(path.join(dir, 'cur'))) throw new FolderError('ALREADYEXISTS', `${parts.join(SEPARATOR)} already exists`);
    await this.ensureInbox(user);
    await makeMaildir(dir, true);
  }

  /** DELETE: the folder goes; its subfolders stay (RFC 3501 section 6.3.4, Maildir++ has no real parents). */
  async deleteFolder(user: string, name: string): Promise<void> {
    const parts = folderComponents(name);
    if (parts.length === 0) throw new FolderError('CANNOT', 'INBOX cannot be deleted');
    const dir = this.folderDir(user, name);
    if (!(await isDir(dir))) throw new FolderError('NONEXISTENT', `no folder ${parts.join(SEPARATOR)}`);
    // out of the way first (one rename), then removed, so nobody sees half a folder
    const trash = path.join(this.userDir(user), 'tmp', `deleted.${crypto.randomBytes(6).toString('hex')}`);
    await fs.rename(dir, trash);
    this.forget(dir);
    await fs.rm(trash, { recursive: true, force: true });
  }

  /**
   * RENAME (RFC 3501 section 6.3.5): the folder and its subfolders take the new name. Renaming
   * INBOX moves its messages into a new folder and leaves INBOX empty.
   */
  async renameFolder(user: string, from: string, to: string): Promise<void> {
    const fromParts = folderComponents(from);
    const toParts = folderComponents(to);
    if (toParts.length === 0) throw new FolderError('ALREADYEXISTS', 'INBOX always exists');
    const userDir = this.userDir(user);
    const toDir = this.folderDir(user, to);
    if (await isDir(toDir)) throw new FolderError('ALREADYEXISTS', `${toParts.join(SEPARATOR)} already exists`);
    if (fromParts.length === 0) {
      await makeMaildir(toDir, true);
      const inbox = userDir;
      for (const sub of ['new', 'cur']) {
        for (const file of await fs.readdir(path.join(inbox, sub)).catch(() => [] as string[])) {
          if (file.startsWith('.')) continue;
          const target = sub === 'new' ? `${file}:2,` : file;
          await fs.rename(path.join(inbox, sub, file), path.join(toDir, 'cur', target)).catch(() => undefined);
        }
      }
      return;
    }
    const fromDisk = `.${fromParts.join('.')}`;
    const toDisk = `.${toParts.join('.')}`;
    if (toDisk.startsWith(`${fromDisk}.`)) throw new FolderError('CANNOT', 'a folder cannot be moved into itself');
    if (!(await isDir(path.join(userDir, fromDisk)))) throw new FolderError('NONEXISTENT', `no folder ${fromParts.join(SEPARATOR)}`);
    const entries = await fs.readdir(userDir);
    const moving = entries.filter((e) => e === fromDisk || e.startsWith(`${fromDisk}.`));
    for (const entry of moving) {
      const target = toDisk + entry.slice(fromDisk.length);
      if (entries.includes(target)) throw new FolderError('ALREADYEXISTS', `${folderNameOf(target)} already exists`);
    }
    for (const entry of moving) {
      await fs.rename(path.join(userDir, entry), path.join(userDir, toDisk + entry.slice(fromDisk.length)));
      this.forget(path.join(userDir, entry));
    }
    // subscriptions follow the folders
    const subs = await this.subscriptions(user);
    const fromName = fromParts.join(SEPARATOR);
    const moved = subs.map((s) => (s === fromName || s.startsWith(`${fromName}${SEPARATOR}`) ? toParts.join(SEPARATOR) + s.slice(fromName.length) : s));
    if (moved.some((s, i) => s !== subs[i])) await this.writeSubscriptions(user, moved);
  }

  /** Folder names the user subscribed to (the subscriptions file, as dovecot keeps it). */
  async subscriptions(user: string): Promise<string[]> {
    try {
      const text = await fs.readFile(path.join(this.userDir(user), SUBSCRIPTIONS), 'utf8');
      return text.split('\n').filter((line) => line && !line.startsWith('V\t'));
    } catch {
      return [];
    }
  }

  async setSubscribed(user: string, name: string, on: boolean): Promise<void> {
    const parts = folderComponents(name);
    const canonical = parts.length === 0 ? 'INBOX' : parts.join(SEPARATOR);
    const subs = await this.subscriptions(user);
    const has = subs.includes(canonical);
    if (on && !has) subs.push(canonical);
    if (!on && !has) throw new FolderError('NONEXISTENT', `not subscribed to ${canonical}`);
    await this.writeSubscriptions(user, on ? subs : subs.filter((s) => s !== canonical));
  }

  private async writeSubscriptions(user: string, subs: string[]): Promise<void> {
    await this.ensureInbox(user);
    const file = path.join(this.userDir(user), SUBSCRIPTIONS);
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, subs.map((s) => `${s}\n`).join(''));
    await fs.rename(tmp, file);
  }

  /** Take a user's maildrop for one POP3 session; false while another session holds it. */
  lockMaildrop(user: string, holder: object): boolean {
    const key = checkUserName(user);
    const current = this.maildropHolders.get(key);
    if (current && current !== holder) return false;
    this.maildropHolders.set(key, holder);
    return true;
  }

  unlockMaildrop(user: string, holder: object): void {
    const key = checkUserName(user);
    if (this.maildropHolders.get(key) === holder) this.maildropHolders.delete(key);
  }

  /** A folder went away under its sessions: they are told, and it is opened afresh next time. */
  private forget(dir: string): void {
    for (const [key, maildir] of this.open) {
      if (key === dir || key.startsWith(`${dir}.`)) {
        this.open.delete(key);
        maildir.emit('reset');
      }
    }
  }

  /** Stop watching every folder (the server is closing). */
  close(): void {
    for (const maildir of this.open.values()) maildir.shutdown();
    this.open.clear();
  }
}

export { MailboxNameError };
