/**
 * Helpers for the client suites (test/client/*): options pointing at a test broker, clients ended
 * after each test, coded-rejection checks, and a tap on the frames a Node wx socket receives, so
 * that a test can prove what the broker did (or did not) send to the socket.
 */
import { createClient, MqttClient } from '../../src/client/client';
import { MqttError } from '../../src/client/error';
import type { MqttScope } from '../../src/client/scope';
import type { ClientOptions, MessageEventDetail } from '../../src/types';
import type { Broker } from './brokers';
import { until } from './harness';
import type { NodeWx } from './wx';

/** createClient options for a test broker's WebSocket listener (ws://, reconnectPeriod 200 ms). */
export function optionsFor(broker: Pick<Broker, 'host' | 'wsPort' | 'path'>, extra: Partial<ClientOptions> = {}): ClientOptions {
  return { host: broker.host, port: broker.wsPort, path: broker.path, secure: false, reconnectPeriod: 200, ...extra };
}

/** Clients made by a test, ended afterwards (pass or fail) so none keeps a socket or reconnects. */
export class Made {
  private clients = new Set<MqttClient>();

  add(client: MqttClient): MqttClient {
    this.clients.add(client);
    return client;
  }

  create(options: ClientOptions): MqttClient {
    return this.add(createClient(options));
  }

  async endAll(): Promise<void> {
    const clients = [...this.clients];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

export interface Expected {
  code: string;
  field?: string;
  topic?: string;
}

/**
 * Calls `call` and checks that it returned a promise without throwing, and that the promise
 * rejected with a real MqttError: instanceof Error and MqttError, a stack, a message, and exactly
 * the expected code, field and topic (absent ones must be absent).
 */
export async function expectRejection(call: () => unknown, expected: Expected): Promise<MqttError> {
  let returned: unknown;
  expect(() => {
    returned = call();
  }).not.toThrow();
  expect(returned).toBeInstanceOf(Promise);
  const outcome = await (returned as Promise<unknown>).then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if ('resolved' in outcome) throw new Error(`expected a ${expected.code} rejection, but it resolved with ${JSON.stringify(outcome.resolved)}`);
  const error = outcome.rejected as MqttError;
  expect(error).toBeInstanceOf(Error);
  expect(error).toBeInstanceOf(MqttError);
  expect(error.name).toBe('MqttError');
  expect(typeof error.stack).toBe('string');
  expect(error.stack!.length).toBeGreaterThan(0);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  expect({ code: error.code, field: error.field, topic: error.topic }).toEqual({ code: expected.code, field: expected.field, topic: expected.topic });
  return error;
}

let roundTrips = 0;

/**
 * One full round trip through `who` (a client or a scope): subscribe a fresh topic, publish QoS 1
 * to it, receive the message, unsubscribe. Proves the client still connects, publishes and receives.
 */
export async function roundTrip(who: MqttClient | MqttScope, prefix = 'rt'): Promise<void> {
  const topic = `${prefix}/${process.pid}/${++roundTrips}`;
  const got: MessageEventDetail[] = [];
  const off = who.on('message', (m) => {
    if (m.topic === topic) got.push(m);
  });
  try {
    await expect(who.subscribe(topic, { qos: 1 })).resolves.toEqual({ topic, qos: 1, granted: 1 });
    await expect(who.publish(topic, `ping ${roundTrips}`, { qos: 1 })).resolves.toMatchObject({ topic, qos: 1, direction: 'out' });
    await until(() => got.length === 1, `the round trip on ${topic}`);
    expect(got[0].payload).toBe(`ping ${roundTrips}`);
    await expect(who.unsubscribe(topic)).resolves.toEqual({ topic });
  } finally {
    off();
  }
}

/** MQTT control packet types (MQTT 3.1.1 §2.2.1) seen on the way in. */
export const PUBLISH = 3;
export const SUBACK = 9;
export const UNSUBACK = 11;

export interface InboundPacket {
  type: number;
  /** PUBLISH only. */
  topic?: string;
}

export interface InboundTap {
  /** Every MQTT packet the tapped sockets received, in order. */
  readonly packets: InboundPacket[];
  /** Binary WebSocket frames received. */
  readonly frames: number;
  /** Topics of the PUBLISH packets received from packet index `from` on. */
  publishesSince(from: number): string[];
  /** How many packets of `type` arrived from packet index `from` on. */
  countSince(from: number, type: number): number;
}

/**
 * Wraps `wx.connectSocket` so that every socket opened from now on also reports its inbound
 * frames here (parsed into MQTT packets). What reaches the library is unchanged.
 */
export function tapInbound(wx: NodeWx): InboundTap {
  const packets: InboundPacket[] = [];
  let frames = 0;
  const original = wx.connectSocket;
  wx.connectSocket = (options) => {
    const task = original(options);
    let pending: Uint8Array = new Uint8Array(0);
    task.onMessage(({ data }) => {
      if (typeof data === 'string') return;
      frames++;
      const chunk = new Uint8Array(data);
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      pending = parsePackets(joined, packets);
    });
    return task;
  };
  return {
    packets,
    get frames() {
      return frames;
    },
    publishesSince: (from) => packets.slice(from).filter((p) => p.type === PUBLISH).map((p) => p.topic!),
    countSince: (from, type) => packets.slice(from).filter((p) => p.type === type).length,
  };
}

/** Appends the whole packets in `bytes` to `out`; returns the incomplete rest. */
function parsePackets(bytes: Uint8Array, out: InboundPacket[]): Uint8Array {
  let at = 0;
  for (;;) {
    if (bytes.length - at < 2) break;
    let length = 0;
    let multiplier = 1;
    let i = at + 1;
    let complete = false;
    for (let n = 0; n < 4 && i < bytes.length; n++, i++) {
      length += (bytes[i] & 0x7f) * multiplier;
      multiplier *= 128;
      if ((bytes[i] & 0x80) === 0) {
        complete = true;
        i++;
        break;
      }
    }
    if (!complete || bytes.length - i < length) break;
    const type = bytes[at] >> 4;
    const packet: InboundPacket = { type };
    if (type === PUBLISH) {
      const topicLength = (bytes[i] << 8) | bytes[i + 1];
      packet.topic = Buffer.from(bytes.subarray(i + 2, i + 2 + topicLength)).toString('utf8');
    }
    out.push(packet);
    at = i + length;
  }
  return bytes.slice(at);
}
