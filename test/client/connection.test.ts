/**
 * createClient against real brokers (aedes child process, Debian mosquitto) over real WebSockets,
 * through the Node wx: connection, shared sockets, reconnect, offline queue, app life, errors.
 */
import * as net from 'net';
import { MqttClient, MqttError } from '../../src/client/client';
import { getPool, setPlatformWx } from '../../src/platform/index';
import type { ClientOptions, ErrorEventDetail, MessageEventDetail, StatusEventDetail } from '../../src/types';
import { AedesBroker, Broker, startAedes, startMosquitto } from '../support/brokers';
import { bytesOf, clientFor, settle, sleep, until } from '../support/harness';
import { connectPeer, Peer } from '../support/peer';
import { NodeWx } from '../support/wx';

interface Log {
  messages: MessageEventDetail[];
  statuses: StatusEventDetail[];
  errors: ErrorEventDetail[];
}

function record(client: MqttClient): Log {
  const log: Log = { messages: [], statuses: [], errors: [] };
  client.on('message', (m) => log.messages.push(m));
  client.on('status', (s) => log.statuses.push(s));
  client.on('error', (e) => log.errors.push(e));
  return log;
}

const bytes = (buffer: ArrayBuffer): number[] => Array.from(new Uint8Array(buffer));

/** Clients a test made: ended after it, whether it passed or not, so none keeps reconnecting. */
let made: MqttClient[] = [];
function track(client: MqttClient): MqttClient {
  made.push(client);
  return client;
}
afterEach(async () => {
  await Promise.all(made.map((c) => c.end().catch(() => undefined)));
  made = [];
});

describe.each(['aedes', 'mosquitto'] as const)('client on %s', (name) => {
  let broker: Broker;
  let peer: Peer;
  let wx: NodeWx;
  const client = (overrides: Partial<ClientOptions> = {}): MqttClient => track(clientFor(broker, overrides));
  /** Clients at the broker besides the test's TCP peer. */
  const libraryClients = async (): Promise<number> => (await broker.clientCount()) - 1;

  beforeAll(async () => {
    broker = name === 'aedes' ? await startAedes() : await startMosquitto();
    peer = await connectPeer(broker.tcpPort);
  });
  afterAll(async () => {
    await peer.end();
    await broker.stop();
  });
  beforeEach(() => {
    wx = new NodeWx();
    setPlatformWx(wx);
  });
  afterEach(() => wx.dispose());

  it('round-trips QoS 0, 1 and 2 both ways, byte-exact; after end() the broker has no client of ours', async () => {
    const c = client();
    const log = record(c);
    const connected = await c.connect();
    expect(connected).toEqual({ clientId: c.clientId, url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, sessionPresent: false });
    expect(wx.requests[0]).toEqual({ url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, protocols: ['mqtt'] });
    expect(await c.subscribe('rt/+/in', { qos: 2 })).toEqual({ topic: 'rt/+/in', qos: 2, granted: 2 });
    expect(c.subscriptions).toEqual([{ topic: 'rt/+/in', qos: 2 }]);
    for (const qos of [0, 1, 2] as const) await peer.publish(`rt/q${qos}/in`, Buffer.from([qos, 0xff, 0x00, 0x80]), { qos });
    await until(() => log.messages.length === 3, 'three messages');
    expect(log.messages.map((m) => [m.topic, bytes(m.bytes), m.qos])).toEqual([
      ['rt/q0/in', [0, 0xff, 0, 0x80], 0],
      ['rt/q1/in', [1, 0xff, 0, 0x80], 1],
      ['rt/q2/in', [2, 0xff, 0, 0x80], 2],
    ]);
    // An exact copy of the payload (byteLength 4), not a view into a frame. toString, not instanceof: under jsdom
    // a buffer that came from Node's ws belongs to Node's realm, not the test's.
    expect(log.messages.map((m) => [Object.prototype.toString.call(m.bytes), m.bytes.byteLength, m.payload.length, m.direction])).toEqual(
      [0, 1, 2].map(() => ['[object ArrayBuffer]', 4, 4, 'in']),
    );
    await peer.subscribe('rt/out/#', 2);
    const before = peer.received.length;
    for (const qos of [0, 1, 2] as const) {
      const sent = await c.publish(`rt/out/${qos}`, bytesOf(`héllo ${qos}`), { qos });
      expect(sent).toMatchObject({ topic: `rt/out/${qos}`, payload: `héllo ${qos}`, qos, retain: false, direction: 'out' });
      expect(bytes(sent.bytes!)).toEqual(Array.from(Buffer.from(`héllo ${qos}`)));
    }
    await peer.waitFor(before + 3);
    expect(peer.received.slice(before).map((m) => [m.topic, Array.from(m.payload)])).toEqual(
      [0, 1, 2].map((qos) => [`rt/out/${qos}`, Array.from(Buffer.from(`héllo ${qos}`))]),
    );
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    await until(async () => (await libraryClients()) === 1, 'the broker to see our client');
    await c.end();
    expect(c.status).toBe('closed');
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'closed']);
    expect(getPool()!.size).toBe(0);
    await until(() => wx.sockets.size === 0, 'the socket to close');
    await until(async () => (await libraryClients()) === 0, 'the broker to report no client of ours');
    expect(log.errors).toEqual([]);
  });

  it('shares one socket between two clients with the same key; each hears only its own filters', async () => {
    const a = client({ clientId: `shared_${name}` });
    const b = client({ clientId: `shared_${name}` });
    const logA = record(a);
    const logB = record(b);
    await Promise.all([a.connect(), b.connect()]);
    await a.subscribe('share/a/#', { qos: 1 });
    await b.subscribe('share/b/#', { qos: 1 });
    await a.subscribe('share/both', { qos: 0 });
    await b.subscribe('share/both', { qos: 1 });
    expect(wx.sockets.size).toBe(1);
    expect(wx.requests).toHaveLength(1);
    expect(getPool()!.size).toBe(1);
    await until(async () => (await broker.clientCount()) === 2, 'the broker to see one client besides the peer');
    for (const t of ['share/a/1', 'share/b/1', 'share/both', 'share/none']) await peer.publish(t, t, { qos: 1 });
    await until(() => logA.messages.length === 2 && logB.messages.length === 2, 'both clients');
    expect(logA.messages.map((m) => m.topic)).toEqual(['share/a/1', 'share/both']);
    expect(logB.messages.map((m) => m.topic)).toEqual(['share/b/1', 'share/both']);

    await a.unsubscribe('share/both');
    await peer.publish('share/both', 'still for b', { qos: 1 });
    await until(() => logB.messages.length === 3, 'b to keep share/both');
    expect(logA.messages).toHaveLength(2);

    await a.end();
    expect(wx.sockets.size).toBe(1);
    expect(b.status).toBe('connected');
    await peer.publish('share/b/2', 'x', { qos: 1 });
    await until(() => logB.messages.length === 4, 'b after a left');
    expect(logA.messages).toHaveLength(2);
    await b.end();
    await until(() => wx.sockets.size === 0, 'the socket to close');
    expect(getPool()!.size).toBe(0);
    await until(async () => (await broker.clientCount()) === 1, 'the broker to see only the peer');
  });

  it('reconnects and resubscribes by itself when the broker drops the connection', async () => {
    const c = client({ clientId: `drop_${name}`, reconnectPeriod: 300 });
    const log = record(c);
    await c.connect();
    await c.subscribe('drop/#', { qos: 1 });
    await peer.subscribe('drop/queued', 1);
    const before = peer.received.length;
    [...wx.sockets][0].interrupt('broker went away');
    await until(() => log.statuses.some((s) => s.status === 'reconnecting'), 'reconnecting');
    const queued = [1, 2, 3].map((i) => c.publish('drop/queued', bytesOf(`q${i}`), { qos: 1 }));
    await until(() => c.status === 'connected', 'connected again');
    await Promise.all(queued);
    await peer.publish('drop/after', 'after', { qos: 1 });
    await until(() => log.messages.some((m) => m.topic === 'drop/after'), 'a message after the reconnect');
    await peer.waitFor(before + 3);
    expect(peer.received.slice(before).map((m) => m.payload.toString())).toEqual(['q1', 'q2', 'q3']);
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(log.errors).toEqual([]);
    await c.end();
  });

  it('closes on app hide and reconnects with its subscriptions on show', async () => {
    const c = client({ reconnectPeriod: 5000 });
    const log = record(c);
    await c.connect();
    await c.subscribe('life/#', { qos: 1 });
    wx.hideApp();
    expect(c.status).toBe('offline');
    await until(() => wx.sockets.size === 0, 'the socket to close on hide');
    expect(log.statuses[log.statuses.length - 1]).toEqual({ status: 'offline', previous: 'connected', reason: 'background' });
    const shownAt = Date.now();
    wx.showApp();
    await until(() => c.status === 'connected', 'connected after show', 1000);
    expect(Date.now() - shownAt).toBeLessThan(1000);
    await peer.publish('life/back', 'back', { qos: 1 });
    await until(() => log.messages.length === 1, 'a message after show');

    wx.setNetwork(false);
    expect(c.status).toBe('offline');
    wx.setNetwork(true);
    await until(() => c.status === 'connected', 'connected after the network is back', 1000);
    await c.end();
  });

  // Regression: the old socket's mqtt.js stream ends once its pending write completes, and its
  // _flush closes mqtt.js's module-level socketTask, which by then is the new socket. The adapter
  // now obeys mqtt.js's close only while the connection itself is being ended.
  it('reconnects at once when the network drops and returns while a publish is being written', async () => {
    const c = client({ reconnectPeriod: 5000 });
    const log = record(c);
    await c.connect();
    const sent = c.publish('race/x', 'y', { qos: 0 }).catch(() => undefined);
    wx.setNetwork(false);
    wx.setNetwork(true);
    await until(() => c.status === 'connected', 'connected after the network is back', 1000);
    expect(log.errors).toEqual([]);
    expect(wx.requests).toHaveLength(2);
    await sent;
  });

  it('queues QoS 1/2 while reconnecting, refuses QoS 0 with NOT_CONNECTED, and errors when the queue is full', async () => {
    setPlatformWx(wx, { limits: { offlineQueueLimit: 2 } });
    const c = client({ reconnectPeriod: 400, locale: 'en' });
    await c.connect();
    [...wx.sockets][0].interrupt('gone');
    await until(() => c.status === 'reconnecting', 'reconnecting');
    const q0 = await settle(c.publish('queue/x', bytesOf('0'), { qos: 0 }));
    const first = c.publish('queue/x', bytesOf('1'), { qos: 1 });
    const second = c.publish('queue/x', bytesOf('2'), { qos: 2 });
    const third = await settle(c.publish('queue/x', bytesOf('3'), { qos: 1 }));
    expect(q0).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
    expect(third).toMatchObject({ ok: false, error: { code: 'OFFLINE_QUEUE_FULL', message: 'Offline queue is full (limit 2): messages waiting to be sent' } });
    expect(!third.ok && third.error).toBeInstanceOf(MqttError);
    await Promise.all([first, second]);
    await c.end();
  });
});

describe('client, errors and limits', () => {
  let aedes: AedesBroker;
  beforeAll(async () => {
    aedes = await startAedes({ auth: 'alice:s3cret', deny: 'forbidden' });
  });
  afterAll(() => aedes.stop());

  const connectWith = async (wx: NodeWx, overrides: Partial<ClientOptions> = {}) => {
    setPlatformWx(wx);
    const c = track(clientFor(aedes, { username: 'alice', password: 's3cret', reconnectPeriod: 0, locale: 'en', ...overrides }));
    const errors: ErrorEventDetail[] = [];
    c.on('error', (e) => errors.push(e));
    return { c, errors, result: await settle(c.connect()) };
  };

  it('maps a refused CONNACK to NOT_AUTHORIZED and stops retrying', async () => {
    const wx = new NodeWx();
    const { c, errors, result } = await connectWith(wx, { password: 'wrong', reconnectPeriod: 100 });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED', returnCode: 4, message: 'Not authorized (4)' } });
    expect(!result.ok && result.error).toBeInstanceOf(MqttError);
    expect(errors).toEqual([{ code: 'NOT_AUTHORIZED', returnCode: 4, message: 'Not authorized (4)', fix: expect.any(String) }]);
    await sleep(300);
    expect(wx.requests).toHaveLength(1);
    expect(c.status).toBe('offline');
    await c.end();
    wx.dispose();
  });

  it('rejects a subscription the broker refuses with SUBSCRIBE_REJECTED, and the connection stays usable', async () => {
    const wx = new NodeWx();
    const { c, result } = await connectWith(wx);
    expect(result.ok).toBe(true);
    expect(await settle(c.subscribe('forbidden/x', { qos: 1 }))).toMatchObject({ ok: false, error: { code: 'SUBSCRIBE_REJECTED', topic: 'forbidden/x', returnCode: 128 } });
    expect(c.subscriptions).toEqual([]);
    expect(await c.subscribe('allowed/x', { qos: 1 })).toEqual({ topic: 'allowed/x', qos: 1, granted: 1 });
    expect(c.subscriptions).toEqual([{ topic: 'allowed/x', qos: 1 }]);
    await c.end();
    wx.dispose();
  });

  it.each([
    ['DOMAIN_NOT_ALLOWED', () => new NodeWx({ domains: ['broker.example.com'] })],
    ['SUSPENDED', () => Object.assign(new NodeWx(), { suspended: true })],
  ])('maps WeChat errMsg to %s', async (code, makeWx) => {
    const wx = makeWx();
    const { c, errors, result } = await connectWith(wx);
    expect(result).toMatchObject({ ok: false, error: { code } });
    expect(errors.map((e) => e.code)).toEqual([code]);
    expect(c.status).toBe('offline');
    await c.end();
    wx.dispose();
  });

  it('maps a TLS failure to TLS_ERROR and a refused port to SOCKET_ERROR (retrying)', async () => {
    const wx = new NodeWx();
    const tls = await connectWith(wx, { secure: true });
    expect(tls.result).toMatchObject({ ok: false, error: { code: 'TLS_ERROR' } });
    await tls.c.end();
    const closed = track(clientFor({ host: '127.0.0.1', wsPort: 1, path: '/mqtt' }, { reconnectPeriod: 50 }));
    const statuses: string[] = [];
    closed.on('status', (s) => statuses.push(s.status));
    expect(await settle(closed.connect())).toMatchObject({ ok: false, error: { code: 'SOCKET_ERROR' } });
    await until(() => wx.requests.length >= 3, 'retries');
    expect(statuses.slice(0, 2)).toEqual(['connecting', 'reconnecting']);
    await closed.end();
    expect(closed.status).toBe('closed');
    wx.dispose();
  });

  it('times out a server that never answers with CONNECT_TIMEOUT', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const wx = new NodeWx();
    setPlatformWx(wx);
    const c = track(clientFor({ host: '127.0.0.1', wsPort: port, path: '/mqtt' }, { connectTimeout: 300, reconnectPeriod: 0, locale: 'en' }));
    expect(await settle(c.connect())).toMatchObject({ ok: false, error: { code: 'CONNECT_TIMEOUT', message: 'Connection timed out (300 ms)' } });
    expect(c.status).toBe('offline');
    await c.end();
    wx.dispose();
    silent.close();
  });

  it('refuses a sixth socket with SOCKET_LIMIT before asking WeChat', async () => {
    const wx = new NodeWx();
    setPlatformWx(wx);
    const clients = Array.from({ length: 6 }, () => track(clientFor(aedes, { username: 'alice', password: 's3cret', reconnectPeriod: 0 })));
    expect(new Set(clients.map((c) => c.clientId)).size).toBe(6);
    const results = await Promise.all(clients.map((c) => settle(c.connect())));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(['SOCKET_LIMIT']);
    expect(wx.requests).toHaveLength(5);
    await Promise.all(clients.map((c) => c.end()));
    await until(() => wx.sockets.size === 0, 'every socket to close');
    expect(getPool()!.size).toBe(0);
    wx.dispose();
  });
});
