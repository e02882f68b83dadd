// The least a Node DNS server can do, for the floor of the DNS row's memory (bench/dns-floor.sh):
// every query is answered at once with its own header and question and NXDOMAIN, by one UDP
// socket; no zones, no trace, no other server in the process. Plain CommonJS, so that nothing
// but Node itself is loaded.   node [flags] bench/dns-floor.cjs PORT
const dgram = require('node:dgram');
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`dns-floor: ${process.argv[2] === undefined ? 'no port given' : `"${process.argv[2]}" is not a port`}; write node bench/dns-floor.cjs PORT (1-65535)`);
  process.exit(2);
}
const socket = dgram.createSocket('udp4');
socket.on('message', (query, asker) => {
  if (query.length < 17 || query[4] !== 0 || query[5] !== 1) return; // one question, or no answer
  let at = 12;
  while (at < query.length && query[at] !== 0) at += query[at] + 1; // the question's name
  const end = at + 5; // its root label, type and class
  if (end > query.length) return;
  const reply = Buffer.allocUnsafe(end);
  query.copy(reply, 0, 0, end);
  reply[2] = 0x84 | (query[2] & 0x01); // QR, AA, the asker's RD
  reply[3] = 0x03; // NXDOMAIN
  reply.fill(0, 6, 12); // no answer, authority or additional records
  socket.send(reply, asker.port, asker.address);
});
// before the bind: say why it failed (a port in use, no port given); after it: a send to an
// asker that has gone must not stop the server
const failed = (err) => {
  console.error(`dns-floor: cannot listen on 127.0.0.1:${port}: ${err.message}; give a free port (node bench/dns-floor.cjs PORT)`);
  process.exit(1);
};
socket.once('error', failed);
socket.bind(port, '127.0.0.1', () => {
  socket.off('error', failed).on('error', () => {});
  console.log('READY');
});
