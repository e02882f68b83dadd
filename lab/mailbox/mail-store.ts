import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';

// The users' mailboxes on one mail host: <data>/<Host>/mail/<user>/ is a Maildir
// (tmp, new, cur), as dovecot and procmail keep it. The MDA delivers here; POP3 and IMAP read here.

let deliveries = 0;

/** A unique Maildir file name (the "time.pid_n.host" convention of maildir(5)). */
export function maildirName(hostname = os.hostname()): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const usec = (now % 1000) * 1000;
  return `${sec}.M${usec}P${process.pid}Q${++deliveries}R${crypto.randomBytes(4).toString('hex')}.${hostname.replace(/[/:]/g, '_')}`;
}

export async function fsyncPath(p: string): Promise<void> {
  const handle = await fs.open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class MailStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  /** The Maildir folder of a user; the name is checked so that no login can leave the store. */
  userDir(user: string): string {
    if (!/^[a-z0-9._-]+$/.test(user) || user.startsWith('.')) throw new Error(`not a user name: ${JSON.stringify(user)}`);
    return path.join(this.root, user);
  }

  /**
   * Deliver one message: write to tmp, fsync, rename into new, fsync the folder (maildir(5)).
   * Returns the file's path in new/.
   */
  async deliver(user: string, message: Buffer): Promise<{ file: string }> {
    const dir = this.userDir(user);
    await Promise.all(['tmp', 'new', 'cur'].map((d) => fs.mkdir(path.join(dir, d), { recursive: true })));
    const name = maildirName();
    const tmp = path.join(dir, 'tmp', name);
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(message);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const file = path.join(dir, 'new', `${name},S=${message.length}`);
    await fs.rename(tmp, file);
    await fsyncPath(path.join(dir, 'new'));
    return { file };
  }
}
