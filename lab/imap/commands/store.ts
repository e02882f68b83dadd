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
  if (!item[2]) {
    let missing = false;
    for (const p of positions) {
      const uid = selected.uids[p];
      const list = selected.flagsOf(uid);
      if (list === undefined) {
        missing = true;
        continue;
      }
      conn.send(`* ${p + 1} FETCH (${byUid ? `UID ${uid} ` : ''}FLAGS (${list}))`);
    }
    if (missing) return no('Some of the messages were expunged meanwhile', 'EXPUNGEISSUED');
  }
  return ok('Store completed');
}
