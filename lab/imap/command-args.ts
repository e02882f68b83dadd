import type { ImapNode } from './imap-parser.ts';
import { ImapSyntaxError, textOf } from './imap-parser.ts';
import { normaliseFolderName } from '../mailbox/names.ts';
import { encodeMutf7 } from '../mailbox/mutf7.ts';

// Argument shapes several commands share: a folder name, a flag list.

/**
 * A mailbox argument: INBOX in any case is INBOX (RFC 3501 section 5.1). Names are kept in
 * modified UTF-7; a session that enabled UTF8=ACCEPT sends them in UTF-8 (RFC 6855 section 3).
 */
export function mailboxArg(node: ImapNode | undefined, utf8 = false): string {
  const text = textOf(node);
  if (text === undefined) throw new ImapSyntaxError('a mailbox name is needed');
  return normaliseFolderName(utf8 ? encodeMutf7(text) : text);
}

const SYSTEM = ['\\answered', '\\flagged', '\\deleted', '\\seen', '\\draft'];

/**
 * Flags of STORE and APPEND: "(\Seen $Forwarded)" or bare atoms. \Recent cannot be set by a
 * client (RFC 3501 section 2.3.2) and is left out; an unknown system flag is a syntax error.
 */
export function flagsArg(nodes: ImapNode[]): string[] {
  const items = nodes.length === 1 && nodes[0].type === 'list' ? nodes[0].items : nodes;
  const flags: string[] = [];
  for (const item of items) {
    if (item.type !== 'atom' || item.section) throw new ImapSyntaxError('flags are atoms such as \\Seen');
    const flag = item.value;
    if (flag.startsWith('\\')) {
      const lower = flag.toLowerCase();
      if (lower === '\\recent') continue;
      if (!SYSTEM.includes(lower)) throw new ImapSyntaxError(`invalid system flag ${flag}`);
    } else if (!/^[^\x00-\x20\x7f(){%*"\\\]]+$/.test(flag)) throw new ImapSyntaxError(`invalid keyword ${flag}`);
    flags.push(flag);
  }
  return flags;
}
