/**
 * The real vendored mqtt.js driven through each platform's API double (test/support/platforms/*,
 * written from each platform's documentation) against real brokers, through
 * createClient({ ..., platform: double }): round trips byte-exact both ways at QoS 0/1/2, end() leaves
 * no client at the broker, app hide/show and network loss through the platform's own events, and
 * the socket limit, drops (reconnect, resubscribe, nothing lost) and bad input (coded errors, the
 * client still works). Each platform's own differences: platform-quirks.test.ts; detection:
 * detection.test.ts; the doubles themselves: doubles.test.ts.
 */
import { expectRejection, roundTrip } from '../support/client';
import { sleep, until } from '../support/harness';
import { startProxy } from '../support/proxy';
import { NodeMy } from '../support/platforms/alipay';
import { NodeSwan } from '../support/platforms/baidu';
import { NodeTt } from '../support/platforms/douyin';
import { NodeQq } from '../support/platforms/qq';
import { binaryRoundTrip, BINARY, brokersFor, bytes, countAt, Double, fresh, platformKit, record } from '../support/platforms/run';
import { NodeTaro } from '../support/platforms/taro';
import { NodeUni } from '../support/platforms/uni';

interface Case {
  name: string;
  make(): Double;
  /** The platform reports app hide/show through its own API. */
  appEvents: boolean;
  /** Globals the platform defines, set to the double for the test (Douyin defines `wx` too). */
  globals?: string[];
}

/** Every platform (and base-library mode) whose documented API the library should run on. */
const CASES: Case[] = [
  { name: 'my, SocketTask, base64 frames', make: () => new NodeMy(), appEvents: true },
  { name: 'my, SocketTask, ArrayBuffer frames (10.5.16+)', make: () => new NodeMy({ binary: 'arraybuffer' }), appEvents: true },
  { name: 'my, global socket (no multiple)', make: () => new NodeMy({ supportsMultiple: false }), appEvents: true },
  { name: 'tt (also the global tt and wx, as on Douyin)', make: () => new NodeTt(), appEvents: true, globals: ['tt', 'wx'] },
  { name: 'swan 3.60.2', make: () => new NodeSwan({ baseLibrary: '3.60.2' }), appEvents: true },
  { name: 'swan 3.0.0 (SocketTask, no swan.onAppHide)', make: () => new NodeSwan({ baseLibrary: '3.0.0' }), appEvents: false },
  { name: 'qq', make: () => new NodeQq(), appEvents: true },
  { name: 'uni (App target, over the native API)', make: () => new NodeUni(), appEvents: true },
  { name: 'Taro (weapp)', make: () => new NodeTaro(), appEvents: true },
];

const on = brokersFor(['aedes', 'mosquitto']);
const kit = platformKit();
const use = ({ make, globals }: Pick<Case, 'make' | 'globals'>): Double => kit.use(make(), globals);
const clientOn = kit.client;

describe.each(CASES)('$name', (platform) => {
  const { appEvents } = platform;
  describe.each(['aedes', 'mosquitto'] as const)('on %s', (brokerName) => {
    it('connects, subscribes, round-trips QoS 0/1/2 byte-exact both ways; after end() the broker has no client of ours', async () => {
      const { broker, peer } = on(brokerName);
      const double = use(platform);
      const c = clientOn(broker, double);
      const log = record(c);
      expect(await c.connect()).toEqual({ clientId: c.clientId, url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, sessionPresent: false });
      expect(double.requests[0]).toMatchObject({ url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, protocols: ['mqtt'] });
      await binaryRoundTrip(c, log, peer);
      await until(async () => (await countAt(broker)) === 2, 'the broker to see our client besides the peer', 25000);
      await c.end();
      expect(c.status).toBe('closed');
      await until(() => double.openSockets() === 0, 'the socket to close');
      await until(async () => (await countAt(broker)) === 1, 'the broker to see only the peer', 25000);
      expect(log.errors).toEqual([]);
      expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'closed']);
      expect(double.violations ?? []).toEqual([]);
    }, 60000);
  });

  it('drops: each cut reconnects and resubscribes; QoS 1/2 published while down arrive, QoS 2 exactly once', async () => {
    const { broker, peer } = on('mosquitto');
    const proxy = await startProxy(broker.wsPort);
    try {
      const double = use(platform);
      const c = clientOn({ host: broker.host, wsPort: proxy.port, path: broker.path }, double, { reconnectPeriod: 100 });
      const log = record(c);
      await c.connect();
      const topic = fresh('drop');
      await c.subscribe(`${topic}/in/#`, { qos: 1 });
      await peer.subscribe(`${topic}/out/#`, 2);
      const before = peer.received.length;
      const sent: Promise<unknown>[] = [];
      // Two cuts: a third session this short would read as a clientId takeover (CLIENT_ID_CONFLICT's heuristic).
      for (let cut = 1; cut <= 2; cut++) {
        expect(proxy.cut()).toBe(1);
        await until(() => c.status !== 'connected', `cut ${cut} seen`);
        for (const qos of [1, 2] as const) sent.push(c.publish(`${topic}/out/${cut}/${qos}`, Uint8Array.from([cut, qos, ...BINARY]), { qos }));
        await until(() => c.status === 'connected' && c.subscriptions.length === 1, `reconnected and resubscribed after cut ${cut}`, 10000).catch((e: Error) => {
          throw new Error(`${e.message}; statuses ${JSON.stringify(log.statuses)} errors ${JSON.stringify(log.errors)} subs ${JSON.stringify(c.subscriptions)}`);
        });
        await peer.publish(`${topic}/in/${cut}`, Buffer.from([cut, ...BINARY]), { qos: 1 });
        await until(() => log.messages.some((m) => m.topic === `${topic}/in/${cut}`), `the message after cut ${cut}`);
      }
      await Promise.all(sent);
      await peer.waitFor(before + 4);
      await sleep(200);
      const out = peer.received.slice(before).map((m) => `${m.topic} ${Array.from(m.payload).join(',')}`);
      const qos2 = out.filter((line) => / \d+,2,0,255,128$/.test(line));
      expect(new Set(out)).toEqual(new Set([1, 2].flatMap((cut) => [1, 2].map((qos) => `${topic}/out/${cut}/${qos} ${[cut, qos, ...BINARY].join(',')}`))));
      expect(qos2).toHaveLength(2);
      const received = log.messages.filter((m) => m.topic.startsWith(`${topic}/in/`)).map((m) => bytes(m.bytes));
      expect(new Set(received.map(String))).toEqual(new Set([1, 2].map((cut) => [cut, ...BINARY].join(','))));
      expect(log.errors).toEqual([]);
      expect(double.violations ?? []).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 60000);

  it('bad input: each call rejects with its code, nothing throws, and the client still round-trips', async () => {
    const { broker } = on('aedes');
    const double = use(platform);
    const c = clientOn(broker, double);
    await c.connect();
    await expectRejection(() => c.publish('a/+/b', 'x'), { code: 'INVALID_TOPIC', topic: 'a/+/b' });
    await expectRejection(() => c.publish('ok/p', null as unknown as string), { code: 'INVALID_PAYLOAD', field: 'payload' });
    await expectRejection(() => c.publish('ok/p', 'x'.repeat(1024 * 1024 + 1)), { code: 'PAYLOAD_TOO_LARGE', field: 'payload' });
    await expectRejection(() => c.publish('ok/p', 'x', { qos: 3 as 0 }), { code: 'INVALID_QOS', field: 'qos' });
    await expectRejection(() => c.subscribe('a#'), { code: 'INVALID_TOPIC', topic: 'a#' });
    await expectRejection(() => c.subscribe('ok/s', { qos: -1 as 0 }), { code: 'INVALID_QOS', field: 'qos' });
    await expectRejection(() => c.unsubscribe(''), { code: 'INVALID_TOPIC', topic: '' });
    expect(c.status).toBe('connected');
    await roundTrip(c, 'bad');
    expect(double.violations ?? []).toEqual([]);
  });

  if (appEvents) {
    it("goes offline on the platform's app hide and reconnects with its subscriptions on show", async () => {
      const { broker, peer } = on('aedes');
      const double = use(platform);
      const c = clientOn(broker, double, { reconnectPeriod: 5000 });
      const log = record(c);
      await c.connect();
      const topic = fresh('life');
      await c.subscribe(`${topic}/#`, { qos: 1 });
      double.hideApp();
      expect(c.status).toBe('offline');
      expect(log.statuses[log.statuses.length - 1]).toEqual({ status: 'offline', previous: 'connected', reason: 'background' });
      await until(() => double.openSockets() === 0, 'the socket to close on hide');
      const shownAt = Date.now();
      double.showApp();
      await until(() => c.status === 'connected', 'connected after show', 1000);
      expect(Date.now() - shownAt).toBeLessThan(1000);
      // 'connected' comes before the resubscription's SUBACK: publish once the broker confirmed it
      await until(() => c.subscriptions.length === 1, 'the resubscription');
      await peer.publish(`${topic}/back`, Buffer.from(BINARY), { qos: 1 });
      await until(() => log.messages.length === 1, 'a message after show');
      expect(bytes(log.messages[0].bytes)).toEqual(BINARY);
      expect(log.errors).toEqual([]);
      expect(double.violations ?? []).toEqual([]);
    });
  } else {
    it('has no app hide event to follow: stays connected through a hide (the platform has no onAppHide)', async () => {
      const { broker } = on('aedes');
      const double = use(platform);
      const c = clientOn(broker, double);
      await c.connect();
      double.hideApp();
      await sleep(100);
      expect(c.status).toBe('connected');
      expect(double.openSockets()).toBe(1);
    });
  }

  it("goes offline when the platform's onNetworkStatusChange reports the network lost, and reconnects when it is back", async () => {
    const { broker, peer } = on('aedes');
    const double = use(platform);
    const c = clientOn(broker, double, { reconnectPeriod: 5000 });
    const log = record(c);
    await c.connect();
    const topic = fresh('net');
    await c.subscribe(`${topic}/#`, { qos: 1 });
    double.setNetwork(false);
    expect(c.status).toBe('offline');
    expect(log.statuses[log.statuses.length - 1]).toMatchObject({ status: 'offline', reason: 'network' });
    expect(double.openSockets()).toBe(0);
    await sleep(50);
    const backAt = Date.now();
    double.setNetwork(true);
    await until(() => c.status === 'connected', 'connected after the network is back', 1000);
    expect(Date.now() - backAt).toBeLessThan(1000);
    await until(() => c.subscriptions.length === 1, 'the resubscription');
    await peer.publish(`${topic}/back`, Buffer.from(BINARY), { qos: 1 });
    await until(() => log.messages.length === 1, 'a message after the network is back');
    expect(double.violations ?? []).toEqual([]);
  });
});

describe.each(CASES.filter((c) => !c.name.includes('global socket')))('socket limit: $name', (platform) => {
  it('five connections open; a sixth is refused with SOCKET_LIMIT; once one ends, it connects', async () => {
    const { broker } = on('aedes');
    const double = use(platform);
    const clients = [1, 2, 3, 4, 5].map(() => clientOn(broker, double));
    await Promise.all(clients.map((c) => c.connect()));
    expect(double.openSockets()).toBe(5);
    const sixth = clientOn(broker, double);
    const error = await expectRejection(() => sixth.connect(), { code: 'SOCKET_LIMIT' });
    expect(error.message).toBe('Too many WebSocket connections (limit 5)');
    expect(double.requests).toHaveLength(5);
    await clients[0].end();
    await until(() => double.openSockets() === 4, 'one socket to close');
    await sixth.connect();
    expect(double.openSockets()).toBe(5);
  });
});
