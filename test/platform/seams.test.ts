/**
 * The three seams of a connection, each on its own: the reconnect policy (pure), the session's
 * PacketStore (MQTT.js's Store shape, with and without storage hooks), and the transport — a
 * transport over plain TCP (Node's `net`) in place of the WebSocket, with nothing above the seam
 * knowing, against mosquitto's TCP listener.
 */
import * as net from 'net';
import { createClient } from '../../src/client/client';
import type { MessageEventDetail, StatusEventDetail } from '../../src/types';
import { setPlatformWx } from '../../src/platform/index';
import { resolveOptions } from '../../src/core/options';
import type { ConnectionConfig } from '../../src/core/options';
import { Connection } from '../../src/platform/connection';
import type { ConnectPlan } from '../../src/platform/reconnect-policy';
import { ReconnectPolicy } from '../../src/platform/reconnect-policy';
import { SocketCounter } from '../../src/platform/transport/websocket';
import { PacketStore, StoreHooks } from '../../src/platform/session/packet-store';
import type { Transport, TransportFactory } from '../../src/platform/transport/transport';
import type { VendorPacket } from '../../src/vendor/mqtt';
import { MosquittoBroker, startMosquitto } from '../support/brokers';
import { until } from '../support/harness';
import { NodeWx } from '../support/wx';

/** One mosquitto for the two seams that need a broker. */
let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});

describe('reconnect policy', () => {
  const limits = { reconnectCapMs: 30000, conflictStrikes: 3 };

  it('backs off ×2 per attempt from reconnectPeriod, capped, ±25 % jitter; a CONNACK, an app show or a new start resets it', () => {
    const policy = new ReconnectPolicy(1000, limits, () => 0.5);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => policy.nextDelay())).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    policy.connected();
    expect(policy.nextDelay()).toBe(1000);
    policy.resumed();
    expect(policy.nextDelay()).toBe(1000);
    policy.start();
    expect(policy.nextDelay()).toBe(1000);
    expect(new ReconnectPolicy(1000, limits, () => 0).nextDelay()).toBe(750);
    expect(new ReconnectPolicy(1000, limits, () => 0.999999).nextDelay()).toBe(1250);
  });

  it('reconnectPeriod 0: no delay, nothing is retryable', () => {
    const policy = new ReconnectPolicy(0, limits);
    expect(policy.nextDelay()).toBeUndefined();
    expect(policy.retryable({ code: 'SOCKET_ERROR' })).toBe(false);
  });

  it('retries socket errors, timeouts and busy servers; not refused credentials, bad options or a lost domain', () => {
    const policy = new ReconnectPolicy(1000, limits);
    expect(policy.retryable({ code: 'SOCKET_ERROR' })).toBe(true);
    expect(policy.retryable({ code: 'CONNECT_TIMEOUT' })).toBe(true);
    for (const returnCode of [3, 0x88, 0x89, 0x97]) expect(policy.retryable({ code: 'CONNECT_REFUSED', returnCode })).toBe(true);
    expect(policy.retryable({ code: 'CONNECT_REFUSED', returnCode: 1 })).toBe(false);
    expect(policy.retryable({ code: 'NOT_AUTHORIZED', returnCode: 5 })).toBe(false);
    expect(policy.retryable({ code: 'DOMAIN_NOT_ALLOWED' })).toBe(false);
    expect(policy.isFinal({ code: 'CLIENT_ID_CONFLICT' })).toBe(true);
    expect(policy.isFinal({ code: 'SERVER_MOVED' })).toBe(true);
    expect(policy.isFinal({ code: 'SERVER_DISCONNECT' })).toBe(false);
  });

  it('three short sessions in a row mean another client takes the clientId over; a long one clears the strikes', () => {
    const policy = new ReconnectPolicy(1000, { ...limits, conflictWindowMs: 5000 });
    policy.connected(0);
    expect(policy.sessionEnded(100)).toBe('retry');
    policy.connected(200);
    expect(policy.sessionEnded(300)).toBe('retry');
    policy.connected(400);
    expect(policy.sessionEnded(60000)).toBe('retry'); // a long session: strikes start over
    for (let i = 0; i < 2; i++) {
      policy.connected(70000 + i * 1000);
      expect(policy.sessionEnded(70100 + i * 1000)).toBe('retry');
    }
    policy.connected(80000);
    expect(policy.sessionEnded(80100)).toBe('conflict');
  });

  it('asks beforeConnect before each CONNECT with the reason and the attempt count; without it the configured values are used at once', async () => {
    expect(new ReconnectPolicy(1000, limits).plan('connect')).toBeUndefined();
    const asked: { reason: string; attempt: number }[] = [];
    const policy = new ReconnectPolicy(1000, limits, Math.random, async (context) => {
      asked.push(context);
      return { username: 'u', password: `token-${context.attempt}` };
    });
    await expect(policy.plan('connect')).resolves.toEqual({ username: 'u', password: 'token-1' });
    await expect(policy.plan('reconnect')).resolves.toEqual({ username: 'u', password: 'token-2' });
    expect(asked).toEqual([
      { reason: 'connect', attempt: 1 },
      { reason: 'reconnect', attempt: 2 },
    ]);
  });
});

describe('session store (MQTT.js Store shape)', () => {
  const publish = (messageId: number): VendorPacket => ({ cmd: 'publish', topic: 't', payload: 'x', qos: 2, messageId });
  const emptyStream = (): object => ({ empty: true });

  it('memory: put, get, del and their callbacks as MQTT.js\'s Store; restore and takeAll bypass hooks', () => {
    const store = new PacketStore(emptyStream);
    const put = jest.fn();
    store.put(publish(1), put);
    expect(put).toHaveBeenCalledTimes(1);
    const got: (VendorPacket | undefined)[] = [];
    store.get({ messageId: 1 }, (error, packet) => got.push(error ? undefined : packet));
    store.get({ messageId: 2 }, (error) => expect(error?.message).toBe('missing packet'));
    expect(got).toEqual([publish(1)]);
    const deleted = jest.fn();
    store.del({ messageId: 1 }, deleted);
    expect(deleted).toHaveBeenCalledWith(null, publish(1));
    store.del({ messageId: 1 }, (error) => expect(error?.message).toBe('missing packet'));
    store.restore(publish(3));
    store.restore(publish(4));
    expect(store.takeAll().map((p) => p.messageId)).toEqual([3, 4]);
    expect(store.all()).toEqual([]);
    expect(store.createStream()).toEqual({ empty: true });
  });

  it('persistent: put and get answer only once the hook has settled (mqtt.js sends what follows in the callback); del tells the hook', async () => {
    let release: () => void = () => undefined;
    const stored = new Promise<void>((resolve) => (release = resolve));
    const hooks: StoreHooks = { put: jest.fn(() => stored), get: jest.fn(() => stored), del: jest.fn() };
    const store = new PacketStore(emptyStream, hooks);
    const order: string[] = [];
    store.put(publish(7), () => order.push('put answered'));
    store.get({ messageId: 7 }, () => order.push('get answered'));
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await stored;
    await Promise.resolve();
    expect(order).toEqual(['put answered', 'get answered']);
    expect(hooks.get).toHaveBeenCalledWith(7, publish(7));
    store.del({ messageId: 7 });
    expect(hooks.del).toHaveBeenCalledWith(7);
    store.restore(publish(8));
    store.takeAll();
    expect(hooks.put).toHaveBeenCalledTimes(1);
  });
});

describe('transport seam: MQTT over plain TCP in place of the WebSocket', () => {
  let wx: NodeWx;
  const sockets = new Set<net.Socket>();

  /** A transport over Node's `net` to the broker's TCP listener: it ignores the WebSocket URL mqtt.js built. */
  const tcp: TransportFactory = (_url, events) => {
    const socket = net.connect(broker.tcpPort, '127.0.0.1');
    sockets.add(socket);
    const transport: Transport = {
      ended: false,
      send(frame, done) {
        socket.write(Buffer.from(frame), (error) => done(error ? { code: 'SOCKET_ERROR', errMsg: error.message } : undefined));
      },
      close(code, reason) {
        socket.destroy();
        end(code, reason);
      },
    };
    const end = (code: number, reason: string): void => {
      if (transport.ended) return;
      (transport as { ended: boolean }).ended = true;
      sockets.delete(socket);
      events.close({ code, reason });
    };
    socket.on('connect', () => events.open());
    socket.on('data', (chunk) => events.data(new Uint8Array(chunk)));
    socket.on('error', (error) => events.error({ code: 'SOCKET_ERROR', errMsg: error.message }));
    socket.on('close', () => end(1006, 'tcp closed'));
    return transport;
  };

  beforeEach(() => {
    wx = new NodeWx();
    setPlatformWx(wx, { transport: tcp });
  });
  afterEach(() => {
    sockets.forEach((s) => s.destroy());
    wx.dispose();
  });

  it('connects, subscribes and receives its own QoS 0/1/2 publishes byte-exact; no WebSocket is opened', async () => {
    const client = createClient({ host: '127.0.0.1', port: broker.wsPort, secure: false, clientId: `tcp_${process.pid}` });
    const messages: MessageEventDetail[] = [];
    client.on('message', (m) => messages.push(m));
    await client.connect();
    await client.subscribe('seam/tcp/#', { qos: 2 });
    const binary = Uint8Array.from([0, 255, 1, 254]);
    for (const qos of [0, 1, 2] as const) await client.publish(`seam/tcp/${qos}`, qos === 2 ? binary : `q${qos}`, { qos });
    await until(() => messages.length === 3, 'three messages over TCP');
    expect(messages.map((m) => m.topic).sort()).toEqual(['seam/tcp/0', 'seam/tcp/1', 'seam/tcp/2']);
    expect(new Uint8Array(messages.find((m) => m.topic === 'seam/tcp/2')!.bytes)).toEqual(binary);
    expect(wx.sockets.size).toBe(0);
    await client.end();
  });

  it('a TCP drop is a drop like any other: reconnect, resubscribe, and a QoS 1 publish made while down arrives', async () => {
    const client = createClient({ host: '127.0.0.1', port: broker.wsPort, secure: false, clientId: `tcp_drop_${process.pid}`, reconnectPeriod: 100 });
    const statuses: StatusEventDetail[] = [];
    const messages: MessageEventDetail[] = [];
    client.on('status', (s) => statuses.push(s));
    client.on('message', (m) => messages.push(m));
    await client.connect();
    await client.subscribe('seam/drop', { qos: 1 });
    sockets.forEach((s) => s.destroy());
    await until(() => client.status === 'reconnecting', 'reconnecting');
    const sent = client.publish('seam/drop', 'while down', { qos: 1 });
    await until(() => client.status === 'connected', 'connected again');
    await sent;
    await until(() => messages.length === 1, 'the message published while down');
    expect(messages[0].payload).toBe('while down');
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    await client.end();
  });
});

describe('the step before each CONNECT (beforeConnect), through a real connection', () => {
  let wx: NodeWx;
  const config = (extra: Record<string, unknown> = {}): ConnectionConfig => {
    const resolved = resolveOptions({ host: '127.0.0.1', port: broker.wsPort, secure: false, clientId: `plan_${process.pid}_${Math.random()}`, ...extra });
    if (!resolved.ok) throw new Error(resolved.error.code);
    return resolved.config;
  };

  beforeEach(() => {
    wx = new NodeWx();
  });
  afterEach(() => wx.dispose());

  it('a plan that settles after a pause and a new connect() is ignored: one socket, the newer attempt connects', async () => {
    const plans: ((plan: ConnectPlan) => void)[] = [];
    const connection = new Connection(config(), { wx, counter: new SocketCounter(), beforeConnect: () => new Promise<ConnectPlan>((resolve) => plans.push(resolve)) });
    const first = connection.connect();
    connection.pause('network');
    expect(connection.status).toBe('offline');
    const second = connection.connect();
    expect(plans).toHaveLength(2);
    plans[0]({});
    plans[1]({});
    await expect(second).resolves.toEqual({ sessionPresent: false });
    expect(wx.sockets.size).toBe(1);
    // the first caller waited through the pause and hears of the same connection
    await expect(first).resolves.toEqual({ sessionPresent: false });
    await connection.destroy();
  });

  it('a plan that never settles, throws or rejects fails the attempt with CREDENTIALS_FAILED and its text, no socket opened, and the next attempt asks again', async () => {
    let calls = 0;
    const connection = new Connection(config({ connectTimeout: 300, reconnectPeriod: 0 }), {
      wx,
      counter: new SocketCounter(),
      beforeConnect: () => {
        calls++;
        if (calls === 1) return new Promise<ConnectPlan>(() => undefined);
        if (calls === 2) throw new Error('token server down');
        if (calls === 3) return Promise.reject(new Error('refused by the token server'));
        return {};
      },
    });
    const errors: string[] = [];
    connection.on('error', (e) => errors.push(`${e.code}${e.reason ? `: ${e.reason}` : ''}`));
    await expect(connection.connect()).rejects.toMatchObject({ code: 'CREDENTIALS_FAILED', limit: 300 });
    expect(connection.status).toBe('offline');
    expect(wx.requests).toHaveLength(0);
    await expect(connection.connect()).rejects.toMatchObject({ code: 'CREDENTIALS_FAILED', reason: 'token server down' });
    await expect(connection.connect()).rejects.toMatchObject({ code: 'CREDENTIALS_FAILED', reason: 'refused by the token server' });
    expect(wx.requests).toHaveLength(0);
    await expect(connection.connect()).resolves.toEqual({ sessionPresent: false });
    expect(errors).toEqual(['CREDENTIALS_FAILED: no answer within 300 ms (connectTimeout)', 'CREDENTIALS_FAILED: token server down', 'CREDENTIALS_FAILED: refused by the token server']);
    expect(wx.sockets.size).toBe(1);
    await connection.destroy();
  });
});
