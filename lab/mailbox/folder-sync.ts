import { fsyncPath } from './maildir-name.ts';

/**
 * A folder's fsync shared by concurrent writers (a group commit): a writer that asks while one
 * fsync runs gets the next one, which covers every entry made before it started. Used by the
 * queue (mqueue) and the Maildir delivery, where the folder fsync makes a rename durable.
 */
export class FolderSync {
  readonly dir: string;
  /** fsyncs started so far (each covers every caller that asked before it started) */
  started = 0;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private readonly fsync: (dir: string) => Promise<void>;

  constructor(dir: string, fsync: (dir: string) => Promise<void> = fsyncPath) {
    this.dir = dir;
    this.fsync = fsync;
  }

  sync(): Promise<void> {
    if (this.next) return this.next;
    if (this.running) {
      const after = () => {
        this.next = undefined;
        return this.start();
      };
      this.next = this.running.then(after, after);
      return this.next;
    }
    return this.start();
  }

  private start(): Promise<void> {
    this.started++;
    const run: Promise<void> = this.fsync(this.dir).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}
