import { fs } from '../node-builtins.ts';
import type { Stats } from 'node:fs';
import path from 'node:path';

// Flags live in a Maildir file's name after ":2," (maildir(5)): D draft, F flagged, R replied,
// S seen, T trashed. Keywords ($Forwarded, $Junk ...) take the letters a-z, named per folder
// in dovecot-keywords ("0 $Forwarded" means a), as dovecot does.

export const SYSTEM_FLAGS: Record<string, string> = { D: '\\Draft', F: '\\Flagged', R: '\\Answered', S: '\\Seen', T: '\\Deleted' };
const LETTER_OF: Record<string, string> = { '\\draft': 'D', '\\flagged': 'F', '\\answered': 'R', '\\seen': 'S', '\\deleted': 'T' };

export const KEYWORDS_FILE = 'dovecot-keywords';
const MAX_KEYWORDS = 26;

export class FlagError extends Error {}

/** Letters in the order maildir(5) wants them: ASCII order, each once. */
export function sortLetters(letters: string): string {
  // most names are written sorted already ("FS", "S", ""): check before sorting
  let sorted = true;
  for (let i = 1; i < letters.length; i++) {
    if (letters.charCodeAt(i) <= letters.charCodeAt(i - 1)) {
      sorted = false;
      break;
    }
  }
  return sorted ? letters : [...new Set(letters)].sort().join('');
}

/**
 * A message's info letters after a STORE: 'add' or 'remove' these letters, or 'set' them;
 * letters IMAP has no name for (upper case but not D F R S T) stay on a 'set'.
 */
export function changeLetters(current: string, mode: 'add' | 'remove' | 'set', letters: string): string {
  if (mode === 'add') return sortLetters(current + letters);
  if (mode === 'remove') return [...current].filter((c) => !letters.includes(c)).join('');
  return sortLetters(letters + [...current].filter((c) => c >= 'A' && c <= 'Z' && !'DFRST'.includes(c)).join(''));
}

export class Keywords {
  readonly file: string;
  names: string[] = [];
  private mtime = -1;

  constructor(dir: string) {
    this.file = path.join(dir, KEYWORDS_FILE);
  }

  /** Read the file if it changed since we last did. */
  load(): void {
    let stat: Stats;
    try {
      stat = fs.statSync(this.file);
    } catch {
      return;
    }
    if (stat.mtimeMs === this.mtime) return;
    this.mtime = stat.mtimeMs;
    const names: string[] = [];
    for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
      const m = /^(\d+) (\S+)$/.exec(line);
      if (m && Number(m[1]) < MAX_KEYWORDS) names[Number(m[1])] = m[2];
    }
    this.names = names;
  }

  /** IMAP flags of a file's info letters. */
  flagsOf(letters: string): string[] {
    const flags: string[] = [];
    for (const c of letters) {
      const system = SYSTEM_FLAGS[c];
      if (system) flags.push(system);
      else if (c >= 'a' && c <= 'z') {
        const name = this.names[c.charCodeAt(0) - 97];
        if (name) flags.push(name);
      }
    }
    return flags;
  }

  /**
   * Letters for IMAP flags. A keyword without a letter gets the next free one when create is
   * set (the file is written), else it is left out (it cannot be on any message yet).
   */
  lettersOf(flags: string[], create: boolean): string {
    let letters = '';
    for (const flag of flags) {
      const system = LETTER_OF[flag.toLowerCase()];
      if (system) {
        letters += system;
        continue;
      }
      if (flag.startsWith('\\')) throw new FlagError(`not a flag this server keeps: ${flag}`);
      let index = this.names.findIndex((n) => n !== undefined && n.toLowerCase() === flag.toLowerCase());
      if (index < 0 && create) {
        this.load();
        index = this.names.findIndex((n) => n !== undefined && n.toLowerCase() === flag.toLowerCase());
        if (index < 0) {
          index = this.names.length;
          if (index >= MAX_KEYWORDS) throw new FlagError(`a folder holds at most ${MAX_KEYWORDS} keywords`);
          this.names[index] = flag;
          this.save();
        }
      }
      if (index >= 0) letters += String.fromCharCode(97 + index);
    }
    return sortLetters(letters);
  }

  private save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, this.names.map((n, i) => (n ? `${i} ${n}\n` : '')).join(''));
    fs.renameSync(tmp, this.file);
    this.mtime = fs.statSync(this.file).mtimeMs;
  }
}
