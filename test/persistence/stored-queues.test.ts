/**
 * What `persist` left in storage, seen at launch (issue 26), on mosquitto with persistence:
 * pending() lists the stored queue right after createClient with no network at all; a queue of
 * another clientId is reported once (STORAGE_FOREIGN), listed by storedQueues() and removed by
 * discardStoredQueue() alone; queues no run touched for persist.maxAge go at creation (QUEUE_EXPIRED).
 */
import type { MqttClient } from '../../src/client/client';
import type { ClientOptions, MqttErrorDetail, WarningEventDetail } from '../../src/types';
import { sleep, until } from '../support/harness';
import { goOffline, persistedBroker, Runtime } from '../support/relaunch';
import type { WirePacket } from '../support/wx';

const PUBREC = 5;
const PUBCOMP = 7;
const DAY = 24 * 3600 * 1000;

const env = persistedBroker({ peerId: 'queues-peer', subscribe: 'sq/#', idPrefix: 'sq' });
const { launches, options } = env;
afterEach(() => jest.restoreAllMocks());

const topic = (name: string): string => `sq/${process.pid}/${name}`;
const url = (): string => `ws://${env.broker.host}:${env.broker.wsPort}${env.broker.path}`;

function warningsOf(client: MqttClient): WarningEventDetail[] {
  const warnings: WarningEventDetail[] = [];
  client.on('warning', (w) => warnings.push(w));
  return warnings;
}

/** Swallows inbound packets of `type` until the returned function is called. */
function swallowInbound(runtime: Runtime, type: number): () => void {
  const before = runtime.wx.filters.inbound;
  runtime.wx.filters.inbound = (p: WirePacket) => p.type === type || (before?.(p) ?? false);
  return () => (runtime.wx.filters.inbound = before);
}

/** Launch 1 of `opts`: `n` QoS 1 publishes made offline, stored; the runtime is then killed and relaunched. */
async function leaveQueue(runtime: Runtime, opts: ClientOptions, n: number, name: string): Promise<Runtime> {
  const client = runtime.client(opts);
  await client.connect();
  await goOffline(runtime, client);
  for (let i = 0; i < n; i++) void client.publish(topic(`${name}/${i}`), `${name} ${i}`, { qos: 1 }).catch(() => undefined);
  await client.flush();
  return launches.relaunch(runtime);
}

it('pending() lists the stored queue from the line after createClient, with no network at all: QoS 2 sent (PUBLISH and PUBREL stages) and queued QoS 1/2', async () => {
  let runtime = launches.start();
  const opts = options();
  let client = runtime.client(opts);
  await client.connect();
  // A: PUBLISH out, PUBREC never seen → stage publish; B: PUBREL out, PUBCOMP never seen → stage pubrel
  let release = swallowInbound(runtime, PUBREC);
  void client.publish(topic('a'), 'A', { qos: 2 }).catch(() => undefined);
  await until(() => client.pending().some((p) => p.topic === topic('a') && p.state === 'sent'), 'A sent');
  release();
  release = swallowInbound(runtime, PUBCOMP);
  void client.publish(topic('b'), 'B', { qos: 2 }).catch(() => undefined);
  await until(() => env.peer.received.some((m) => m.topic === topic('b')), 'B taken by the broker');
  await goOffline(runtime, client);
  for (let i = 0; i < 12; i++) void client.publish(topic(`o/${i}`), `O${i}`, { qos: i === 0 ? 2 : 1 }).catch(() => undefined);
  await client.flush();
  release();

  runtime = launches.relaunch(runtime);
  runtime.wx.setNetwork(false);
  client = runtime.client(opts);
  const listed = client.pending();
  // at MQTT 3.1.1 ten publishes are in flight at once, A and B among them: eight of the twelve made
  // offline had their packet ids (stored as such, resent with DUP: 'sent'), four were still queued
  const offline = Array.from({ length: 12 }, (_, i) => [topic(`o/${i}`), i === 0 ? 2 : 1, i < 8 ? 'sent' : 'queued', true]);
  expect(listed.map((p) => [p.topic, p.qos, p.state, p.stored])).toEqual([[topic('a'), 2, 'sent', true], [topic('b'), 2, 'sent', true], ...offline]);
  expect(listed.every((p) => p.size > 0 && p.since > 0)).toBe(true);
  // a copy: the caller cannot change what the client lists
  listed.length = 0;
  expect(client.pending()).toHaveLength(14);

  const warnings = warningsOf(client);
  // the first attempt fails (no network) and connect() says so; the client keeps trying
  const firstAttempt = client.connect().then(() => 'connected', (e: MqttErrorDetail) => e.code);
  expect(client.pending().map((p) => p.topic)).toEqual([topic('a'), topic('b'), ...offline.map(([t]) => t)]);
  await until(() => client.status === 'offline' || client.status === 'reconnecting', 'trying without a network');
  expect(client.pending()).toHaveLength(14);
  expect(warnings.map((w) => [w.code, w.count])).toEqual([['QUEUE_RESTORED', 14]]);

  expect(await firstAttempt).toBe('SOCKET_ERROR');
  runtime.wx.setNetwork(true);
  await until(() => client.pending().length === 0, 'all fourteen acknowledged');
  await sleep(300);
  // B's PUBREL completes what the broker already delivered: each arrives once
  const names = ['a', 'b', ...Array.from({ length: 12 }, (_, i) => `o/${i}`)];
  expect(names.map((n) => env.peer.received.filter((m) => m.topic === topic(n)).length)).toEqual(names.map(() => 1));
});

it('clean: true lists nothing at creation (the queue is discarded at connect()); a client without persist lists nothing', async () => {
  const opts = options();
  const runtime = await leaveQueue(launches.start(), opts, 2, 'clean');
  expect(runtime.client({ ...opts, clean: true }).pending()).toEqual([]);
  expect(runtime.client({ ...opts, persist: false, name: 'no-persist' }).pending()).toEqual([]);
});

it('another clientId at the next launch: STORAGE_FOREIGN once naming the old one, storedQueues() lists both, discardStoredQueue removes that one and nothing else', async () => {
  const old = options({ username: 'u', password: 'secret-pw-26' });
  const runtime = await leaveQueue(launches.start(), old, 3, 'old');
  const oldKey = runtime.lib.storedQueues({ platform: runtime.wx })[0]?.key;
  runtime.storage.set('app/token', 'kept by the app');

  const reads: string[] = [];
  const read = runtime.wx.getStorageSync;
  runtime.wx.getStorageSync = (key: string) => {
    reads.push(key);
    return read(key);
  };
  const mine = options({ username: 'u', password: 'secret-pw-26' });
  const client = runtime.client(mine);
  const warnings = warningsOf(client);
  await until(() => warnings.length > 0, 'the STORAGE_FOREIGN warning');
  // the old queue is read once, at creation; the report a tick later reuses what was read
  expect(reads.filter((key) => key === oldKey)).toHaveLength(1);
  runtime.wx.getStorageSync = read;
  expect(warnings).toEqual([
    {
      code: 'STORAGE_FOREIGN',
      message: expect.stringContaining(old.clientId),
      count: 1,
      queues: [{ key: oldKey, clientId: old.clientId, url: url(), messages: 3 }],
    },
  ]);
  expect(warnings[0].message).toContain(url());
  expect(JSON.stringify(warnings)).not.toContain('secret-pw-26');

  // a second persist client of this run: the old queue was reported already
  const second = runtime.client(options());
  const secondWarnings = warningsOf(second);
  await sleep(50);
  expect(secondWarnings).toEqual([]);

  await client.connect();
  await goOffline(runtime, client);
  void client.publish(topic('mine'), 'mine', { qos: 1 }).catch(() => undefined);
  await client.flush();
  const queues = runtime.lib.storedQueues({ platform: runtime.wx });
  expect(queues.map((q) => [q.clientId, q.url, q.messages, q.inUse])).toEqual([
    [old.clientId, url(), 3, false],
    [mine.clientId, url(), 1, true],
  ]);
  expect(queues.every((q) => q.bytes > 0 && q.since > 0 && q.touched >= q.since)).toBe(true);
  expect(JSON.stringify(queues)).not.toContain('secret-pw-26');

  const mineKey = queues[1].key;
  const refusal = (key: unknown): Promise<MqttErrorDetail> => runtime.lib.discardStoredQueue(key as string, { platform: runtime.wx }).then(() => Promise.reject(new Error('resolved')), (e: MqttErrorDetail) => e);
  expect(await refusal(mineKey)).toMatchObject({ code: 'INVALID_OPTION', field: 'key' });
  expect(await refusal('app/token')).toMatchObject({ code: 'INVALID_OPTION', field: 'key' });
  expect(await refusal(42)).toMatchObject({ code: 'INVALID_OPTION', field: 'key' });

  const before = [...runtime.storage.data.keys()].filter((k) => !k.startsWith(oldKey!)).sort();
  await expect(runtime.lib.discardStoredQueue(oldKey!, { platform: runtime.wx })).resolves.toBe(3);
  expect([...runtime.storage.data.keys()].sort()).toEqual(before);
  expect(runtime.storage.data.get('app/token')).toBe('kept by the app');
  expect(runtime.lib.storedQueues({ platform: runtime.wx }).map((q) => q.key)).toEqual([mineKey]);
  await expect(runtime.lib.discardStoredQueue(oldKey!, { platform: runtime.wx })).resolves.toBe(0);

  runtime.wx.setNetwork(true);
  await until(() => client.pending().length === 0, 'mine acknowledged');
  await until(() => env.peer.received.some((m) => m.topic === topic('mine')), 'mine at the peer');
  await sleep(200);
  expect(env.peer.received.filter((m) => m.topic.startsWith(topic('old/')))).toEqual([]);
});

/** createClient with Date.now() at `at`: the clock createClient reads for maxAge. */
function createAt(runtime: Runtime, at: number, opts: ClientOptions): { client: MqttClient; warnings: WarningEventDetail[] } {
  jest.spyOn(Date, 'now').mockReturnValue(at);
  try {
    const client = runtime.client(opts);
    return { client, warnings: warningsOf(client) };
  } finally {
    jest.restoreAllMocks();
  }
}

it('persist.maxAge (fixed clock): a queue no run touched for longer is removed at creation with QUEUE_EXPIRED, its own or another; younger stays; 0 keeps', async () => {
  const aged = options();
  let runtime = await leaveQueue(launches.start(), aged, 2, 'aged');
  const [stored] = runtime.lib.storedQueues({ platform: runtime.wx });
  const t0 = stored.touched;
  expect(Math.abs(t0 - Date.now())).toBeLessThan(60000);

  // 6 days on, the default 7: kept (another client's, so reported as foreign)
  let other = createAt(runtime, t0 + 6 * 86400000, options());
  await until(() => other.warnings.length > 0, 'a warning');
  expect(other.warnings.map((w) => w.code)).toEqual(['STORAGE_FOREIGN']);
  expect(runtime.lib.storedQueues({ platform: runtime.wx }).map((q) => q.clientId)).toEqual([aged.clientId]);

  // 400 days on with maxAge 0: kept, and listed by its own client
  runtime = launches.relaunch(runtime);
  let own = createAt(runtime, t0 + 400 * DAY, { ...aged, persist: { maxAge: 0 } });
  expect(own.client.pending().map((p) => p.topic)).toEqual([topic('aged/0'), topic('aged/1')]);
  await sleep(20);
  expect(own.warnings).toEqual([]);

  // 8 days on, the default 7: its own client finds nothing, QUEUE_EXPIRED says how many went
  runtime = launches.relaunch(runtime);
  own = createAt(runtime, t0 + 8 * DAY, aged);
  expect(own.client.pending()).toEqual([]);
  await until(() => own.warnings.length > 0, 'the QUEUE_EXPIRED warning');
  expect(own.warnings).toEqual([{ code: 'QUEUE_EXPIRED', message: expect.stringMatching(/persist\.maxAge（7 天）.* 2 条/), count: 2 }]);
  expect(runtime.lib.storedQueues({ platform: runtime.wx })).toEqual([]);
  expect([...runtime.storage.data.keys()].filter((k) => /^miniprogram-mqtt\/[0-9a-z]+(\/|$)/.test(k))).toEqual([]);

  // another client's queue with maxAge 1 day, 2 days on: removed too
  const older = options();
  runtime = await leaveQueue(launches.relaunch(runtime), older, 1, 'older');
  const touched = runtime.lib.storedQueues({ platform: runtime.wx })[0].touched;
  other = createAt(runtime, touched + 2 * DAY, options({ persist: { maxAge: DAY } }));
  await until(() => other.warnings.length > 0, 'the QUEUE_EXPIRED warning');
  expect(other.warnings.map((w) => [w.code, w.count])).toEqual([['QUEUE_EXPIRED', 1]]);
  expect(runtime.lib.storedQueues({ platform: runtime.wx })).toEqual([]);
});

it('bad persist.maxAge is INVALID_OPTION naming it', async () => {
  const runtime = launches.start();
  for (const maxAge of [-1, 1.5, 'soon', 11 * 365 * DAY]) {
    await expect(runtime.client(options({ persist: { maxAge: maxAge as number } })).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'persist.maxAge' });
  }
});
