// What the Maildir crash test kills: a writer delivering letters into lee's Maildir with the MDA's
// store, many at once (their folder fsyncs shared), printing "DONE <seq> <file>" the moment each
// delivery resolves, as the listener would answer 250 then. Runs until it is killed.
//
//   node test/mta/maildir-crash-child.ts <mail root> <letters> <at once>
import { MailStore } from '../../lab/mailbox/mail-store.ts';

const [root, total, atOnce] = process.argv.slice(2);
const store = new MailStore(root);
let next = 0;
const letter = (seq: number) => Buffer.from(`From: kim@daum.net\r\nTo: lee@naver.com\r\nX-Crash-Seq: ${seq}\r\nSubject: maildir crash ${seq}\r\n\r\n${'body line\r\n'.repeat(40)}end ${seq}\r\n`);
async function worker(): Promise<void> {
  while (next < Number(total)) {
    const seq = ++next;
    const { file } = await store.deliver('lee', letter(seq));
    process.stdout.write(`DONE ${seq} ${file}\n`);
  }
}
process.stdout.write('READY\n');
await Promise.all(Array.from({ length: Number(atOnce) }, worker));
// then wait to be killed
setInterval(() => {}, 1000);
