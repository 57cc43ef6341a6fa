/**
 * src/platform against real brokers (aedes child process, Debian mosquitto) over real WebSockets,
 * through the Node wx: connection, shared leases, reconnect, offline queue, app life.
 */
import * as net from 'net';
import type { StatusChange } from '../../src/core/state';
import type { InboundMessage } from '../../src/platform/connection';
import { Lease, Registry } from '../../src/platform/registry';
import { AedesBroker, Broker, startAedes, startMosquitto } from '../support/brokers';
import { bytesOf, configFor, settle, sleep, until } from '../support/harness';
import { connectPeer, Peer } from '../support/peer';
import { NodeWx } from '../support/wx';

function record(lease: Lease): { messages: InboundMessage[]; statuses: StatusChange[]; errors: { code: string }[] } {
  const log = { messages: [] as InboundMessage[], statuses: [] as StatusChange[], errors: [] as { code: string }[] };
  lease.on('message', (m) => log.messages.push(m));
  lease.on('status', (s) => log.statuses.push(s));
  lease.on('error', (e) => log.errors.push(e));
  return log;
}

describe.each(['aedes', 'mosquitto'] as const)('platform on %s', (name) => {
  let broker: Broker;
  let peer: Peer;
  let wx: NodeWx;
  let registry: Registry;

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
    registry = new Registry(wx);
  });
  afterEach(() => wx.dispose());

  it('round-trips QoS 0, 1 and 2 both ways, byte-exact', async () => {
    const lease = registry.acquire(configFor(broker));
    const log = record(lease);
    await lease.connect();
    expect(wx.requests[0]).toEqual({ url: `ws://127.0.0.1:${broker.wsPort}/mqtt`, protocols: ['mqtt'] });
    expect(await lease.subscribe('rt/+/in', 2)).toBe(2);
    for (const qos of [0, 1, 2] as const) await peer.publish(`rt/q${qos}/in`, Buffer.from([qos, 0xff, 0x00, 0x80]), { qos });
    await until(() => log.messages.length === 3, 'three messages');
    expect(log.messages.map((m) => [m.topic, Array.from(m.bytes), m.qos])).toEqual([
      ['rt/q0/in', [0, 0xff, 0, 0x80], 0],
      ['rt/q1/in', [1, 0xff, 0, 0x80], 1],
      ['rt/q2/in', [2, 0xff, 0, 0x80], 2],
    ]);
    await peer.subscribe('rt/out/#', 2);
    const before = peer.received.length;
    for (const qos of [0, 1, 2] as const) await lease.publish(`rt/out/${qos}`, bytesOf(`héllo ${qos}`), qos, false);
    await peer.waitFor(before + 3);
    expect(peer.received.slice(before).map((m) => [m.topic, m.payload.toString()])).toEqual([
      ['rt/out/0', 'héllo 0'],
      ['rt/out/1', 'héllo 1'],
      ['rt/out/2', 'héllo 2'],
    ]);
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    await lease.release();
    expect(registry.size).toBe(0);
    await until(() => wx.sockets.size === 0, 'the socket to close');
  });

  it('shares one socket between two leases with the same key; each hears only its own filters', async () => {
    const config = configFor(broker, { clientId: `shared_${name}` });
    const a = registry.acquire(config);
    const b = registry.acquire({ ...config });
    const logA = record(a);
    const logB = record(b);
    await Promise.all([a.connect(), b.connect()]);
    await a.subscribe('share/a/#', 1);
    await b.subscribe('share/b/#', 1);
    await a.subscribe('share/both', 0);
    await b.subscribe('share/both', 1);
    expect(wx.sockets.size).toBe(1);
    expect(wx.requests).toHaveLength(1);
    await until(async () => (await broker.clientCount()) === 2, 'the broker to see one client besides the peer');
    for (const t of ['share/a/1', 'share/b/1', 'share/both', 'share/none']) await peer.publish(t, t, { qos: 1 });
    await until(() => logA.messages.length === 2 && logB.messages.length === 2, 'both leases');
    expect(logA.messages.map((m) => m.topic)).toEqual(['share/a/1', 'share/both']);
    expect(logB.messages.map((m) => m.topic)).toEqual(['share/b/1', 'share/both']);

    await a.unsubscribe('share/both');
    await peer.publish('share/both', 'still for b', { qos: 1 });
    await until(() => logB.messages.length === 3, 'b to keep share/both');
    expect(logA.messages).toHaveLength(2);

    await a.release();
    expect(wx.sockets.size).toBe(1);
    await peer.publish('share/b/2', 'x', { qos: 1 });
    await until(() => logB.messages.length === 4, 'b after a left');
    await b.release();
    await until(() => wx.sockets.size === 0, 'the socket to close');
    await until(async () => (await broker.clientCount()) === 1, 'the broker to see only the peer');
  });

  it('reconnects and resubscribes by itself when the broker drops the connection', async () => {
    const lease = registry.acquire(configFor(broker, { clientId: `drop_${name}`, reconnectPeriod: 300 }));
    const log = record(lease);
    await lease.connect();
    await lease.subscribe('drop/#', 1);
    await peer.subscribe('drop/queued', 1);
    const before = peer.received.length;
    [...wx.sockets][0].interrupt('broker went away');
    await until(() => log.statuses.some((s) => s.status === 'reconnecting'), 'reconnecting');
    const queued = [1, 2, 3].map((i) => lease.publish('drop/queued', bytesOf(`q${i}`), 1, false));
    await until(() => lease.status === 'connected', 'connected again');
    await Promise.all(queued);
    await peer.publish('drop/after', 'after', { qos: 1 });
    await until(() => log.messages.some((m) => m.topic === 'drop/after'), 'a message after the reconnect');
    await peer.waitFor(before + 3);
    expect(peer.received.slice(before).map((m) => m.payload.toString())).toEqual(['q1', 'q2', 'q3']);
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(log.errors).toEqual([]);
    await lease.release();
  });

  it('closes on app hide and reconnects with its subscriptions on show', async () => {
    const lease = registry.acquire(configFor(broker, { reconnectPeriod: 5000 }));
    const log = record(lease);
    await lease.connect();
    await lease.subscribe('life/#', 1);
    wx.hideApp();
    expect(lease.status).toBe('offline');
    await until(() => wx.sockets.size === 0, 'the socket to close on hide');
    expect(log.statuses[log.statuses.length - 1]).toEqual({ status: 'offline', previous: 'connected', reason: 'background' });
    const shownAt = Date.now();
    wx.showApp();
    await until(() => lease.status === 'connected', 'connected after show', 1000);
    expect(Date.now() - shownAt).toBeLessThan(1000);
    await peer.publish('life/back', 'back', { qos: 1 });
    await until(() => log.messages.length === 1, 'a message after show');

    wx.setNetwork(false);
    expect(lease.status).toBe('offline');
    wx.setNetwork(true);
    await until(() => lease.status === 'connected', 'connected after the network is back', 1000);
    await lease.release();
  });

  it('queues QoS 1/2 while reconnecting, refuses QoS 0 with NOT_CONNECTED, and errors when the queue is full', async () => {
    const small = new Registry(wx, { limits: { offlineQueueLimit: 2 } });
    const lease = small.acquire(configFor(broker, { reconnectPeriod: 400 }));
    await lease.connect();
    [...wx.sockets][0].interrupt('gone');
    await until(() => lease.status === 'reconnecting', 'reconnecting');
    const q0 = await settle(lease.publish('queue/x', bytesOf('0'), 0, false));
    const first = lease.publish('queue/x', bytesOf('1'), 1, false);
    const second = lease.publish('queue/x', bytesOf('2'), 2, false);
    const third = await settle(lease.publish('queue/x', bytesOf('3'), 1, false));
    expect(q0).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
    expect(third).toMatchObject({ ok: false, error: { code: 'OFFLINE_QUEUE_FULL', limit: 2 } });
    await Promise.all([first, second]);
    await lease.release();
  });
});

describe('platform, errors and limits', () => {
  let aedes: AedesBroker;
  beforeAll(async () => {
    aedes = await startAedes({ auth: 'alice:s3cret', deny: 'forbidden' });
  });
  afterAll(() => aedes.stop());

  const connectWith = async (wx: NodeWx, overrides = {}) => {
    const lease = new Registry(wx).acquire(configFor(aedes, { username: 'alice', password: 's3cret', reconnectPeriod: 0, ...overrides }));
    const errors: { code: string }[] = [];
    lease.on('error', (e) => errors.push(e));
    return { lease, errors, result: await settle(lease.connect()) };
  };

  it('maps a refused CONNACK to NOT_AUTHORIZED and stops retrying', async () => {
    const wx = new NodeWx();
    const { lease, errors, result } = await connectWith(wx, { password: 'wrong', reconnectPeriod: 100 });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORIZED', returnCode: 4 } });
    expect(errors).toEqual([{ code: 'NOT_AUTHORIZED', returnCode: 4 }]);
    await sleep(300);
    expect(wx.requests).toHaveLength(1);
    expect(lease.status).toBe('offline');
    await lease.release();
  });

  it('rejects a subscription the broker refuses with SUBSCRIBE_REJECTED, and the connection stays usable', async () => {
    const wx = new NodeWx();
    const { lease, result } = await connectWith(wx);
    expect(result.ok).toBe(true);
    expect(await settle(lease.subscribe('forbidden/x', 1))).toMatchObject({ ok: false, error: { code: 'SUBSCRIBE_REJECTED', topic: 'forbidden/x', returnCode: 128 } });
    expect(await lease.subscribe('allowed/x', 1)).toBe(1);
    await lease.release();
    wx.dispose();
  });

  it.each([
    ['DOMAIN_NOT_ALLOWED', () => new NodeWx({ domains: ['broker.example.com'] })],
    ['SUSPENDED', () => Object.assign(new NodeWx(), { suspended: true })],
  ])('maps WeChat errMsg to %s', async (code, makeWx) => {
    const wx = makeWx();
    const { lease, errors, result } = await connectWith(wx);
    expect(result).toMatchObject({ ok: false, error: { code } });
    expect(errors.map((e) => e.code)).toEqual([code]);
    expect(lease.status).toBe('offline');
    await lease.release();
  });

  it('maps a TLS failure to TLS_ERROR and a refused port to SOCKET_ERROR (retrying)', async () => {
    const wx = new NodeWx();
    const tls = await connectWith(wx, { secure: true });
    expect(tls.result).toMatchObject({ ok: false, error: { code: 'TLS_ERROR' } });
    await tls.lease.release();
    const closed = new Registry(wx).acquire(configFor({ host: '127.0.0.1', wsPort: 1, path: '/mqtt' }, { reconnectPeriod: 50 }));
    const statuses: string[] = [];
    closed.on('status', (s) => statuses.push(s.status));
    expect(await settle(closed.connect())).toMatchObject({ ok: false, error: { code: 'SOCKET_ERROR' } });
    await until(() => wx.requests.length >= 3, 'retries');
    expect(statuses.slice(0, 2)).toEqual(['connecting', 'reconnecting']);
    await closed.release();
    expect(closed.status).toBe('closed');
  });

  it('times out a server that never answers with CONNECT_TIMEOUT', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const wx = new NodeWx();
    const lease = new Registry(wx).acquire(configFor({ host: '127.0.0.1', wsPort: port, path: '/mqtt' }, { connectTimeout: 300, reconnectPeriod: 0 }));
    expect(await settle(lease.connect())).toMatchObject({ ok: false, error: { code: 'CONNECT_TIMEOUT', limit: 300 } });
    expect(lease.status).toBe('offline');
    await lease.release();
    wx.dispose();
    silent.close();
  });

  it('refuses a sixth socket with SOCKET_LIMIT before asking WeChat', async () => {
    const wx = new NodeWx();
    const registry = new Registry(wx);
    const leases = Array.from({ length: 6 }, () => registry.acquire(configFor(aedes, { username: 'alice', password: 's3cret', reconnectPeriod: 0 })));
    const results = await Promise.all(leases.map((l) => settle(l.connect())));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(['SOCKET_LIMIT']);
    expect(wx.requests).toHaveLength(5);
    await Promise.all(leases.map((l) => l.release()));
    await until(() => wx.sockets.size === 0, 'every socket to close');
  });
});
