// An aedes broker in its own process: TCP + WebSocket on loopback.
// Usage: node scripts/aedes-broker.mjs --tcp 1883 --ws 8083
//        [--auth user:password] [--deny topic-prefix] [--quiet]
// Prints one JSON line {"ready":true,...} when listening. On stdin: "clients" answers with a JSON
// line; "kick <clientId>" closes that client's connection from the broker side.
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
const option = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const auth = option('auth');
const deny = option('deny');

const broker = await Aedes.createBroker();
if (auth) {
  const [user, pass] = auth.split(':');
  broker.authenticate = (_client, username, password, callback) => {
    const ok = username === user && password !== undefined && password.toString() === pass;
    if (ok) return callback(null, true);
    const error = new Error('Bad username or password');
    error.returnCode = 4;
    callback(error, null);
  };
}
if (deny) {
  broker.authorizeSubscribe = (_client, sub, callback) => callback(null, sub.topic.startsWith(deny) ? null : sub);
}
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
  const [command, argument] = line.trim().split(/\s+/);
  if (command === 'clients') {
    console.log(JSON.stringify({ clients: broker.connectedClients, ids: Object.keys(broker.clients) }));
  } else if (command === 'kick') {
    broker.clients[argument]?.close();
    console.log(JSON.stringify({ kicked: argument }));
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
