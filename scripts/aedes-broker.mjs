// An aedes broker in its own process: TCP + WebSocket on loopback.
// Usage: node scripts/aedes-broker.mjs --tcp 1883 --ws 8083
// Prints one JSON line {"ready":true,...} when listening; answers "clients" on stdin with a JSON line.
import net from 'node:net';
import http from 'node:http';
import readline from 'node:readline';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const host = '127.0.0.1';
const tcpPort = arg('tcp', 1883);
const wsPort = arg('ws', 8083);
const quiet = process.argv.includes('--quiet');

const broker = await Aedes.createBroker();
const tcp = net.createServer(broker.handle);
const web = http.createServer((_req, res) => res.writeHead(426).end('MQTT over WebSocket only\n'));
const wss = new WebSocketServer({ server: web });
wss.on('connection', (socket, req) => broker.handle(createWebSocketStream(socket), req));

if (!quiet) {
  broker.on('client', (c) => console.error(`[aedes] client connected: ${c.id}`));
  broker.on('clientDisconnect', (c) => console.error(`[aedes] client disconnected: ${c.id}`));
}

await Promise.all([
  new Promise((resolve) => tcp.listen(tcpPort, host, resolve)),
  new Promise((resolve) => web.listen(wsPort, host, resolve)),
]);
console.log(JSON.stringify({ ready: true, tcpPort: tcp.address().port, wsPort: web.address().port }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'clients') {
    console.log(JSON.stringify({ clients: broker.connectedClients, ids: Object.keys(broker.clients) }));
  }
});

const stop = () => {
  wss.clients.forEach((s) => s.terminate());
  broker.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
