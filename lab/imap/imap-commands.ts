import type { ImapConnection } from './imap-connection.ts';
import type { ImapNode, ParsedCommand } from './imap-parser.ts';
import { parseSequenceSet } from './sequence-set.ts';
import type { HandlerResult } from './command-result.ts';
import { capability } from './commands/capability.ts';
import { noop } from './commands/noop.ts';
import { logout } from './commands/logout.ts';
import { login } from './commands/login.ts';
import { authenticate } from './commands/authenticate.ts';
import { id } from './commands/id.ts';
import { namespace } from './commands/namespace.ts';
import { list, lsub } from './commands/list.ts';
import { select, examine } from './commands/select.ts';
import { create } from './commands/create.ts';
import { deleteFolder } from './commands/delete.ts';
import { rename } from './commands/rename.ts';
import { subscribe, unsubscribe } from './commands/subscribe.ts';
import { status } from './commands/status.ts';
import { append } from './commands/append.ts';
import { check } from './commands/check.ts';
import { close } from './commands/close.ts';
import { unselect } from './commands/unselect.ts';
import { expunge, uidExpunge } from './commands/expunge.ts';
import { search, uidSearch } from './commands/search.ts';
import { fetch, uidFetch } from './commands/fetch.ts';
import { store, uidStore } from './commands/store.ts';
import { copy, uidCopy } from './commands/copy.ts';
import { move, uidMove } from './commands/move.ts';
import { idle } from './commands/idle.ts';
import { enable } from './commands/enable.ts';

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

const ANY: ImapState[] = ['not-authenticated', 'authenticated', 'selected'];
const NOT_AUTH: ImapState[] = ['not-authenticated'];
const AUTH: ImapState[] = ['authenticated', 'selected'];
const SELECTED: ImapState[] = ['selected'];

const mailbox: ArgSpec = { name: 'mailbox', kind: 'astring' };
const sequence: ArgSpec = { name: 'sequence set', kind: 'sequence' };

export const COMMANDS: Record<string, CommandSpec> = {
  CAPABILITY: { states: ANY, args: [], handler: capability },
  NOOP: { states: ANY, args: [], handler: noop },
  LOGOUT: { states: ANY, args: [], handler: logout },
  ID: { states: ANY, args: [{ name: 'parameters', kind: 'any' }], handler: id },
  LOGIN: { states: NOT_AUTH, args: [{ name: 'user name', kind: 'astring' }, { name: 'password', kind: 'astring' }], handler: login },
  AUTHENTICATE: { states: NOT_AUTH, args: [{ name: 'mechanism', kind: 'atom' }, { name: 'initial response', kind: 'astring', optional: true }], handler: authenticate },
  NAMESPACE: { states: AUTH, args: [], handler: namespace },
  ENABLE: { states: AUTH, args: [{ name: 'capabilities', kind: 'atom', rest: true }], handler: enable },
  LIST: { states: AUTH, args: [{ name: 'reference', kind: 'astring' }, { name: 'mailbox pattern', kind: 'astring' }], handler: list },
  LSUB: { states: AUTH, args: [{ name: 'reference', kind: 'astring' }, { name: 'mailbox pattern', kind: 'astring' }], handler: lsub },
  SELECT: { states: AUTH, args: [mailbox], handler: select },
  EXAMINE: { states: AUTH, args: [mailbox], handler: examine },
  CREATE: { states: AUTH, args: [mailbox], handler: create },
  DELETE: { states: AUTH, args: [mailbox], handler: deleteFolder },
  RENAME: { states: AUTH, args: [mailbox, { name: 'new name', kind: 'astring' }], handler: rename },
  SUBSCRIBE: { states: AUTH, args: [mailbox], handler: subscribe },
  UNSUBSCRIBE: { states: AUTH, args: [mailbox], handler: unsubscribe },
  STATUS: { states: AUTH, args: [mailbox, { name: 'status items', kind: 'list' }], handler: status },
  APPEND: { states: AUTH, args: [mailbox, { name: 'flags, date and message', kind: 'any', rest: true }], handler: append },
  IDLE: { states: AUTH, args: [], handler: idle },
  CHECK: { states: SELECTED, args: [], handler: check },
  CLOSE: { states: SELECTED, args: [], handler: close },
  UNSELECT: { states: SELECTED, args: [], handler: unselect },
  EXPUNGE: { states: SELECTED, args: [], handler: expunge },
  'UID EXPUNGE': { states: SELECTED, args: [sequence], handler: uidExpunge },
  SEARCH: { states: SELECTED, args: [{ name: 'search keys', kind: 'any', rest: true }], holdExpunges: true, handler: search },
  'UID SEARCH': { states: SELECTED, args: [{ name: 'search keys', kind: 'any', rest: true }], handler: uidSearch },
  FETCH: { states: SELECTED, args: [sequence, { name: 'fetch items', kind: 'any' }], holdExpunges: true, handler: fetch },
  'UID FETCH': { states: SELECTED, args: [sequence, { name: 'fetch items', kind: 'any' }], handler: uidFetch },
  STORE: { states: SELECTED, args: [sequence, { name: 'item', kind: 'atom' }, { name: 'flags', kind: 'any', rest: true }], holdExpunges: true, handler: store },
  'UID STORE': { states: SELECTED, args: [sequence, { name: 'item', kind: 'atom' }, { name: 'flags', kind: 'any', rest: true }], handler: uidStore },
  COPY: { states: SELECTED, args: [sequence, mailbox], handler: copy },
  'UID COPY': { states: SELECTED, args: [sequence, mailbox], handler: uidCopy },
  MOVE: { states: SELECTED, args: [sequence, mailbox], handler: move },
  'UID MOVE': { states: SELECTED, args: [sequence, mailbox], handler: uidMove },
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
