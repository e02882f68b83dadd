// `docker exec <host> node lab/runtime/container-control.ts flush|service-down dns|service-up dns`:
// one command to the container's host process over its control socket.
import net from 'node:net';
import { CONTROL_SOCKET } from './container-protocol.ts';

// run, not imported (the image's warm-compile-cache.js imports it to compile it)
if (import.meta.main) {
  const command = process.argv.slice(2).join(' ');
  const socket = net.connect(CONTROL_SOCKET);
  let reply = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (reply += chunk));
  socket.on('connect', () => socket.write(`${command}\n`));
  socket.on('error', (err) => {
    process.stderr.write(`control: ${err.message}\n`);
    process.exit(1);
  });
  socket.on('close', () => {
    process.stdout.write(reply);
    process.exit(reply.startsWith('ok') ? 0 : 1);
  });
}
