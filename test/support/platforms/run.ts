/**
 * What the platform suites (test/platform/*) share: brokers with a TCP peer, doubles made per test
 * (disposed after it, with the globals their platform defines), clients on them, and a binary
 * round trip checked byte by byte.
 */
import type { MqttClient } from '../../../src/client/client';
import type { ClientOptions, ErrorEventDetail, MessageEventDetail, StatusEventDetail } from '../../../src/types';
import { Broker, BrokerName, startBroker } from '../brokers';
import { Made, optionsFor } from '../client';
import { until } from '../harness';
import { connectPeer, Peer } from '../peer';
import type { PlatformDouble } from './common';

export type Double = PlatformDouble & { violations?: string[] };

/** Bytes that a text path would corrupt: NUL, 0xff (never UTF-8), 0x80 (a lone continuation byte). */
export const BINARY = [0x00, 0xff, 0x80];
export const bytes = (buffer: ArrayBuffer): number[] => Array.from(new Uint8Array(buffer));

export interface Log {
  messages: MessageEventDetail[];
  statuses: StatusEventDetail[];
  errors: ErrorEventDetail[];
}

export function record(client: MqttClient): Log {
  const log: Log = { messages: [], statuses: [], errors: [] };
  client.on('message', (m) => log.messages.push(m));
  client.on('status', (s) => log.statuses.push(s));
  client.on('error', (e) => log.errors.push(e));
  return log;
}

let topicSeq = 0;
export const fresh = (prefix: string): string => `${prefix}/${process.pid}/${++topicSeq}`;

/**
 * Subscribes, receives QoS 0/1/2 from the peer and publishes QoS 0/1/2 to it, each payload holding
 * 0x00 0xff 0x80, and checks every byte both ways.
 */
export async function binaryRoundTrip(c: MqttClient, log: Log, peer: Peer): Promise<void> {
  const base = fresh('rt');
  expect(await c.subscribe(`${base}/in/+`, { qos: 2 })).toEqual({ topic: `${base}/in/+`, qos: 2, granted: 2 });
  const from = log.messages.length;
  for (const qos of [0, 1, 2] as const) await peer.publish(`${base}/in/${qos}`, Buffer.from([...BINARY, qos]), { qos });
  await until(() => log.messages.length - from === 3, 'three messages from the peer');
  expect(log.messages.slice(from).map((m) => [m.topic, bytes(m.bytes), m.qos])).toEqual([0, 1, 2].map((qos) => [`${base}/in/${qos}`, [...BINARY, qos], qos]));
  await peer.subscribe(`${base}/out/#`, 2);
  const before = peer.received.length;
  for (const qos of [0, 1, 2] as const) {
    const sent = await c.publish(`${base}/out/${qos}`, Uint8Array.from([qos, ...BINARY]), { qos });
    expect(bytes(sent.bytes!)).toEqual([qos, ...BINARY]);
  }
  await peer.waitFor(before + 3);
  expect(
    peer.received
      .slice(before)
      .map((m) => [m.topic, Array.from(m.payload), m.qos])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  ).toEqual([0, 1, 2].map((qos) => [`${base}/out/${qos}`, [qos, ...BINARY], qos]));
}

/**
 * Clients at the broker, test peer included. mosquitto's count comes from $SYS, which is not
 * republished within the helper's 5 s when nothing changed: a failed read gives NaN, so that
 * until() simply asks again.
 */
export const countAt = (broker: Broker): Promise<number> => broker.clientCount().catch(() => Number.NaN);

/** Starts the named brokers (each with a TCP peer) for the file; `on(name)` gives them to a test. */
export function brokersFor(names: BrokerName[]): (name: BrokerName) => { broker: Broker; peer: Peer } {
  const started = new Map<BrokerName, { broker: Broker; peer: Peer }>();
  beforeAll(async () => {
    for (const name of names) {
      const broker = await startBroker(name);
      started.set(name, { broker, peer: await connectPeer(broker.tcpPort) });
    }
  });
  afterAll(async () => {
    for (const { broker, peer } of started.values()) {
      await peer.end();
      await broker.stop();
    }
  });
  return (name) => {
    const found = started.get(name);
    if (!found) throw new Error(`broker ${name} not started`);
    return found;
  };
}

const globals = globalThis as unknown as Record<string, unknown>;

/**
 * Doubles and clients made by a test, undone after it (clients ended, doubles disposed, globals
 * removed), whether it passed or not.
 */
export function platformKit(): {
  use<T extends Double>(double: T, globalNames?: string[]): T;
  client(broker: Pick<Broker, 'host' | 'wsPort' | 'path'>, double: Double, extra?: Partial<ClientOptions>): MqttClient;
  made: Made;
} {
  const made = new Made();
  let doubles: Double[] = [];
  let installed: string[] = [];
  afterEach(async () => {
    await made.endAll();
    doubles.forEach((d) => d.dispose());
    doubles = [];
    installed.forEach((name) => delete globals[name]);
    installed = [];
  });
  return {
    made,
    use(double, globalNames = []) {
      doubles.push(double);
      for (const name of globalNames) globals[name] = double.api;
      installed.push(...globalNames);
      return double;
    },
    client: (broker, double, extra = {}) => made.create(optionsFor(broker, { platform: double.api, locale: 'en', ...extra })),
  };
}
