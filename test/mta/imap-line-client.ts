// A bare IMAP client for tests that need to send exactly some bytes (a literal, a broken line)
// and read what comes back: write text, wait until the answer so far matches.
import net from 'node:net';

export interface ImapLines {
  greeting: string;
  /** write raw text, then wait until what came back matches `until` */
  say(text: string, until: RegExp): Promise<string>;
  /** a tagged command, answered when its tagged reply comes */
  command(tag: string, line: string): Promise<string>;
  close(): void;
}

export async function imapLines(port: number): Promise<ImapLines> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (const w of waiters.splice(0)) w();
  });
  const until = async (re: RegExp) => {
    while (!re.test(buffer)) await new Promise<void>((resolve) => waiters.push(resolve));
    const text = buffer;
    buffer = '';
    return text;
  };
  const greeting = await until(/\r\n/);
  const say = (text: string, re: RegExp) => {
    socket.write(text);
    return until(re);
  };
  return {
    greeting,
    say,
    command: (tag, line) => say(`${tag} ${line}\r\n`, new RegExp(`^${tag} (OK|NO|BAD)`, 'm')),
    close: () => socket.destroy(),
  };
}
