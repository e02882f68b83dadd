import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { textOf } from '../imap-parser.ts';
import { ok, type HandlerResult } from '../command-result.ts';
import { SEPARATOR } from '../../mailbox/names.ts';
import { listPattern } from '../mailbox-list.ts';
import { encodeMutf7 } from '../../mailbox/mutf7.ts';

// LIST and LSUB (RFC 3501 sections 6.3.8, 6.3.9; CHILDREN, RFC 3348).
export function list(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return answer(conn, cmd, 'LIST');
}

export function lsub(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return answer(conn, cmd, 'LSUB');
}

async function answer(conn: ImapConnection, cmd: ParsedCommand, kind: 'LIST' | 'LSUB'): Promise<HandlerResult> {
  // after ENABLE UTF8=ACCEPT the client writes names in UTF-8; they are kept in modified UTF-7
  const wire = (text: string) => (conn.utf8 ? encodeMutf7(text) : text);
  const reference = wire(textOf(cmd.args[0]) ?? '');
  const pattern = wire(textOf(cmd.args[1]) ?? '');
  if (pattern === '') {
    // "an empty mailbox name argument is a special request to return the hierarchy delimiter"
    conn.send(`* ${kind} (\\Noselect) "${SEPARATOR}" ""`);
    return ok(`${kind} completed`);
  }
  const matches = listPattern(reference, pattern);
  const store = conn.server.store;
  const folders = await store.folders(conn.user);
  const existing = new Set(folders);
  // Maildir++ has no parent folders: "Archive" exists only as the parent of Archive/2026
  const all = new Set(folders);
  for (const name of folders) {
    const parts = name.split(SEPARATOR);
    for (let i = 1; i < parts.length; i++) all.add(parts.slice(0, i).join(SEPARATOR));
  }
  const hasChildren = (name: string) => folders.some((f) => f.startsWith(`${name}${SEPARATOR}`));
  const byName = (a: string, b: string) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a < b ? -1 : a > b ? 1 : 0);
  if (kind === 'LSUB') {
    const subs = await store.subscriptions(conn.user);
    const answer = new Map<string, string>();
    for (const name of subs) if (matches(name)) answer.set(name, existing.has(name) ? '' : '\\Noselect');
    // RFC 3501 section 6.3.9: with "%", a subscribed foo/bar whose parent foo is not subscribed
    // answers foo, flagged \Noselect (whether or not foo exists)
    if (pattern.includes('%')) {
      const subscribed = new Set(subs);
      for (const name of subs) {
        const parts = name.split(SEPARATOR);
        for (let i = 1; i < parts.length; i++) {
          const parent = parts.slice(0, i).join(SEPARATOR);
          if (!subscribed.has(parent) && !answer.has(parent) && matches(parent)) answer.set(parent, '\\Noselect');
        }
      }
    }
    for (const name of [...answer.keys()].sort(byName)) conn.send(`* LSUB (${answer.get(name)}) "${SEPARATOR}" ${conn.wireName(name)}`);
    return ok('LSUB completed');
  }
  for (const name of [...all].filter(matches).sort(byName)) {
    const attrs: string[] = [];
    if (!existing.has(name)) attrs.push('\\Noselect');
    attrs.push(hasChildren(name) ? '\\HasChildren' : '\\HasNoChildren');
    conn.send(`* LIST (${attrs.join(' ')}) "${SEPARATOR}" ${conn.wireName(name)}`);
  }
  return ok('LIST completed');
}
