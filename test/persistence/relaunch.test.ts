/**
 * `persist: true` across relaunches, on mosquitto with persistence (the broker keeps its half of
 * the session). A relaunch kills the runtime — sockets vanish, storage writes under way are lost,
 * nothing it does afterwards lands — and starts a new module registry on the same storage.
 * Exchanges are stopped between two of their steps by swallowing one packet on the Node wx.
 */
import type { MessageEventDetail, PublishEventDetail, WarningEventDetail } from '../../src/types';
import { startMosquitto } from '../support/brokers';
import { sleep, until } from '../support/harness';
import { killTools, mosquittoSub } from '../support/mqtt5';
import { connectPeer } from '../support/peer';
import { goOffline, persistedBroker, Runtime } from '../support/relaunch';
import type { WirePacket } from '../support/wx';

const PUBREC = 5;
const PUBREL = 6;
const PUBCOMP = 7;

// unlimited queue for offline sessions: the streams below leave up to 2,000 messages queued
const env = persistedBroker({ peerId: 'relaunch-peer', idPrefix: 'persist', config: ['max_queued_messages 0'] });
const { launches, options } = env;
afterAll(killTools);

const start = (): Runtime => launches.start();
const relaunch = (runtime: Runtime): Runtime => launches.relaunch(runtime);

/** Records the packets of `type` going `way`; returns a getter of their count. Swallows them when `swallow`. */
function watchPackets(runtime: Runtime, way: 'inbound' | 'outbound', type: number, swallow: boolean): () => number {
  let seen = 0;
  const before = runtime.wx.filters[way];
  runtime.wx.filters[way] = (p: WirePacket) => {
    if (p.type !== type) return before?.(p) ?? false;
    seen++;
    return swallow;
  };
  return () => seen;
}

/** The packet identifier of a QoS 1/2 PUBLISH or a PUBREL (MQTT 3.1.1 §3.3.2, §3.6.2). */
function packetId(p: WirePacket): number {
  let i = 1;
  while (p.bytes[i] & 0x80) i++;
  i++;
  if (p.type === 3) i += 2 + ((p.bytes[i] << 8) | p.bytes[i + 1]);
  return (p.bytes[i] << 8) | p.bytes[i + 1];
}

const storedKeys = (runtime: Runtime): string[] => [...runtime.storage.data.keys()].filter((k) => k.startsWith('miniprogram-mqtt/') && !k.startsWith('miniprogram-mqtt/id/'));

it('200 QoS 1 and 200 QoS 2 published offline reach a mosquitto_sub peer after a relaunch, each exactly once; storage is empty afterwards', async () => {
  const prefix = `oq/${process.pid}`;
  const sub = mosquittoSub(env.broker.tcpPort, `${prefix}/#`, 400, ['-q', '2', '-W', '60']);
  await sub.ready;
  let runtime = start();
  const opts = options();
  let client = runtime.client(opts);
  await client.connect();
  await goOffline(runtime, client);
  for (let i = 0; i < 200; i++) {
    void client.publish(`${prefix}/1/${i}`, `q1 ${i}`, { qos: 1 }).catch(() => undefined);
    void client.publish(`${prefix}/2/${i}`, `q2 ${i}`, { qos: 2 }).catch(() => undefined);
  }
  await client.flush();
  const pending = client.pending();
  expect(pending).toHaveLength(400);
  expect(pending.every((p) => p.stored && p.state === 'queued')).toBe(true);
  expect(pending[0]).toEqual({ topic: `${prefix}/1/0`, qos: 1, size: expect.any(Number), since: expect.any(Number), state: 'queued', stored: true });

  runtime = relaunch(runtime);
  client = runtime.client(opts);
  const warnings: WarningEventDetail[] = [];
  const published: PublishEventDetail[] = [];
  client.on('warning', (w) => warnings.push(w));
  client.on('publish', (p) => published.push(p));
  await client.connect();
  expect(warnings.filter((w) => w.code === 'QUEUE_RESTORED')).toEqual([{ code: 'QUEUE_RESTORED', message: expect.stringContaining('400'), count: 400 }]);
  const lines = await sub.messages;
  const topics = lines.map((l) => l.topic);
  expect(new Set(topics).size).toBe(400);
  expect(topics).toHaveLength(400);
  expect(lines.find((l) => l.topic === `${prefix}/2/7`)?.payload.toString()).toBe('q2 7');
  await until(() => published.length === 400, 'a publish event for each restored message');
  expect(published.every((p) => p.restored === true && p.direction === 'out')).toBe(true);
  expect(client.pending()).toEqual([]);
  await client.flush();
  expect(storedKeys(runtime)).toEqual([]);
});

it.each([
  ['after PUBREC, before PUBCOMP (the PUBREL stage is stored)', PUBCOMP, PUBREL],
  ['after PUBLISH, before PUBREC (resent with its packet id and DUP)', PUBREC, 3],
])('an outgoing QoS 2 killed %s reaches the peer exactly once', async (_, held, sentBeforeKill) => {
  const topic = `out2/${process.pid}/${held}`;
  await env.peer.subscribe(`${topic}`, 2);
  let runtime = start();
  const opts = options();
  let client = runtime.client(opts);
  await client.connect();
  const swallowed = watchPackets(runtime, 'inbound', held, true);
  const sent = watchPackets(runtime, 'outbound', sentBeforeKill, false);
  const firstIds: number[] = [];
  const outbound = runtime.wx.filters.outbound!;
  runtime.wx.filters.outbound = (p) => {
    if (p.type === 3) firstIds.push(packetId(p));
    return outbound(p);
  };
  void client.publish(topic, 'exactly once', { qos: 2 }).catch(() => undefined);
  await until(() => sent() === 1 && swallowed() === 1, 'the exchange stopped between its steps');
  expect(client.pending()).toEqual([expect.objectContaining({ topic, state: 'sent', stored: true })]);

  runtime = relaunch(runtime);
  const resent: WirePacket[] = [];
  runtime.wx.filters.outbound = (p) => {
    if (p.type === 3 || p.type === PUBREL) resent.push(p);
    return false;
  };
  client = runtime.client(opts);
  const published: PublishEventDetail[] = [];
  client.on('publish', (p) => published.push(p));
  await client.connect();
  await until(() => published.length === 1, 'the restored exchange completed');
  await sleep(300);
  expect(env.peer.received.filter((m) => m.topic === topic).map((m) => m.payload.toString())).toEqual(['exactly once']);
  // what the new runtime sent first: PUBREL again, or the PUBLISH again with DUP (0x08) set
  expect(resent[0].type === PUBREL ? 'PUBREL' : (resent[0].bytes[0] & 0x08) !== 0 ? 'PUBLISH with DUP' : 'PUBLISH').toBe(held === PUBCOMP ? 'PUBREL' : 'PUBLISH with DUP');
  // …with the packet id it had before the kill
  expect(packetId(resent[0])).toBe(firstIds[0]);
  expect(client.pending()).toEqual([]);
});

it('an incoming QoS 2 killed after PUBREC, before PUBREL arrives, fires `message` exactly once after the relaunch', async () => {
  const topic = `in2/${process.pid}/a`;
  let runtime = start();
  const opts = options();
  let client = runtime.client(opts);
  const seen: MessageEventDetail[] = [];
  client.on('message', (m) => seen.push(m));
  await client.connect();
  await client.subscribe(topic, 2);
  const pubrecs = watchPackets(runtime, 'outbound', PUBREC, false);
  const pubrels = watchPackets(runtime, 'inbound', PUBREL, true);
  await env.peer.publish(topic, 'once only', { qos: 2 });
  await until(() => pubrecs() === 1 && pubrels() === 1, 'PUBREC sent, PUBREL swallowed');
  expect(seen).toEqual([]);

  runtime = relaunch(runtime);
  client = runtime.client(opts);
  client.on('message', (m) => seen.push(m));
  await client.connect();
  await client.subscribe(topic, 2);
  await until(() => seen.length === 1, 'the stored message delivered');
  await sleep(300);
  expect(seen.map((m) => [m.topic, m.payload, m.qos])).toEqual([[topic, 'once only', 2]]);
});

it('an incoming QoS 2 delivered just before the kill (PUBCOMP lost) is not delivered again when the broker resends PUBREL', async () => {
  const topic = `in2/${process.pid}/b`;
  let runtime = start();
  const opts = options();
  let client = runtime.client(opts);
  const seen: MessageEventDetail[] = [];
  client.on('message', (m) => seen.push(m));
  await client.connect();
  await client.subscribe(topic, 2);
  const pubcomps = watchPackets(runtime, 'outbound', PUBCOMP, true);
  await env.peer.publish(topic, 'delivered before the kill', { qos: 2 });
  await until(() => seen.length === 1 && pubcomps() === 1, 'delivered; PUBCOMP swallowed');

  runtime = relaunch(runtime);
  client = runtime.client(opts);
  const pubrelsAgain = watchPackets(runtime, 'inbound', PUBREL, false);
  client.on('message', (m) => seen.push(m));
  await client.connect();
  await client.subscribe(topic, 2);
  await until(() => pubrelsAgain() === 1, 'the broker resent PUBREL');
  await sleep(300);
  expect(seen).toHaveLength(1);
  await client.flush();
  expect(storedKeys(runtime)).toEqual([]);
});

it('20 kills during a 2,000-message QoS 1 stream each way: nothing stored is lost', async () => {
  const out = `stream/${process.pid}/out`;
  const inbound = `stream/${process.pid}/in`;
  await env.peer.subscribe(`${out}/#`, 1);
  const opts = options();
  const received = new Set<string>();
  // the app counts a message as sent once flush() said it is stored; after a kill it publishes again from the first one not stored
  let committed = 0;
  let peerSent = 0;
  let runtime = start();
  for (let cycle = 0; cycle <= 20; cycle++) {
    if (cycle > 0) runtime = relaunch(runtime);
    const client = runtime.client(opts);
    client.on('message', (m) => received.add(m.payload as string));
    const connected = client.connect().catch(() => undefined);
    const subscribed = client.subscribe(`${inbound}/#`, 1).catch(() => undefined);
    // the peer's first messages need the subscription at the broker; later ones wait in the session
    if (cycle === 0) await Promise.all([connected, subscribed]);
    const until100 = cycle === 20 ? 2000 : Math.min(2000, committed + 100);
    let next = committed;
    const inboundGoal = cycle === 20 ? 2000 : Math.min(2000, peerSent + 100);
    while (next < until100 || peerSent < inboundGoal) {
      if (next < until100) {
        const batch = Math.min(10, until100 - next);
        for (let i = 0; i < batch; i++) void client.publish(`${out}/${next + i}`, String(next + i), { qos: 1 }).catch(() => undefined);
        next += batch;
        // the kill lands while the last batch may not be stored yet
        if (cycle < 20 && next >= until100) break;
        await client.flush();
        committed = next;
      }
      if (peerSent < inboundGoal) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => env.peer.publish(`${inbound}/${peerSent + i}`, String(peerSent + i), { qos: 1 })));
        peerSent += 10;
      }
    }
    if (cycle === 20) {
      await until(() => client.pending().length === 0, 'the last publishes acknowledged', 20000);
      await until(() => received.size === 2000, `all 2,000 inbound messages (have ${received.size})`, 20000);
    }
  }
  const outgoing = new Set(env.peer.received.filter((m) => m.topic.startsWith(`${out}/`)).map((m) => m.payload.toString()));
  expect(outgoing.size).toBe(2000);
  expect(received.size).toBe(2000);
}, 120000);

it.each([
  [4, 10],
  [5, 5],
] as const)(
  'MQTT %i, window %i: QoS 2 packet ids stored ahead of their slot; after a relaunch the ids stored beyond the window wait their turn, never more in flight, each message once',
  async (protocolVersion, window) => {
    // at MQTT 5 mosquitto's Receive Maximum is max_inflight_messages; at 3.1.1 the library's limit is 10
    const limited = protocolVersion === 5 ? await startMosquitto({ persistence: true, config: ['max_inflight_messages 5'] }) : env.broker;
    try {
      const topic = `ahead/${process.pid}/${protocolVersion}`;
      const watcher = await connectPeer(limited.tcpPort, { clientId: `ahead-peer-${protocolVersion}`, clean: true });
      await watcher.subscribe(`${topic}/#`, 2);
      let runtime = start();
      const opts = options({ protocolVersion, host: limited.host, port: limited.wsPort, path: limited.path });
      let client = runtime.client(opts);
      await client.connect();
      watchPackets(runtime, 'inbound', PUBREC, true);
      const sent = watchPackets(runtime, 'outbound', 3, false);
      for (let i = 0; i < 30; i++) void client.publish(`${topic}/${i}`, `m${i}`, { qos: 2 }).catch(() => undefined);
      await until(() => sent() === window, 'the first window sent');
      await client.flush();
      await sleep(200);
      expect(sent()).toBe(window);

      runtime = relaunch(runtime);
      const outstanding = new Set<number>();
      let most = 0;
      runtime.wx.filters.outbound = (p) => {
        if (p.type === 3) outstanding.add(packetId(p));
        most = Math.max(most, outstanding.size);
        return false;
      };
      runtime.wx.filters.inbound = (p) => {
        if (p.type === PUBCOMP) outstanding.delete(packetId(p));
        return false;
      };
      client = runtime.client(opts);
      // the window in flight and the next window's ids stored ahead: all of them hold an id
      expect(client.pending().map((p) => p.state)).toEqual(Array.from({ length: 30 }, (_, i) => (i < 2 * window ? 'sent' : 'queued')));
      const errors: string[] = [];
      client.on('error', (e) => errors.push(e.code));
      await client.connect();
      await until(() => client.pending().length === 0, 'all 30 completed', 20000);
      await sleep(300);
      expect(most).toBeLessThanOrEqual(window);
      expect(errors).toEqual([]);
      const counts = Array.from({ length: 30 }, (_, i) => watcher.received.filter((m) => m.topic === `${topic}/${i}`).length);
      expect(counts).toEqual(counts.map(() => 1));
      await watcher.end();
    } finally {
      if (limited !== env.broker) await limited.stop();
    }
  },
);
