// How wide text is on a terminal: Hangul and other East Asian wide characters take two
// columns (Unicode's East Asian Width, UAX #11), ANSI colour codes none. A projector shows 100
// columns; a hop's lines are wrapped to the terminal's width by this count, not by length.

const ANSI = /\x1b\[[0-9;]*m/g;

function wide(code: number): boolean {
  return (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) || (code >= 0xac00 && code <= 0xd7a3)
    || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) || (code >= 0xffe0 && code <= 0xffe6)
    || (code >= 0x1f300 && code <= 0x1f64f) || (code >= 0x20000 && code <= 0x3fffd);
}

/** Columns the text takes on a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text.replace(ANSI, '')) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x300 && code <= 0x36f) || code === 0x200b) continue;
    width += wide(code) ? 2 : 1;
  }
  return width;
}

/**
 * One line as lines of at most `width` columns, broken at spaces where it can be; the
 * continuation lines are indented two more than the line itself.
 */
export function wrapLine(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const indent = /^ */.exec(line.replace(ANSI, ''))![0].length;
  const pad = ' '.repeat(Math.min(indent + 2, Math.floor(width / 2)));
  const words = line.slice(indent).split(/(?<= )/);
  const out: string[] = [];
  let current = line.slice(0, indent);
  let used = indent;
  const room = () => width - used;
  for (let word of words) {
    let w = displayWidth(word);
    if (w <= room() || displayWidth(word.trimEnd()) <= room()) {
      current += word;
      used += w;
      continue;
    }
    if (current.trim()) {
      out.push(current.trimEnd());
      current = pad;
      used = pad.length;
    }
    // a word wider than a whole line is cut where the line ends
    while (displayWidth(word.trimEnd()) > room()) {
      let cut = '';
      for (const ch of word) {
        if (displayWidth(cut + ch) > room()) break;
        cut += ch;
      }
      if (!cut) break;
      out.push(current + cut);
      word = word.slice(cut.length);
      current = pad;
      used = pad.length;
    }
    w = displayWidth(word);
    current += word;
    used += w;
  }
  if (current.trim()) out.push(current.trimEnd());
  return out;
}
