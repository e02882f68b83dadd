import fs from '../fs-async.ts';
import { fs as nodeFs } from '../node-builtins.ts';
import path from 'node:path';
import { randomHex } from '../random-hex.ts';
import { EventEmitter } from 'node:events';
import { newQueueId, isQueueId } from './queue-id.ts';
import { FolderSync } from '../mailbox/folder-sync.ts';
import { fsyncPath as fsyncDir } from '../mailbox/maildir-name.ts';
import { writeFileSynced, writeAll, fsyncFd } from '../mailbox/disk.ts';
import type { MessageDsn } from './bounce.ts';

// The mail queue of one mail host, as sendmail keeps its mqueue: one spool folder
// (<dataDir>/queue), and per message a data file df<ID> (the message as received) and a
// control file qf<ID> (the envelope and each recipient's delivery state).
//
// Durability (DESIGN.md): enqueue() resolves only when both files and the folder entries are on
// disk, so the listener may answer 250 then. The data file is written in place (as sendmail
// writes df<ID>: a data file alone is not a message), created exclusively so that an ID in use
// is never overwritten; the control file is written under a temporary name (tf<ID>, as sendmail
// does) and renamed to qf<ID> once written, so that no reader, and no restart after the process
// was killed, ever finds half a control file. Then the data file, the control file and the
// folder are fsynced at once, and only when all three are done is the letter acknowledged:
// one journal commit where fsyncing the files first and the folder after their rename took two.
// So a letter that got its 250 has both files whole and both names on disk. A power cut before
// that may leave a control file whose contents, or whose data file's, did not reach the disk:
// a letter never acknowledged, which load() sets aside, never delivering half of it.
// Updates rewrite the control file atomically (tf, fsync, rename, folder fsync). Removal goes
// the other way round (control first). After a crash, load() finds:
//   - temporary files: an enqueue or an update that did not finish, a DATA still arriving (xf,
//     see data-spool.ts) -> removed;
//   - a data file without a control file: never acknowledged (or already delivered) -> removed;
//   - a control file without a data file, one that cannot be read, or one whose data file does
//     not hold the letter's size: set aside as Qf<ID> (sendmail's name for a damaged control
//     file) and reported, never delivered half.
// Folder fsyncs of concurrent writes are shared (a group commit, see FolderSync): one fsync
// started after a write was renamed makes it durable, whoever asked for it.

export interface Envelope {
  /** '' for the null sender (bounces) */
  from: string;
  recipients: string[];
  /** who handed us the message: lab host name (or 'outside'), its address, its HELO name */
  receivedFrom: { host: string; address: string; helo?: string };
  /** RFC 3461: RET and ENVID of the message, NOTIFY and ORCPT of each recipient (by address) */
  dsn?: MessageDsn & { recipients?: Record<string, RecipientDsn> };
  /** the message came with SMTPUTF8 (RFC 6531) */
  smtpUtf8?: boolean;
}

/** A recipient's DSN parameters (RFC 3461 section 4.1-4.2). */
export interface RecipientDsn {
  /** NEVER, or some of SUCCESS, FAILURE, DELAY; absent means the default (FAILURE) */
  notify?: string[];
  /** the original recipient as the first MTA got it: 'rfc822;lee@naver.com' */
  orcpt?: string;
}

export type RecipientStatus = 'pending' | 'deferred' | 'delivered' | 'bounced';

export interface RecipientState {
  address: string;
  status: RecipientStatus;
  attempts: number;
  /** the last reply or failure, e.g. '451 4.3.0 Try again later' */
  lastError?: string;
  /** enhanced status code of the last failure (RFC 3463), for the DSN */
  lastStatus?: string;
  /** the MTA that gave the last reply, for the DSN's Remote-MTA */
  remoteMta?: string;
  /** ms since the epoch; absent means now */
  nextTry?: number;
  /** ms since the epoch of the last attempt */
  lastTry?: number;
  /** NOTIFY and ORCPT as given at RCPT (RFC 3461) */
  notify?: string[];
  orcpt?: string;
}

/** The control file (qf<ID>), JSON so that a student can `cat` it. */
export interface QueueControl {
  format: 'mail-lab-qf/1';
  id: string;
  /** ms since the epoch: when the message was accepted (the DSN's Arrival-Date) */
  created: number;
  /** the host that queued it (its hostname) */
  hostname?: string;
  /** bytes of the data file */
  size: number;
  envelope: Envelope;
  recipients: RecipientState[];
}

/** A queue entry as mailq shows it. */
export interface QueueEntry {
  id: string;
  size: number;
  ageMs: number;
  created: number;
  from: string;
  recipients: { address: string; status: RecipientStatus; lastError?: string; nextTry?: number; attempts: number }[];
}

export interface LoadResult {
  entries: QueueControl[];
  /** what was found wrong and put right, one line each (reported by the runner) */
  problems: string[];
}

/** The file a `mailq --flush` drops into the spool folder; the running queue runner watches for it. */
export const FLUSH_REQUEST = 'flush.request';

export const ACTIVE: ReadonlySet<RecipientStatus> = new Set(['pending', 'deferred']);

export class Queue extends EventEmitter<{ enqueued: [QueueControl, Buffer] }> {
  readonly dir: string;
  readonly hostname: string | undefined;
  private ready: Promise<void> | undefined;
  /** IDs being written right now; load() leaves their files alone */
  private readonly writing = new Set<string>();
  /** the spool folder's shared fsync (its count of fsyncs started, for tests and figures) */
  readonly folder: FolderSync;

  constructor(dir: string, options: { hostname?: string } = {}) {
    super();
    this.setMaxListeners(0);
    const folder = path.normalize(dir);
    this.dir = folder.length > 1 && folder.endsWith(path.sep) ? folder.slice(0, -1) : folder;
    this.hostname = options.hostname;
    this.folder = new FolderSync(dir);
  }

  // (the folder is normalised once, in the constructor; a name in it is a concatenation, not a
  // path.join, which normalises again: a relayed letter names its two files about ten times)
  dataFile(id: string): string {
    return `${this.dir}${path.sep}df${id}`;
  }

  controlFile(id: string): string {
    return `${this.dir}${path.sep}qf${id}`;
  }

  /**
   * A sendmail-style queue ID, unique across restarts (see queue-id.ts). enqueue() creates the
   * data file exclusively, so even a clash could never overwrite a queued message.
   */
  newId(): string {
    for (;;) {
      const id = newQueueId();
      if (!this.writing.has(id)) return id;
    }
  }

  private ensureDir(): Promise<void> {
    this.ready ??= fs.mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  /**
   * Write the data file and the control file, fsync files and folder, then resolve: only then
   * may the listener answer 250. Emits 'enqueued' with the control and the message (the queue
   * runner delivers at once, from that copy, without reading the data file back).
   */
  async enqueue(envelope: Envelope, message: Buffer, queueId?: string): Promise<{ id: string; files: string[] }> {
    if (envelope.recipients.length === 0) throw new Error('enqueue: no recipients');
    if (typeof envelope.from !== 'string') throw new Error('enqueue: the sender must be a string ("" for the null sender)');
    await this.ensureDir();
    const id = queueId ?? this.newId();
    if (!isQueueId(id)) throw new Error(`enqueue: not a queue ID: ${JSON.stringify(id)}`);
    if (this.writing.has(id)) throw new Error(`enqueue: queue ID ${id} is being written already`);
    this.writing.add(id);
    try {
      const control: QueueControl = {
        format: 'mail-lab-qf/1',
        id,
        created: Date.now(),
        hostname: this.hostname,
        size: message.length,
        envelope: {
          from: envelope.from,
          recipients: [...envelope.recipients],
          receivedFrom: { ...envelope.receivedFrom },
          ...(envelope.dsn?.ret || envelope.dsn?.envid ? { dsn: { ret: envelope.dsn.ret, envid: envelope.dsn.envid } } : {}),
          ...(envelope.smtpUtf8 ? { smtpUtf8: true } : {}),
        },
        recipients: envelope.recipients.map((address): RecipientState => ({ address, status: 'pending', attempts: 0, ...envelope.dsn?.recipients?.[address] })),
      };
      const df = this.dataFile(id);
      const qf = this.controlFile(id);
      const tf = `${this.dir}${path.sep}tf${id}.${tmpSuffix()}`;
      // Both files written, the control file renamed into place, then the three fsyncs at once
      // (data file, control file, folder: one journal commit on ext4, where one after the other
      // took two). Nothing is answered until all three are done, so a letter that got its 250
      // has both files whole and both names on disk; a crash before that may leave a control
      // file whose data file holds less than `size`, and load() sets that one aside.
      let dataFd: number | undefined;
      let controlFd: number | undefined;
      try {
        try {
          dataFd = nodeFs.openSync(df, 'wx');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new QueueIdInUse(id);
          throw err;
        }
        writeAll(dataFd, message);
        controlFd = nodeFs.openSync(tf, 'wx');
        writeAll(controlFd, serialise(control));
        nodeFs.renameSync(tf, qf);
        const synced = await Promise.allSettled([fsyncFd(dataFd), fsyncFd(controlFd), this.folder.sync()]);
        for (const result of synced) if (result.status === 'rejected') throw result.reason;
      } catch (err) {
        // not queued after all (a full disk...): the listener answers 451 and nothing is left
        // behind; an ID in use has a data file that is someone else's, left alone
        if (!(err instanceof QueueIdInUse)) {
          await fs.rm(qf, { force: true });
          await fs.rm(df, { force: true });
        }
        await fs.rm(tf, { force: true });
        throw err;
      } finally {
        if (dataFd !== undefined) nodeFs.closeSync(dataFd);
        if (controlFd !== undefined) nodeFs.closeSync(controlFd);
      }
      this.emit('enqueued', control, ownCopy(message));
      return { id, files: [df, qf] };
    } finally {
      this.writing.delete(id);
    }
  }

  /** Rewrite a control file atomically (temp file, fsync, rename, folder fsync). */
  async update(control: QueueControl): Promise<void> {
    const tf = `${this.dir}${path.sep}tf${control.id}.${tmpSuffix()}`;
    await writeFileSynced(tf, serialise(control), 'wx');
    nodeFs.renameSync(tf, this.controlFile(control.id));
    await this.folder.sync();
  }

  async read(id: string): Promise<QueueControl> {
    return parseControl(await fs.readFile(this.controlFile(id), 'utf8'), id);
  }

  readMessage(id: string): Promise<Buffer> {
    return fs.readFile(this.dataFile(id));
  }

  /** Remove a finished message: the control file first, so that a crash leaves at most an orphan data file. */
  async remove(id: string): Promise<void> {
    await unlinkQuietly(this.controlFile(id));
    await unlinkQuietly(this.dataFile(id));
  }

  /**
   * Read the whole spool at start-up and put right what a crash left behind (see the top of
   * this file). Only the queue runner of this host calls it.
   */
  async load(): Promise<LoadResult> {
    await this.ensureDir();
    const names = await fs.readdir(this.dir);
    const problems: string[] = [];
    const present = new Set(names);
    const entries: QueueControl[] = [];
    for (const name of names) {
      const kind = name.slice(0, 2);
      const id = name.slice(2).split('.')[0];
      if (this.writing.has(id)) continue;
      const file = path.join(this.dir, name);
      if (kind === 'tf' || kind === 'td' || kind === 'xf') {
        await fs.rm(file, { force: true });
        problems.push(`removed ${name}: an unfinished write`);
      } else if (kind === 'df' && !present.has(`qf${id}`)) {
        await fs.rm(file, { force: true });
        problems.push(`removed ${name}: a data file without a control file (never accepted, or delivered)`);
      } else if (kind === 'qf') {
        if (!present.has(`df${id}`)) {
          await setAside(this.dir, id);
          problems.push(`set ${name} aside as Qf${id}: its data file df${id} is missing`);
          continue;
        }
        try {
          const control = parseControl(await fs.readFile(file, 'utf8'), id);
          // enqueue() answers only once both files are whole on disk: a data file shorter (or
          // longer) than the control file says is a write that a crash cut short, never
          // acknowledged; it is never delivered half
          const { size } = await fs.stat(path.join(this.dir, `df${id}`));
          if (typeof control.size === 'number' && size !== control.size) throw new Error(`its data file df${id} holds ${size} of the letter's ${control.size} bytes`);
          entries.push(control);
        } catch (err) {
          await setAside(this.dir, id);
          problems.push(`set ${name} aside as Qf${id}: ${(err as Error).message}`);
        }
      }
    }
    if (problems.length) await this.folder.sync();
    entries.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
    return { entries, problems };
  }

  /** The queue as mailq shows it; reads only, safe while the lab runs in another process. */
  list(now = Date.now()): Promise<QueueEntry[]> {
    return listQueue(this.dir, now);
  }
}

/** Read a spool folder for mailq, without changing anything in it. */
export async function listQueue(dir: string, now = Date.now()): Promise<QueueEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: QueueEntry[] = [];
  for (const name of names) {
    if (!name.startsWith('qf')) continue;
    const id = name.slice(2);
    let control: QueueControl;
    try {
      control = parseControl(await fs.readFile(path.join(dir, name), 'utf8'), id);
    } catch {
      continue; // delivered and removed while we listed, or being set aside
    }
    out.push({
      id,
      size: control.size,
      created: control.created,
      ageMs: Math.max(0, now - control.created),
      from: control.envelope.from,
      recipients: control.recipients.map((r) => ({ address: r.address, status: r.status, lastError: r.lastError, nextTry: r.nextTry, attempts: r.attempts })),
    });
  }
  return out.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
}

function serialise(control: QueueControl): Buffer {
  return Buffer.from(JSON.stringify(control, null, 2) + '\n');
}

function parseControl(text: string, id: string): QueueControl {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the control file is not valid JSON');
  }
  const c = value as QueueControl;
  const ok =
    c && c.format === 'mail-lab-qf/1' && c.id === id && typeof c.created === 'number' &&
    c.envelope && typeof c.envelope.from === 'string' && Array.isArray(c.envelope.recipients) &&
    Array.isArray(c.recipients) && c.recipients.every((r) => typeof r.address === 'string' && typeof r.status === 'string');
  if (!ok) throw new Error('the control file lacks fields (format, id, created, envelope, recipients)');
  return c;
}

async function setAside(dir: string, id: string): Promise<void> {
  await fs.rename(path.join(dir, `qf${id}`), path.join(dir, `Qf${id}`)).catch(() => undefined);
}

function tmpSuffix(): string {
  return randomHex(4);
}

/**
 * The message as the queue runner keeps it until it is delivered: a buffer of its own. A letter
 * of a few KB is made by Buffer.concat in a slice of Node's shared 8 KB pool, and a slice keeps
 * the whole slab alive, whatever else was in it: with a backlog of some thousand letters (two
 * hops over reused connections, once the 250 came one fsync sooner) that was about 10 MB.
 */
function ownCopy(message: Buffer): Buffer {
  if (message.byteOffset === 0 && message.buffer.byteLength === message.length) return message;
  const copy = Buffer.allocUnsafeSlow(message.length);
  message.copy(copy);
  return copy;
}

/** enqueue() was given a queue ID whose data file exists already */
class QueueIdInUse extends Error {
  constructor(id: string) {
    super(`enqueue: queue ID ${id} is in use (df${id} exists already)`);
  }
}

/** unlink, and a file that is not there is fine (fs.rm would lstat first, then unlink). */
async function unlinkQuietly(file: string): Promise<void> {
  try {
    nodeFs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}


