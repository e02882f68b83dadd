// `docker exec <client PC> node lab/runtime/container-client.ts send|fetch <json>`: one action
// of a client PC inside its own container, from its topology address. Hop events and the result
// come back as JSON lines on stdout.
import { ClientPc } from '../client/client-pc.ts';
import { DirectNet } from '../net/direct-net.ts';
import { readSettings, stdoutTrace } from './container-host.ts';

async function main(): Promise<void> {
  const [verb, json] = process.argv.slice(2);
  const { topology, host } = readSettings();
  const trace = stdoutTrace();
  const pc = new ClientPc(topology.hosts.find((h) => h.name === host)!, topology, new DirectNet(topology), trace);
  let result: unknown;
  if (verb === 'send') result = await pc.send(JSON.parse(json));
  else if (verb === 'fetch') {
    const protocol = json;
    const letters = protocol === 'imap' ? await pc.fetchImap() : protocol === 'pop3' ? await pc.fetchPop3() : await pc.fetch();
    result = letters.map((l) => ({ id: l.id, raw: l.raw.toString('base64') }));
  } else throw new Error(`unknown action "${verb}"; write send or fetch`);
  process.stdout.write(`${JSON.stringify({ result })}\n`);
}

// run, not imported (the image's warm-compile-cache.js imports it to compile it)
if (import.meta.main) {
  main().catch((err: Error & { responseCode?: number; response?: string; rejected?: string[] }) => {
    process.stdout.write(`${JSON.stringify({ error: { message: err.message, responseCode: err.responseCode, response: err.response, rejected: err.rejected } })}\n`);
    process.exit(1);
  });
}
