/**
 * `persist` when storage misbehaves or holds something unexpected, and its hygiene: every case
 * gives a coded error or warning, never a throw or a hang, and the client keeps working (a round
 * trip through mosquitto ends each one). Also: the size limit, clean: true, message expiry, the
 * password, a generated clientId kept across launches, batched writes, and app hide.
 */
import { journalKey } from '../../src/core/journal';
import type { MqttClient } from '../../src/client/client';
import type { ClientOptions, ErrorEventDetail, PublishEventDetail, WarningEventDetail } from '../../src/types';
import { sleep, until } from '../support/harness';
import { goOffline, persistedBroker, Runtime } from '../support/relaunch';

const env = persistedBroker({ peerId: 'storage-peer', subscribe: 'st/#', idPrefix: 'st' });
const { launches, options } = env;

const start = (): Runtime => launches.start();
const relaunch = (runtime: Runtime): Runtime => launches.relaunch(runtime);

interface Log {
  errors: ErrorEventDetail[];
  warnings: WarningEventDetail[];
  published: PublishEventDetail[];
}

function record(client: MqttClient): Log {
  const log: Log = { errors: [], warnings: [], published: [] };
  client.on('error', (e) => log.errors.push(e));
  client.on('warning', (w) => log.warnings.push(w));
  client.on('publish', (p) => log.published.push(p));
  return log;
}

const topic = (name: string): string => `st/${process.pid}/${name}`;

/** The client still works: a QoS 1 publish reaches the peer. */
async function stillWorks(client: MqttClient, name: string): Promise<void> {
  const t = topic(`works/${name}`);
  await client.publish(t, 'still works', { qos: 1 });
  await until(() => env.peer.received.some((m) => m.topic === t), `${t} at the peer`);
}

const journalOf = (opts: { clientId: string; username?: string }): string => journalKey({ url: `ws://${env.broker.host}:${env.broker.wsPort}${env.broker.path}`, clientId: opts.clientId, username: opts.username ?? '' });

/** Every key and value in storage, as one string. */
const everything = (runtime: Runtime): string => [...runtime.storage.data].map(([k, v]) => `${k}=${v}`).join('\n');

it('storage full: STORAGE_FULL once, publishes go on in memory and arrive; storage is used again once it has room', async () => {
  const runtime = start();
  const client = runtime.client(options());
  const log = record(client);
  await client.connect();
  await goOffline(runtime, client);
  runtime.storage.limits = { perKey: 1024 * 1024, total: runtime.storage.used() + 500 };
  const sent = Array.from({ length: 5 }, (_, i) => client.publish(topic(`full/${i}`), 'x'.repeat(400), { qos: 1 }));
  await client.flush();
  expect(log.errors.map((e) => [e.code, /exceed/.test(e.message)])).toEqual([['STORAGE_FULL', true]]);
  expect(client.pending().map((p) => p.stored)).toEqual([false, false, false, false, false]);
  runtime.storage.limits = { perKey: 1024 * 1024, total: 10 * 1024 * 1024 };
  runtime.wx.setNetwork(true);
  await expect(Promise.all(sent)).resolves.toHaveLength(5);
  expect(log.errors).toHaveLength(1);
  await stillWorks(client, 'full');
});

it.each(['throw', 'fail'] as const)('storage that %ss on every call: STORAGE_ERROR, nothing hangs, QoS 2 still completes', async (broken) => {
  const runtime = start();
  runtime.storage.broken = broken;
  const client = runtime.client(options());
  const log = record(client);
  await client.connect();
  await expect(client.publish(topic(`broken/${broken}`), 'qos 2', { qos: 2 })).resolves.toMatchObject({ qos: 2 });
  await expect(client.flush()).resolves.toBeUndefined();
  expect(log.errors.length).toBeGreaterThanOrEqual(1);
  expect(log.errors.every((e) => e.code === 'STORAGE_ERROR' && e.message.includes('broken'))).toBe(true);
  await stillWorks(client, broken);
});

it('corrupted JSON under the connection key: STORAGE_CORRUPTED, the key is cleaned up, the client works', async () => {
  const runtime = start();
  const opts = options();
  runtime.storage.data.set(journalOf(opts), '{"v":1,"pages":[0');
  runtime.storage.data.set(`${journalOf(opts)}/0`, 'not json');
  const client = runtime.client(opts);
  const log = record(client);
  await client.connect();
  expect(log.warnings.map((w) => [w.code, w.count])).toEqual([['STORAGE_CORRUPTED', 1]]);
  await stillWorks(client, 'corrupted');
  await client.flush();
  expect(runtime.storage.data.has(journalOf(opts))).toBe(false);
  expect(runtime.storage.data.has(`${journalOf(opts)}/0`)).toBe(false);
});

it('one unreadable page among good ones: the good records are sent, the bad page is reported', async () => {
  let runtime = start();
  const opts = options();
  let client = runtime.client(opts);
  await client.connect();
  await goOffline(runtime, client);
  void client.publish(topic('page/good'), 'kept', { qos: 1 }).catch(() => undefined);
  await client.flush();
  const index = JSON.parse(runtime.storage.data.get(journalOf(opts))!) as { pages: number[] };
  index.pages.push(7);
  runtime.storage.data.set(journalOf(opts), JSON.stringify(index));
  runtime.storage.data.set(`${journalOf(opts)}/7`, '{"v":1,"r":[{"s":"x"}]}');
  runtime = relaunch(runtime);
  client = runtime.client(opts);
  const log = record(client);
  await client.connect();
  expect(log.warnings.map((w) => [w.code, w.count])).toEqual([
    ['STORAGE_CORRUPTED', 1],
    ['QUEUE_RESTORED', 1],
  ]);
  await until(() => env.peer.received.some((m) => m.topic === topic('page/good')), 'the good record at the peer');
});

it('a stored queue that belongs to another clientId: STORAGE_FOREIGN, none of it is sent, it is removed', async () => {
  let runtime = start();
  const other = options();
  let client = runtime.client(other);
  await client.connect();
  await goOffline(runtime, client);
  void client.publish(topic('foreign'), 'not yours', { qos: 1 }).catch(() => undefined);
  await client.flush();
  const mine = options();
  // the other client's data copied under this client's key
  for (const [key, value] of [...runtime.storage.data]) {
    if (key.startsWith(journalOf(other))) runtime.storage.data.set(key.replace(journalOf(other), journalOf(mine)), value);
    if (key.startsWith(journalOf(other))) runtime.storage.data.delete(key);
  }
  runtime = relaunch(runtime);
  client = runtime.client(mine);
  const log = record(client);
  await client.connect();
  expect(log.warnings.map((w) => [w.code, w.message.includes(other.clientId)])).toEqual([['STORAGE_FOREIGN', true]]);
  await stillWorks(client, 'foreign');
  expect(env.peer.received.some((m) => m.topic === topic('foreign'))).toBe(false);
  await client.flush();
  expect([...runtime.storage.data.keys()].filter((k) => k.startsWith(journalOf(mine)))).toEqual([]);
});

it('clean: true after a relaunch discards the stored queue with QUEUE_DISCARDED', async () => {
  let runtime = start();
  const opts = options();
  let client = runtime.client(opts);
  await client.connect();
  await goOffline(runtime, client);
  for (let i = 0; i < 3; i++) void client.publish(topic(`clean/${i}`), 'old', { qos: 1 }).catch(() => undefined);
  await client.flush();
  runtime = relaunch(runtime);
  client = runtime.client({ ...opts, clean: true });
  const log = record(client);
  await client.connect();
  expect(log.warnings.map((w) => [w.code, w.count])).toEqual([['QUEUE_DISCARDED', 3]]);
  // removed from storage at once, before anything else changes
  await client.flush();
  expect([...runtime.storage.data.keys()].filter((k) => k.startsWith(journalOf(opts)))).toEqual([]);
  await stillWorks(client, 'clean');
  expect(env.peer.received.filter((m) => m.topic.startsWith(topic('clean/')))).toEqual([]);
});

it('MQTT 5: a stored message past its messageExpiryInterval is dropped with QUEUE_EXPIRED; the others go', async () => {
  let runtime = start();
  const opts = options({ protocolVersion: 5 });
  let client = runtime.client(opts);
  await client.connect();
  await goOffline(runtime, client);
  void client.publish(topic('expiry/short'), 'gone', { qos: 1, properties: { messageExpiryInterval: 1 } }).catch(() => undefined);
  void client.publish(topic('expiry/long'), 'kept', { qos: 1, properties: { messageExpiryInterval: 3600 } }).catch(() => undefined);
  await client.flush();
  await sleep(1100);
  runtime = relaunch(runtime);
  client = runtime.client(opts);
  const log = record(client);
  await client.connect();
  expect(log.warnings.map((w) => [w.code, w.count])).toEqual([
    ['QUEUE_EXPIRED', 1],
    ['QUEUE_RESTORED', 1],
  ]);
  await until(() => log.published.length === 1, 'the kept message acknowledged');
  expect(log.published[0]).toMatchObject({ topic: topic('expiry/long'), restored: true });
  expect(env.peer.received.filter((m) => m.topic.startsWith(topic('expiry/'))).map((m) => m.topic)).toEqual([topic('expiry/long')]);
});

it('persist.maxBytes: past it publish() rejects OFFLINE_QUEUE_FULL naming the limit; what fits is kept', async () => {
  const runtime = start();
  const client = runtime.client(options({ persist: { maxBytes: 2048 } }));
  await client.connect();
  await goOffline(runtime, client);
  const results = await Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      client.publish(topic(`limit/${i}`), 'y'.repeat(600), { qos: 1 }).then(
        () => 'ok',
        (e: ErrorEventDetail) => `${e.code} ${e.limit}`,
      ),
    ).map((p, i) => (i < 2 ? Promise.race([p, sleep(200).then(() => 'queued')]) : p)),
  );
  expect(results).toEqual(['queued', 'queued', 'OFFLINE_QUEUE_FULL 2048', 'OFFLINE_QUEUE_FULL 2048']);
  expect(client.pending()).toHaveLength(2);
});

it('the password never reaches storage; a generated clientId is kept and its session found again', async () => {
  let runtime = start();
  const opts: ClientOptions = { ...options({ username: 'someone', password: 'canary-Pa55w0rd' }), clientId: undefined };
  let client = runtime.client(opts);
  const first = await client.connect();
  expect(first.clientId).toMatch(/^mp_/);
  await goOffline(runtime, client);
  void client.publish(topic('secret'), 'payload', { qos: 2 }).catch(() => undefined);
  await client.flush();
  expect(everything(runtime)).not.toContain('canary');
  expect(everything(runtime)).toContain(first.clientId);
  runtime = relaunch(runtime);
  client = runtime.client(opts);
  const again = await client.connect();
  expect(again).toMatchObject({ clientId: first.clientId, sessionPresent: true });
  await until(() => env.peer.received.some((m) => m.topic === topic('secret')), 'the stored publish at the peer');
  expect(everything(runtime)).not.toContain('canary');
});

it('writes are batched: 1,000 publishes in one tick cost a handful of storage calls, not 1,000', async () => {
  const runtime = start();
  const client = runtime.client(options());
  await client.connect();
  await goOffline(runtime, client);
  const before = runtime.storage.writes;
  for (let i = 0; i < 1000; i++) void client.publish(topic(`batch/${i}`), String(i), { qos: 1 }).catch(() => undefined);
  await client.flush();
  expect(client.pending().filter((p) => p.stored)).toHaveLength(1000);
  expect(runtime.storage.writes - before).toBeLessThanOrEqual(3);
});

it('app hide writes at once: publishes made just before the app is hidden and killed are sent after the relaunch', async () => {
  let runtime = start();
  const opts = options();
  let client = runtime.client(opts);
  await client.connect();
  await goOffline(runtime, client);
  for (let i = 0; i < 5; i++) void client.publish(topic(`hide/${i}`), String(i), { qos: 1 }).catch(() => undefined);
  runtime.wx.hideApp();
  // killed right away: no asynchronous write had a chance to finish
  runtime = relaunch(runtime);
  client = runtime.client(opts);
  const log = record(client);
  await client.connect();
  expect(log.warnings.map((w) => [w.code, w.count])).toEqual([['QUEUE_RESTORED', 5]]);
  await until(() => env.peer.received.filter((m) => m.topic.startsWith(topic('hide/'))).length === 5, 'all five at the peer');
});

it('without persist: pending() still lists the offline queue (stored: false) and flush() resolves; bad persist options are coded', async () => {
  const runtime = start();
  const client = runtime.client(options({ persist: false }));
  await client.connect();
  await goOffline(runtime, client);
  void client.publish(topic('memory'), 'm', { qos: 1 }).catch(() => undefined);
  expect(client.pending()).toEqual([{ topic: topic('memory'), qos: 1, size: expect.any(Number), since: expect.any(Number), state: 'queued', stored: false }]);
  await expect(client.flush()).resolves.toBeUndefined();
  expect(runtime.storage.data.size).toBe(0);
  await expect(runtime.client(options({ persist: 'yes' as unknown as boolean })).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'persist' });
  await expect(runtime.client(options({ persist: { maxBytes: 10 } })).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'persist.maxBytes' });
});

it('a message bigger than one storage item is kept in memory only (STORAGE_FULL naming it); the rest is still stored', async () => {
  const runtime = start();
  const client = runtime.client(options({ persist: { maxBytes: 4 * 1024 * 1024 } }));
  const log = record(client);
  await client.connect();
  await goOffline(runtime, client);
  const big = client.publish(topic('big'), 'z'.repeat(900 * 1024), { qos: 1 });
  void client.publish(topic('small'), 'fits', { qos: 1 }).catch(() => undefined);
  await client.flush();
  expect(log.errors.map((e) => [e.code, e.limit, e.topic, /more than one storage item/.test(e.message)])).toEqual([['STORAGE_FULL', 1024 * 1024, topic('big'), true]]);
  expect(client.pending().map((p) => [p.topic, p.stored])).toEqual([
    [topic('big'), false],
    [topic('small'), true],
  ]);
  runtime.wx.setNetwork(true);
  await expect(big).resolves.toMatchObject({ topic: topic('big') });
  expect(log.errors).toHaveLength(1);
});
