import type { ImapConnection } from '../imap-connection.ts';
import type { ParsedCommand } from '../imap-parser.ts';
import { ok, no, type CommandResult, type HandlerResult } from '../command-result.ts';
import { parseFetchItems, type FetchItem } from '../fetch-items.ts';
import { sectionBytes } from '../message-sections.ts';
import { parseSequenceSet } from '../sequence-set.ts';
import { imapDateTime } from '../../mailbox/imap-syntax.ts';
import { BATCH, UNKNOWN_TIME } from '../../mailbox/maildir.ts';
import type { IndexEntry } from '../../mailbox/header-index.ts';
import type { MimePart } from '../../mailbox/mime.ts';
import type { TranscriptLine } from '../../trace/hop-event.ts';
import { STEPS } from '../../trace/steps.ts';

// FETCH (RFC 3501 section 6.4.5). Envelopes and body structures come from the header index;
// bodies are read from the files in batches and written with back-pressure. A FETCH that
// returns message bodies is seed steps 9-10: held at the step gate first, then reported.

export function fetch(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, false);
}

export function uidFetch(conn: ImapConnection, cmd: ParsedCommand): Promise<HandlerResult> {
  return run(conn, cmd, true);
}

const ENTRY_ITEMS = new Set(['INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY']);
/** messages whose header lines the trace shows */
const TRACE_MESSAGES = 3;

type SectionItem = Extract<FetchItem, { kind: 'section' }>;

// What an expunged message answers when nothing is known of it: the NIL forms clients (and
// imaptest) recognise as "no data" rather than as the message having changed.
const NIL_DATE = '01-Jan-1970 00:00:00 +0000';
const NIL_ENVELOPE = '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)';
const NIL_BODY = '("text" "plain" NIL NIL NIL "7bit" 0 0)';

async function run(conn: ImapConnection, cmd: ParsedCommand, byUid: boolean): Promise<HandlerResult> {
  const selected = conn.selected!;
  const maildir = selected.maildir;
  const ranges = parseSequenceSet((cmd.args[0] as { value: string }).value)!;
  let items = parseFetchItems(cmd.args[1]);
  // RFC 3501 section 6.4.8: UID FETCH always answers with the UID
  if (byUid && !items.some((i) => i.kind === 'UID')) items = [{ kind: 'UID' }, ...items];
  const positions = selected.resolve(ranges, byUid);
  const sections = items.filter((i): i is SectionItem => i.kind === 'section');
  const needsContent = sections.length > 0;
  // BODY.PEEK[HEADER], [HEADER.FIELDS (...)], RFC822.HEADER: the header is enough (mail
  // programs list a folder this way), and a big attachment is not read for it
  const headerOnly = needsContent && sections.every((s) => s.section.path.length === 0 && s.section.kind.startsWith('HEADER'));
  const needsEntry = needsContent || items.some((i) => ENTRY_ITEMS.has(i.kind));
  const wantsFlags = items.some((i) => i.kind === 'FLAGS');
  const wantsDate = items.some((i) => i.kind === 'INTERNALDATE');
  const wantsStructure = items.some((i) => i.kind === 'BODYSTRUCTURE' || i.kind === 'BODY');
  // steps 9-10 are the mail itself: a section with body text (BODY[], RFC822, TEXT, a part);
  // a client listing headers (HEADER.FIELDS) is not yet taking the mail
  const transfer = positions.length > 0 && sections.some((s) => s.section.kind === '' || s.section.kind === 'TEXT');
  const ctx = conn.server.ctx;
  const hop = {
    kind: 'imap' as const,
    from: ctx.host.name,
    to: conn.peer.host,
    fromAddress: ctx.host.address,
    toAddress: conn.peer.address,
    steps: STEPS.retrievalTransfer,
    protocol: 'IMAP',
  };
  const uidsAsked = positions.map((p) => selected.uids[p]);
  if (transfer) {
    const files = uidsAsked.slice(0, 20).flatMap((uid) => {
      const rec = maildir.get(uid);
      return rec ? [maildir.pathOf(rec)] : [];
    });
    await ctx.trace.hold({ ...hop, summary: transferSummary(uidsAsked.length, uidsAsked), files });
    if (conn.isClosed) return no('Connection closed');
  }

  // a body fetched without .PEEK is read: \Seen (section 6.4.5), unless the folder is read-only
  let seenNow = new Set<number>();
  if (!selected.readOnly && sections.some((s) => !s.peek)) {
    const unseen = uidsAsked.filter((uid) => {
      const rec = maildir.get(uid);
      return rec !== undefined && !rec.letters.includes('S');
    });
    if (unseen.length) seenNow = new Set(await maildir.setFlags(unseen, 'add', 'S', conn));
  }

  const shown: TranscriptLine[] = [];
  const sent: number[] = [];
  const files: string[] = [];
  let messageId: string | undefined;
  let missing = 0;

  // 'gone': expunged by another session and not yet told; answered from what the view knew
  // (flags, the index entry if there was one), with NIL for the rest (RFC 2180 section 4.1.3)
  const render = (p: number, final: boolean): 'ok' | 'retry' | 'gone' => {
    const uid = selected.uids[p];
    const rec = maildir.get(uid);
    let entry: IndexEntry | undefined;
    let data: Buffer | undefined;
    if (!rec) entry = selected.ghost(uid)?.entry;
    else if (needsContent) {
      const content = headerOnly ? maildir.header(rec, wantsStructure) : maildir.content(rec, wantsStructure);
      if (!content) {
        if (!final) return 'retry';
      } else {
        data = content.data;
        entry = content.entry;
      }
    } else if (needsEntry) {
      entry = maildir.entryOf(rec, wantsDate, wantsStructure);
      if (!entry && !final) return 'retry';
    }
    const gone = !rec || (needsEntry && !entry) || (needsContent && !data);
    let text = `* ${p + 1} FETCH (`;
    let first = true;
    const sep = () => {
      if (first) first = false;
      else text += ' ';
    };
    const pieces: Array<string | Buffer> = [];
    let traceLine: string | undefined;
    let traceBody: Buffer | undefined;
    const parsed: { root?: MimePart } = {};
    for (const item of items) {
      sep();
      switch (item.kind) {
        case 'UID':
          text += `UID ${uid}`;
          break;
        case 'FLAGS':
          text += `FLAGS (${selected.flagsOf(uid) ?? ''})`;
          break;
        case 'INTERNALDATE': {
          // the file's time, looked at now if the entry was built without it
          const date = rec && entry ? maildir.internalDate(rec, entry) : entry?.mtime;
          if (date === undefined && rec && !final) return 'retry';
          text += `INTERNALDATE "${date === undefined || date === UNKNOWN_TIME ? NIL_DATE : imapDateTime(date)}"`;
          break;
        }
        case 'RFC822.SIZE':
          text += `RFC822.SIZE ${entry?.vsize ?? 0}`;
          break;
        case 'ENVELOPE':
          text += `ENVELOPE ${entry?.envelope ?? NIL_ENVELOPE}`;
          break;
        case 'BODYSTRUCTURE':
          text += `BODYSTRUCTURE ${entry?.bodystructure ?? NIL_BODY}`;
          break;
        case 'BODY':
          text += `BODY ${entry?.body ?? NIL_BODY}`;
          break;
        case 'section': {
          let bytes = data && entry ? sectionBytes(data, entry.headerSize, item.section, parsed) : undefined;
          let label = item.label;
          if (item.partial) {
            label += `<${item.partial.start}>`;
            if (bytes) {
              const start = Math.min(item.partial.start, bytes.length);
              const end = item.partial.length === undefined ? bytes.length : Math.min(bytes.length, start + item.partial.length);
              bytes = bytes.subarray(start, end);
            }
          }
          if (!bytes) {
            text += `${label} NIL`;
            break;
          }
          text += `${label} {${bytes.length}}\r\n`;
          traceLine ??= text.slice(0, -2);
          traceBody ??= bytes;
          pieces.push(text, bytes);
          text = '';
          break;
        }
      }
    }
    if (seenNow.has(uid) && !wantsFlags) {
      sep();
      text += `FLAGS (${selected.flagsOf(uid) ?? ''})`;
    }
    text += ')\r\n';
    pieces.push(text);
    out.push(...pieces);
    if (gone) return 'gone';
    if (transfer) {
      sent.push(uid);
      if (files.length < 20) files.push(maildir.pathOf(rec));
      if (sent.length <= TRACE_MESSAGES) {
        shown.push({ dir: 'S', line: traceLine ?? (pieces[0] as string).split('\r\n')[0] });
        if (traceBody) for (const line of headerLines(traceBody)) shown.push({ dir: 'S', line });
        shown.push({ dir: 'S', line: '...' });
      }
      if (sent.length === 1 && entry?.messageId) messageId = entry.messageId;
    }
    return 'ok';
  };

  let out: Array<string | Buffer> = [];
  const flush = async () => {
    if (!out.length) return;
    // runs of text become one buffer; literal bytes go in as they are
    const chunks: Buffer[] = [];
    let text = '';
    for (const piece of out) {
      if (typeof piece === 'string') text += piece;
      else {
        if (text) chunks.push(Buffer.from(text));
        text = '';
        chunks.push(piece);
      }
    }
    if (text) chunks.push(Buffer.from(text));
    out = [];
    await conn.writeData(chunks.length === 1 ? chunks[0] : chunks);
  };

  // files renamed by another writer since we looked are found again after one sync
  let retry: number[] = [];
  for (let i = 0; i < positions.length; i++) {
    const result = render(positions[i], false);
    if (result === 'retry') retry.push(positions[i]);
    else if (result === 'gone') missing++;
    if (i % BATCH === BATCH - 1) {
      await flush();
      if (conn.isClosed) return no('Connection closed');
    }
  }
  if (retry.length) {
    await flush();
    await maildir.sync();
    for (const p of retry) if (render(p, true) !== 'ok') missing++;
    retry = [];
  }
  await flush();
  // the index is written after the reply has gone out: the client does not wait for it
  setImmediate(() => void maildir.saveIndex());

  // RFC 5530 EXPUNGEISSUED with OK, as dovecot answers: the rest of the FETCH was done
  let result: CommandResult = missing ? ok('Some messages were already expunged', 'EXPUNGEISSUED') : ok('Fetch completed');
  if (transfer && sent.length) {
    for (const line of shown) conn.transcript.add(line.dir, line.line);
    if (sent.length > TRACE_MESSAGES) conn.transcript.add('S', `... (${sent.length - TRACE_MESSAGES} more messages)`);
    const commandLine = conn.transcript.lines().findLast((l) => l.dir === 'C' && l.line.startsWith(`${cmd.tag} `))?.line ?? `${cmd.tag} ${cmd.verb}`;
    result = {
      ...result,
      after: (tagged) => {
        ctx.trace.report({
          ...hop,
          status: 'ok',
          summary: transferSummary(sent.length, sent),
          transcript: [{ dir: 'C', line: commandLine }, ...shown, ...(sent.length > TRACE_MESSAGES ? [{ dir: 'S' as const, line: `... (${sent.length - TRACE_MESSAGES} more messages)` }] : []), { dir: 'S', line: tagged }],
          messageId,
          files,
          detail: { user: conn.user, mailbox: selected.name, uids: sent.length > 1000 ? `${sent[0]}:${sent[sent.length - 1]} (${sent.length})` : sent },
        });
      },
    };
  }
  return result;
}

function transferSummary(count: number, uids: number[]): { ko: string; en: string } {
  const which = uids.length <= 5 ? uids.join(',') : `${uids[0]}..${uids[uids.length - 1]}`;
  return {
    ko: `dovecot 서비스가 메일 박스의 메일 ${count}통을 IMAP으로 보냅니다 (UID ${which})`,
    en: `Sent ${count} message${count === 1 ? '' : 's'} by IMAP (UID ${which})`,
  };
}

/** The header lines at the start of what was sent (for the trace), at most 30. */
function headerLines(bytes: Buffer): string[] {
  const blank = bytes.indexOf('\r\n\r\n');
  const head = bytes.toString('utf8', 0, Math.min(blank < 0 ? bytes.length : blank, 8192));
  return head.split(/\r?\n/).filter((l) => l.length).slice(0, 30);
}
