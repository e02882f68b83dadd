// `npm run bench`: every benchmark of the lab, in one run: the lab's own figures. How they compare
// with BIND 9, Postfix 3.7 and Dovecot 2.3 is measured, not written down: the side-by-side bench
// (bench/side-by-side/run.sh, the project's copy of ../shared/bench/side-by-side/run.sh, whose
// README says what each phase does) runs the same clients against the lab and the real daemons,
// alternating, and prints the ratios of that run.
//   npm run bench -- [--only smtp,imap,pop3,start,containers,web]
import { parseArgs } from 'node:util';
import { benchSmtpLoad, formatSmtpBench } from './smtp-load.ts';
import { benchPop3Retr, printPop3Retr } from './pop3-retr.ts';
import { benchImapFetch, printImapFetch } from './imap-fetch.ts';
import { benchLabStart } from './lab-start.ts';
import { benchContainers } from './containers.ts';
import { benchWebLatency } from './web-latency.ts';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : undefined;
const want = (name: string) => !only || only.has(name);

function table(title: string, figures: Record<string, number>): void {
  console.log(`\n== ${title}`);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(48)} ${Number.isInteger(v) ? v : v.toFixed(1)}`);
}

console.log(`mail-lab benchmarks, node ${process.version}, ${new Date().toISOString()}`);
console.log('The lab\'s own figures. Ratios to BIND 9 / Postfix 3.7 / Dovecot 2.3: bash bench/side-by-side/run.sh (same clients, same run).');
if (want('start')) table('lab start and kim-to-lee (issue 5: start < 300 ms, kim-to-lee < 150 ms median)', await benchLabStart());
if (want('smtp')) {
  console.log('\n== SMTP load, 5,000 letters, two hops and one (issue 3)');
  console.log(formatSmtpBench(await benchSmtpLoad()));
}
if (want('imap')) {
  console.log('\n== IMAP FETCH over 5,000 letters (issue 4)');
  printImapFetch(await benchImapFetch());
}
if (want('pop3')) {
  console.log('\n== POP3 RETR of 5,000 letters (issue 4)');
  printPop3Retr(await benchPop3Retr());
}
if (want('containers')) {
  const r = await benchContainers();
  if (typeof r === 'string') console.log(`\n== containers: skipped (${r})`);
  else table('containers runtime beside the embedded one (issue 6)', r);
}
if (want('web')) {
  const r = await benchWebLatency();
  if (typeof r === 'string') console.log(`\n== web: skipped (${r})`);
  else table('the page: a hop on the bus to its row in a browser\'s event list (issue 10)', r);
}
