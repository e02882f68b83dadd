import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, bad, type HandlerResult } from '../command-result.ts';
import { flagsArg } from '../command-args.ts';
import { parseSequenceSet } from '../sequence-set.ts';

// STORE (RFC 3501 section 6.4.6): FLAGS, +FLAGS, -FLAGS, each with .SILENT. The flags are in
// the file names (maildir(5)); the new flags are sent back unless .SILENT.
export function store(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, false);
}

export function uidStore(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, true);
}

async function run(conn: ImapConnection, cmd: ParsedCommand, byUid: boolean): Promise<HandlerResult> {
  const selected = conn.selected!;
  const item = /^([+-]?)FLAGS(\.SILENT)?$/i.exec((cmd.args[1] as { value: string }).value);
  if (!item) return bad('STORE takes FLAGS, +FLAGS or -FLAGS (optionally .SILENT)');
  const flags = flagsArg(cmd.args.slice(2));
  if (selected.readOnly) return no('Mailbox is read-only', 'READ-ONLY');
  const positions = selected.resolve(parseSequenceSet((cmd.args[0] as { value: string }).value)!, byUid);
  const mode = item[1] === '+' ? 'add' : item[1] === '-' ? 'remove' : 'set';
  const maildir = selected.maildir;
  const letters = maildir.keywords.lettersOf(flags, mode !== 'remove');
  const uids = positions.map((p) => selected.uids[p]);
  await maildir.setFlags(uids, mode, letters, conn);
  // messages another session expunged meanwhile: changed in this view only, and answered, as
  // dovecot does (RFC 2180 section 4.2.1); the EXPUNGE follows when it may be told
  selected.storeOnGhosts(uids, mode, letters);
  // a keyword new to the folder: FLAGS first (RFC 3501 section 7.2.6)
  for (const line of selected.keywordNews()) conn.send(line);
  if (!item[2]) {
    for (const p of positions) {
      const uid = selected.uids[p];
      const list = selected.flagsOf(uid);
      if (list !== undefined) conn.send(`* ${p + 1} FETCH (${byUid ? `UID ${uid} ` : ''}FLAGS (${list}))`);
    }
  }
  return ok('Store completed');
}
