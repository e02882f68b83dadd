import path from 'node:path';
import { EventEmitter } from 'node:events';

// In-process news of deliveries: MailStore.deliver tells whoever watches that Maildir (an IMAP
// session in IDLE) at once, without waiting for fs.watch. fs.watch still covers writers in
// other processes (a procmail, a POP3 server elsewhere).

const deliveries = new EventEmitter();
deliveries.setMaxListeners(0);

export function notifyDelivery(maildir: string): void {
  deliveries.emit(path.resolve(maildir));
}

/** Call listener after each delivery into this Maildir; returns the function that stops it. */
export function onDelivery(maildir: string, listener: () => void): () => void {
  const key = path.resolve(maildir);
  deliveries.on(key, listener);
  return () => deliveries.off(key, listener);
}
