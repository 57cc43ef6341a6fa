import * as http from 'http';
import * as net from 'net';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * A WebSocket MQTT peer that answers only what a test scripts, byte for byte: for packets real
 * brokers send only in rare states (short MQTT 5 acks split across frames, aliases, a session lost
 * between PUBREC and PUBCOMP). It frames packets itself; it never uses the code under test.
 */
export interface ScriptedConnection {
  /** 0 for the first connection, 1 for the next … */
  readonly index: number;
  /** Every packet received, whole. */
  readonly received: Buffer[];
  /** Sends bytes, cut into frames of the given sizes (one frame when omitted). */
  send(bytes: number[] | Buffer, frameSizes?: number[]): void;
  close(): void;
}

export type Script = (connection: ScriptedConnection, packet: Buffer) => void;

export interface ScriptedBroker {
  port: number;
  connections: ScriptedConnection[];
  close(): Promise<void>;
}

function remainingLength(buffer: Buffer, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0, factor = 1; i < 4; i++, factor *= 128) {
    if (at + i >= buffer.length) return undefined;
    value += (buffer[at + i] & 0x7f) * factor;
    if ((buffer[at + i] & 0x80) === 0) return { value, next: at + i + 1 };
  }
  throw new Error('bad remaining length');
}

/** An MQTT packet: first byte, remaining length, body. */
export function packet(first: number, body: number[] | Buffer): Buffer {
  const header = [first];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    header.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from(header), Buffer.from(body)]);
}

/** Bytes of an MQTT UTF-8 string (two-byte length first). */
export const mqttString = (s: string): number[] => [...Buffer.from([Buffer.byteLength(s) >> 8, Buffer.byteLength(s) & 0xff]), ...Buffer.from(s)];

/** Offset of a packet's body (after the fixed header). */
export const bodyStart = (p: Buffer): number => remainingLength(p, 1)!.next;

/** The topic and packet id of a PUBLISH. */
export function readPublish(p: Buffer): { topic: string; qos: number; id?: number; payloadLength: number } {
  const at = bodyStart(p);
  const topicLength = p.readUInt16BE(at);
  const qos = (p[0] >> 1) & 3;
  const topic = p.subarray(at + 2, at + 2 + topicLength).toString();
  const id = qos > 0 ? p.readUInt16BE(at + 2 + topicLength) : undefined;
  return { topic, qos, id, payloadLength: p.length - at - 2 - topicLength - (qos > 0 ? 2 : 0) };
}

export async function startScriptedBroker(script: Script): Promise<ScriptedBroker> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
  const connections: ScriptedConnection[] = [];
  wss.on('connection', (socket: WebSocket) => {
    let pending = Buffer.alloc(0);
    const connection: ScriptedConnection = {
      index: connections.length,
      received: [],
      send(bytes, frameSizes) {
        const all = Buffer.from(bytes);
        const sizes = frameSizes ?? [all.length];
        for (let at = 0, i = 0; at < all.length; i++) {
          const size = sizes[i % sizes.length];
          if (socket.readyState === WebSocket.OPEN) socket.send(all.subarray(at, at + size), { binary: true });
          at += size;
        }
      },
      close: () => socket.terminate(),
    };
    connections.push(connection);
    socket.on('message', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const length = remainingLength(pending, 1);
        if (!length || length.next + length.value > pending.length) break;
        const whole = pending.subarray(0, length.next + length.value);
        pending = pending.subarray(whole.length);
        connection.received.push(Buffer.from(whole));
        script(connection, Buffer.from(whole));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () =>
      new Promise((resolve) => {
        wss.clients.forEach((c) => c.terminate());
        server.close(() => resolve());
      }),
  };
}

/** CONNECT's protocol level and its MQTT 5 property identifiers. */
export function readConnect(p: Buffer): { level: number; cleanStart: boolean; properties: Map<number, number> } {
  let at = bodyStart(p);
  at += 2 + p.readUInt16BE(at);
  const level = p[at];
  const cleanStart = (p[at + 1] & 0x02) !== 0;
  at += 4;
  const properties = new Map<number, number>();
  if (level !== 5) return { level, cleanStart, properties };
  const length = remainingLength(p, at)!;
  let i = length.next;
  const end = length.next + length.value;
  const sizes: Record<number, number> = { 0x11: 4, 0x21: 2, 0x22: 2, 0x27: 4, 0x17: 1, 0x19: 1 };
  while (i < end) {
    const id = p[i++];
    const size = sizes[id];
    if (size === undefined) throw new Error(`test parser: property 0x${id.toString(16)} not expected in CONNECT`);
    properties.set(id, size === 1 ? p[i] : size === 2 ? p.readUInt16BE(i) : p.readUInt32BE(i));
    i += size;
  }
  return { level, cleanStart, properties };
}
