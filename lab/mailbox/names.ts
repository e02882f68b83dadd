import path from 'node:path';

// Names that become paths: a login name (the user's Maildir) and an IMAP folder name (a
// Maildir++ subfolder). No name a client sends may reach outside <dataDir>/mail/<user>/.

/** A name refused before it touches the disk; the IMAP server answers NO [CANNOT]. */
export class MailboxNameError extends Error {
  readonly code = 'CANNOT';
}

/** The hierarchy separator clients see; on disk Maildir++ uses "." (".Archive.2026"). */
export const SEPARATOR = '/';

const MAX_COMPONENT = 200;
const MAX_DEPTH = 16;

/**
 * A user name as a folder of the store: the lower-case local part, never a path. Letters of
 * any script may be in it (RFC 6531: 김유신@daum.net is a user), in Unicode's composed form
 * (NFC), as the topology writes it; no separators, no control characters.
 */
export function checkUserName(user: string): string {
  if (!/^[\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Nd}._-]{1,64}$/u.test(user) || user.normalize('NFC') !== user || user.startsWith('.') || user.includes('..')) {
    throw new MailboxNameError(`not a user name: ${JSON.stringify(user)}`);
  }
  return user;
}

/** INBOX is case-insensitive (RFC 3501 section 5.1); every other name is kept as given. */
export function normaliseFolderName(name: string): string {
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  const upper = name.slice(0, 6).toUpperCase();
  if (upper === `INBOX${SEPARATOR}`) return `INBOX${name.slice(5)}`;
  return name;
}

/**
 * Check an IMAP folder name (modified UTF-7, RFC 3501 section 5.1.3) and return its components.
 * Refused: empty components ("a//b"), ".", "..", a component starting with "." or holding "."
 * (the on-disk separator), NUL and other control characters, "\\", the LIST wildcards, 8-bit
 * characters (clients send modified UTF-7), absurd lengths.
 */
export function folderComponents(name: string): string[] {
  const normal = normaliseFolderName(name);
  if (normal === '') throw new MailboxNameError('empty folder name');
  if (normal === 'INBOX') return [];
  let trimmed = normal;
  // RFC 3501 section 6.3.3: a trailing separator only says the client means to create children
  if (trimmed.endsWith(SEPARATOR)) trimmed = trimmed.slice(0, -1);
  if (trimmed.startsWith(SEPARATOR) || path.isAbsolute(trimmed)) throw new MailboxNameError(`folder names are relative: ${JSON.stringify(name)}`);
  const parts = trimmed.split(SEPARATOR);
  if (parts.length > MAX_DEPTH) throw new MailboxNameError('folder hierarchy too deep');
  for (const part of parts) {
    if (part === '') throw new MailboxNameError(`empty part in folder name ${JSON.stringify(name)}`);
    if (part === '.' || part === '..' || part.startsWith('.')) throw new MailboxNameError(`a folder name part may not start with ".": ${JSON.stringify(name)}`);
    if (part.includes('.')) throw new MailboxNameError(`"." is not allowed in folder names (use "${SEPARATOR}" for subfolders): ${JSON.stringify(name)}`);
    if (part.length > MAX_COMPONENT) throw new MailboxNameError('folder name too long');
    if (/[\x00-\x1f\x7f\\*%]/.test(part)) throw new MailboxNameError(`control characters, "\\", "*" and "%" are not allowed in folder names: ${JSON.stringify(name)}`);
    if (/[^\x20-\x7e]/.test(part)) throw new MailboxNameError(`folder names are sent in modified UTF-7 (RFC 3501 section 5.1.3): ${JSON.stringify(name)}`);
  }
  return parts;
}

/** The on-disk folder of an IMAP name below a user's Maildir: INBOX is the Maildir itself. */
export function folderDir(userDir: string, name: string): string {
  const parts = folderComponents(name);
  if (parts.length === 0) return userDir;
  const dir = path.join(userDir, `.${parts.join('.')}`);
  // belt and braces: whatever the checks above missed, the result stays below the user's folder
  const rel = path.relative(userDir, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.includes(path.sep)) throw new MailboxNameError(`folder name escapes the mailbox: ${JSON.stringify(name)}`);
  return dir;
}

/** ".Archive.2026" -> "Archive/2026"; undefined for entries that are not Maildir++ folders. */
export function folderNameOf(diskName: string): string | undefined {
  if (!diskName.startsWith('.') || diskName === '.' || diskName === '..') return undefined;
  const name = diskName.slice(1).split('.').join(SEPARATOR);
  if (name.toUpperCase() === 'INBOX') return undefined; // INBOX is the Maildir itself
  try {
    folderComponents(name);
  } catch {
    return undefined;
  }
  return name;
}
