import * as http from 'http';
import * as net from 'net';
import { WebSocketServer } from 'ws';

/**
 * A WebSocket server that answers CONNECT with a fixed CONNACK return code taken from the path
 * (/rc/4 → "bad username or password"), then closes: for brokers that refuse.
 */
export async function startRefusingBroker(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, request) => {
    const code = Number(/\/rc\/(\d+)/.exec(request.url ?? '')?.[1] ?? 5);
    socket.once('message', () => {
      socket.send(Buffer.from([0x20, 0x02, 0x00, code]));
      setTimeout(() => socket.close(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        wss.clients.forEach((c) => c.terminate());
        server.close(() => resolve());
      }),
  };
}
