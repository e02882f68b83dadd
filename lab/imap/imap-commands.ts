import type { ImapConnection } from './imap-connection.ts';
import type { ImapNode, ParsedCommand } from './imap-parser.ts';
import { parseSequenceSet } from './sequence-set.ts';
import type { HandlerResult } from './command-result.ts';

// The command table (in the style of WildDuck's imap-core): the full verb -> the states it is
// allowed in, its arguments, its handler. The connection checks state and arguments before a
// handler runs, so handlers hold only their own logic; one place writes the tagged reply.

export type ImapState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export type ArgKind = 'astring' | 'atom' | 'list' | 'sequence' | 'any';

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  optional?: boolean;
  /** this and every later argument */
  rest?: boolean;
}

export type { CommandResult, HandlerResult } from './command-result.ts';

export interface CommandSpec {
  states: ImapState[];
  args: ArgSpec[];
  /** RFC 3501 section 7.4.1: no EXPUNGE response while FETCH, STORE or SEARCH is answered */
  holdExpunges?: boolean;
  handler(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult>;
}

/**
 * A handler whose module is loaded by the first command that needs it: the lab's start (every
 * listener open) loads none of the ~30 command modules, about 15 ms of a start of 170 ms.
 */
function later<M>(load: () => Promise<M>, pick: (module: M) => CommandSpec['handler']): CommandSpec['handler'] {
  let handler: CommandSpec['handler'] | undefined;
  return async (conn, cmd) => (handler ??= pick(await load()))(conn, cmd);
}

const ANY: ImapState[] = ['not-authenticated', 'authenticated', 'selected'];
const NOT_AUTH: ImapState[] = ['not-authenticated'];
const AUTH: ImapState[] = ['authenticated', 'selected'];
const SELECTED: ImapState[] = ['selected'];

const mailbox: ArgSpec = { name: 'mailbox', kind: 'astring' };
const sequence: ArgSpec = { name: 'sequence set', kind: 'sequence' };

export const COMMANDS: Record<string, CommandSpec> = {
  CAPABILITY: { states: ANY, args: [], handler: later(() => import('./commands/capability.ts'), (m) => m.capability) },
  NOOP: { states: ANY, args: [], handler: later(() => import('./commands/noop.ts'), (m) => m.noop) },
  LOGOUT: { states: ANY, args: [], handler: later(() => import('./commands/logout.ts'), (m) => m.logout) },
  ID: { states: ANY, args: [{ name: 'parameters', kind: 'any' }], handler: later(() => import('./commands/id.ts'), (m) => m.id) },
  LOGIN: { states: NOT_AUTH, args: [{ name: 'user name', kind: 'astring' }, { name: 'password', kind: 'astring' }], handler: later(() => import('./commands/login.ts'), (m) => m.login) },
  AUTHENTICATE: { states: NOT_AUTH, args: [{ name: 'mechanism', kind: 'atom' }, { name: 'initial response', kind: 'astring', optional: true }], handler: later(() => import('./commands/authenticate.ts'), (m) => m.authenticate) },
  NAMESPACE: { states: AUTH, args: [], handler: later(() => import('./commands/namespace.ts'), (m) => m.namespace) },
  ENABLE: { states: AUTH, args: [{ name: 'capabilities', kind: 'atom', rest: true }], handler: later(() => import('./commands/enable.ts'), (m) => m.enable) },
  LIST: { states: AUTH, args: [{ name: 'reference', kind: 'astring' }, { name: 'mailbox pattern', kind: 'astring' }], handler: later(() => import('./commands/list.ts'), (m) => m.list) },
  LSUB: { states: AUTH, args: [{ name: 'reference', kind: 'astring' }, { name: 'mailbox pattern', kind: 'astring' }], handler: later(() => import('./commands/list.ts'), (m) => m.lsub) },
  SELECT: { states: AUTH, args: [mailbox], handler: later(() => import('./commands/select.ts'), (m) => m.select) },
  EXAMINE: { states: AUTH, args: [mailbox], handler: later(() => import('./commands/select.ts'), (m) => m.examine) },
  CREATE: { states: AUTH, args: [mailbox], handler: later(() => import('./commands/create.ts'), (m) => m.create) },
  DELETE: { states: AUTH, args: [mailbox], handler: later(() => import('./commands/delete.ts'), (m) => m.deleteFolder) },
  RENAME: { states: AUTH, args: [mailbox, { name: 'new name', kind: 'astring' }], handler: later(() => import('./commands/rename.ts'), (m) => m.rename) },
  SUBSCRIBE: { states: AUTH, args: [mailbox], handler: later(() => import('./commands/subscribe.ts'), (m) => m.subscribe) },
  UNSUBSCRIBE: { states: AUTH, args: [mailbox], handler: later(() => import('./commands/subscribe.ts'), (m) => m.unsubscribe) },
  STATUS: { states: AUTH, args: [mailbox, { name: 'status items', kind: 'list' }], handler: later(() => import('./commands/status.ts'), (m) => m.status) },
  APPEND: { states: AUTH, args: [mailbox, { name: 'flags, date and message', kind: 'any', rest: true }], handler: later(() => import('./commands/append.ts'), (m) => m.append) },
  IDLE: { states: AUTH, args: [], handler: later(() => import('./commands/idle.ts'), (m) => m.idle) },
  CHECK: { states: SELECTED, args: [], handler: later(() => import('./commands/check.ts'), (m) => m.check) },
  CLOSE: { states: SELECTED, args: [], handler: later(() => import('./commands/close.ts'), (m) => m.close) },
  UNSELECT: { states: SELECTED, args: [], handler: later(() => import('./commands/unselect.ts'), (m) => m.unselect) },
  EXPUNGE: { states: SELECTED, args: [], handler: later(() => import('./commands/expunge.ts'), (m) => m.expunge) },
  'UID EXPUNGE': { states: SELECTED, args: [sequence], handler: later(() => import('./commands/expunge.ts'), (m) => m.uidExpunge) },
  SEARCH: { states: SELECTED, args: [{ name: 'search keys', kind: 'any', rest: true }], holdExpunges: true, handler: later(() => import('./commands/search.ts'), (m) => m.search) },
  'UID SEARCH': { states: SELECTED, args: [{ name: 'search keys', kind: 'any', rest: true }], handler: later(() => import('./commands/search.ts'), (m) => m.uidSearch) },
  FETCH: { states: SELECTED, args: [sequence, { name: 'fetch items', kind: 'any' }], holdExpunges: true, handler: later(() => import('./commands/fetch.ts'), (m) => m.fetch) },
  'UID FETCH': { states: SELECTED, args: [sequence, { name: 'fetch items', kind: 'any' }], handler: later(() => import('./commands/fetch.ts'), (m) => m.uidFetch) },
  STORE: { states: SELECTED, args: [sequence, { name: 'item', kind: 'atom' }, { name: 'flags', kind: 'any', rest: true }], holdExpunges: true, handler: later(() => import('./commands/store.ts'), (m) => m.store) },
  'UID STORE': { states: SELECTED, args: [sequence, { name: 'item', kind: 'atom' }, { name: 'flags', kind: 'any', rest: true }], handler: later(() => import('./commands/store.ts'), (m) => m.uidStore) },
  COPY: { states: SELECTED, args: [sequence, mailbox], handler: later(() => import('./commands/copy.ts'), (m) => m.copy) },
  'UID COPY': { states: SELECTED, args: [sequence, mailbox], handler: later(() => import('./commands/copy.ts'), (m) => m.uidCopy) },
  MOVE: { states: SELECTED, args: [sequence, mailbox], handler: later(() => import('./commands/move.ts'), (m) => m.move) },
  'UID MOVE': { states: SELECTED, args: [sequence, mailbox], handler: later(() => import('./commands/move.ts'), (m) => m.uidMove) },
};

function fits(kind: ArgKind, node: ImapNode): boolean {
  switch (kind) {
    case 'any':
      return true;
    case 'list':
      return node.type === 'list';
    case 'atom':
      return node.type === 'atom' && !node.section;
    case 'astring':
      return node.type === 'string' || (node.type === 'atom' && !node.section);
    case 'sequence':
      return node.type === 'atom' && !node.section && parseSequenceSet(node.value) !== undefined;
  }
}

/** Whether a command's arguments fit its spec: undefined, or what is wrong (for BAD). */
export function checkArguments(verb: string, spec: CommandSpec, args: ImapNode[]): string | undefined {
  const specs = spec.args;
  const rest = specs.find((s) => s.rest);
  const required = specs.filter((s) => !s.optional && !s.rest).length;
  if (args.length < required || (specs.some((s) => s.rest && !s.optional) && args.length < specs.length)) {
    return `${verb} needs ${specs.filter((s) => !s.optional).map((s) => s.name).join(', ')}`;
  }
  if (!rest && args.length > specs.length) return `too many arguments for ${verb}`;
  for (let i = 0; i < args.length; i++) {
    const s = specs[Math.min(i, specs.length - 1)];
    if (!fits(s.kind, args[i])) return `${verb}: ${s.name} is not valid${s.kind === 'sequence' ? ' (a sequence set such as 1:5,7 or 1:*)' : ''}`;
  }
  return undefined;
}
