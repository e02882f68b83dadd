import { fs } from '../node-builtins.ts';
import path from 'node:path';
import type { HopEvent } from './hop-event.ts';
import type { Lang } from './language.ts';
import { decodeWords } from '../mailbox/encoded-words.ts';

/**
 * --letter (and b): the letter's header as it changes on the way, read from the files the
 * hops name (the queue's df file at ②, lee's Maildir file at ⑥⑦), decoded (the Korean subject
 * readable, not =?UTF-8?B?...?=), the lines each hop added marked with "+". Every server
 * puts its Received line on top, so the newest is the first.
 */
export class LetterView {
  private readonly lang: Lang;
  /** Message-ID -> the header lines shown last */
  private readonly shown = new Map<string, string[]>();

  constructor(lang: Lang) {
    this.lang = lang;
  }

  /** The lines to print under a hop: the header when this hop changed it (or always). */
  lines(event: HopEvent, always: boolean): string[] {
    const file = messageFile(event);
    if (!file) return [];
    const fields = readHeader(file);
    if (!fields) return [];
    const key = (fields.find((f) => /^message-id:/i.test(f)) ?? file).toLowerCase();
    const before = this.shown.get(key);
    const old = new Set(before ?? []);
    // an older copy of the letter (Server-B's queue file, named after lee's mailbox has it) adds nothing
    const grew = !before || fields.some((f) => !old.has(f));
    if (grew) this.shown.set(key, fields);
    if (!grew && !always) return [];
    // the first time a letter is seen, the Received line on top is the one this hop's server wrote
    const isNew = (field: string, i: number) => (before ? !old.has(field) : i === fields.findIndex((f) => /^received:/i.test(f)));
    const ko = this.lang === 'ko';
    const out = [ko ? '메일 머리글 (+ 표시: 이 단계에서 새로 붙은 줄, Received는 위가 최신):' : 'the letter\'s header (+: added at this hop; the newest Received is on top):'];
    for (const [i, field] of fields.entries()) out.push(`${isNew(field, i) ? '+ ' : '  '}${field}`);
    return out;
  }
}

/** The message file a hop names: the queue's data file (df...) or a Maildir file. */
function messageFile(event: HopEvent): string | undefined {
  for (const file of event.files ?? []) {
    if (file.endsWith(path.sep)) continue;
    const name = path.basename(file);
    if (name.startsWith('df') || /[\\/](new|cur)[\\/][^\\/]+$/.test(file)) return file;
  }
  return undefined;
}

/** The header fields, unfolded and decoded; undefined when the file is gone. */
function readHeader(file: string): string[] | undefined {
  let text: string;
  try {
    text = readStart(file);
  } catch {
    // moved on since (POP3 and IMAP mark a letter read: new/ -> cur/)
    const moved = findMoved(file);
    if (!moved) return undefined;
    try {
      text = readStart(moved);
    } catch {
      return undefined;
    }
  }
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  return head.split(/\r?\n(?![ \t])/).filter(Boolean).map((field) => decodeWords(field.replace(/\r?\n[ \t]+/g, ' ')));
}

function readStart(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function findMoved(file: string): string | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file).split(':')[0];
  for (const folder of ['cur', 'new']) {
    const other = path.join(path.dirname(dir), folder);
    try {
      const hit = fs.readdirSync(other).find((n) => n.split(':')[0] === base);
      if (hit) return path.join(other, hit);
    } catch {
      // no such folder
    }
  }
  return undefined;
}
