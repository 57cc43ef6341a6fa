/**
 * The vendored mqtt.js 4.0.1 factory, loaded as the mini-program loads it, against real brokers
 * over real WebSockets through the Node `wx`.
 */
import createMqtt = require('../src/vendor/mqtt.js');
import type { VendorClient, VendorPacket, VendorWx } from '../src/vendor/mqtt';
import { Broker, BrokerName, startBroker } from './support/brokers';
import { connectPeer, Peer } from './support/peer';
import { NodeWx } from './support/wx';

interface Received {
  topic: string;
  bytes: number[];
  qos?: number;
}

/** mqtt 4.0.1 passes `protocols` as a string, which WeChat on Android (and this Node wx) ignores. */
const withProtocolArray = (wx: NodeWx): VendorWx => ({
  connectSocket: (options) => wx.connectSocket({ ...options, protocols: [String(options.protocols)] }),
});

function connect(wx: NodeWx, broker: Broker, clientId: string): Promise<VendorClient> {
  const client = createMqtt(withProtocolArray(wx)).connect(`wx://${broker.host}:${broker.wsPort}${broker.path}`, {
    clientId,
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    resubscribe: false,
    queueQoSZero: false,
  });
  return new Promise((resolve, reject) => {
    client.on('connect', () => resolve(client));
    client.on('error', reject);
  });
}

const collect = (client: VendorClient): Received[] => {
  const received: Received[] = [];
  client.on('message', (topic: string, payload: Uint8Array, packet: VendorPacket) =>
    received.push({ topic, bytes: Array.from(payload), qos: packet.qos }),
  );
  return received;
};

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const call = <T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

describe.each<BrokerName>(['aedes', 'mosquitto'])('vendored mqtt.min.js against %s', (name) => {
  let broker: Broker;
  let peer: Peer;
  let wx: NodeWx;

  beforeAll(async () => {
    broker = await startBroker(name);
    peer = await connectPeer(broker.tcpPort);
  });
  afterAll(async () => {
    await peer.end();
    await broker.stop();
  });
  beforeEach(() => {
    wx = new NodeWx();
  });
  afterEach(() => wx.dispose());

  it('connects over wx, subscribes, round-trips QoS 0/1/2 text and binary byte-exact, unsubscribes, ends', async () => {
    const client = await connect(wx, broker, `vendor_${name}_1`);
    expect(wx.requests[0]).toEqual({ url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, protocols: ['mqtt'] });
    const received = collect(client);
    const granted = await call<{ topic: string; qos: number }[]>((cb) => client.subscribe({ 'spine/+/in': { qos: 2 } }, cb));
    expect(granted).toEqual([{ topic: 'spine/+/in', qos: 2 }]);

    const binary = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    const text = 'héllo, 世界 🚀';
    for (const qos of [0, 1, 2] as const) {
      await call((cb) => client.publish(`spine/q${qos}/in`, text, { qos, retain: false }, cb));
      await call((cb) => client.publish(`spine/q${qos}/in`, binary, { qos, retain: false }, cb));
    }
    await until(() => received.length === 6, 'six messages');
    for (const qos of [0, 1, 2]) {
      const mine = received.filter((m) => m.topic === `spine/q${qos}/in`);
      expect(mine.map((m) => m.qos)).toEqual([qos, qos]);
      expect(Buffer.from(mine[0].bytes).toString('utf8')).toBe(text);
      expect(mine[1].bytes).toEqual(Array.from(binary));
    }

    await peer.publish('spine/peer/in', Buffer.from([0, 0xff, 0x10]), { qos: 1 });
    await until(() => received.length === 7, 'the peer message');
    expect(received[6]).toEqual({ topic: 'spine/peer/in', bytes: [0, 0xff, 0x10], qos: 1 });

    await call((cb) => client.unsubscribe('spine/+/in', cb));
    await peer.publish('spine/after/in', 'ignored', { qos: 1 });
    await peer.subscribe('spine/+/in');
    await peer.publish('spine/marker/in', 'marker');
    await peer.waitFor(peer.received.length + 1);
    expect(received).toHaveLength(7);

    client.end(false, {}, () => undefined);
    await until(() => wx.sockets.size === 0, 'the socket to close');
  });

  it('two evaluated copies keep two sockets of their own', async () => {
    const [a, b] = await Promise.all([connect(wx, broker, `copy_${name}_a`), connect(wx, broker, `copy_${name}_b`)]);
    expect(wx.sockets.size).toBe(2);
    const gotA = collect(a);
    const gotB = collect(b);
    await call((cb) => a.subscribe({ 'copies/a': { qos: 1 } }, cb));
    await call((cb) => b.subscribe({ 'copies/b': { qos: 1 } }, cb));
    for (let i = 0; i < 20; i++) {
      await peer.publish('copies/a', `a${i}`, { qos: 1 });
      await peer.publish('copies/b', `b${i}`, { qos: 1 });
    }
    await until(() => gotA.length === 20 && gotB.length === 20, 'both streams');
    expect(gotA.map((m) => Buffer.from(m.bytes).toString())).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
    expect(gotB.map((m) => Buffer.from(m.bytes).toString())).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`));
    expect(await broker.clientCount()).toBe(3);
    a.end(false, {}, () => undefined);
    b.end(false, {}, () => undefined);
    await until(() => wx.sockets.size === 0, 'both sockets to close');
  });
});
