// Modified UTF-7 (RFC 3501 section 5.1.3): how IMAP writes folder names that are not ASCII,
// and how they are kept on disk (as dovecot keeps Maildir++ names). "&" starts a run of UTF-16
// in base64 with "," for "/", "-" ends it; "&-" is "&" itself. A session that enabled
// UTF8=ACCEPT (RFC 6855 section 3) sends and gets names in UTF-8 instead; these convert.

/** A folder name in UTF-8 as modified UTF-7. */
export function encodeMutf7(name: string): string {
  let out = '';
  let run = '';
  const flush = () => {
    if (!run) return;
    const units = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) units.writeUInt16BE(run.charCodeAt(i), i * 2);
    out += `&${units.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    run = '';
  };
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === '&' ? '&-' : ch;
    } else run += ch;
  }
  flush();
  return out;
}

/** A modified UTF-7 folder name as UTF-8; a run that is not valid base64 is left as it is. */
export function decodeMutf7(name: string): string {
  return name.replace(/&([A-Za-z0-9+,]*)-/g, (all, b64: string) => {
    if (b64 === '') return '&';
    const units = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    if (units.length % 2 !== 0) return all;
    let text = '';
    for (let i = 0; i < units.length; i += 2) text += String.fromCharCode(units.readUInt16BE(i));
    return text;
  });
}
