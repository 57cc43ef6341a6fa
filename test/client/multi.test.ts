/** Two brokers from one process, and two apps fighting over one clientId, through createClient. */
import type { MqttClient } from '../../src/client/client';
import type { ErrorEventDetail } from '../../src/types';
import { setPlatformWx } from '../../src/platform/index';
import { Broker, startAedes, startMosquitto } from '../support/brokers';
import { bytesOf, clientFor, sleep, text, until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { NodeWx } from '../support/wx';

describe('two brokers at the same time', () => {
  let aedes: Broker;
  let mosquitto: Broker;
  beforeAll(async () => {
    [aedes, mosquitto] = await Promise.all([startAedes(), startMosquitto()]);
  });
  afterAll(async () => {
    await Promise.all([aedes.stop(), mosquitto.stop()]);
  });

  it('keeps one socket per broker and routes each broker its own messages', async () => {
    const wx = new NodeWx();
    const pool = setPlatformWx(wx);
    const clients = [aedes, mosquitto].map((b) => clientFor(b));
    const got: string[][] = [[], []];
    clients.forEach((c, i) => c.on('message', (m) => got[i].push(`${m.topic}=${text(new Uint8Array(m.bytes))}`)));
    await Promise.all(clients.map((c) => c.connect()));
    await Promise.all(clients.map((c) => c.subscribe('two/#', { qos: 1 })));
    expect(wx.sockets.size).toBe(2);
    expect(pool.size).toBe(2);
    const peers = await Promise.all([aedes, mosquitto].map((b) => connectPeer(b.tcpPort)));
    await peers[0].publish('two/a', 'from aedes', { qos: 1 });
    await peers[1].publish('two/m', 'from mosquitto', { qos: 1 });
    await clients[0].publish('two/echo', bytesOf('via aedes'), { qos: 1 });
    await until(() => got[0].length === 2 && got[1].length === 1, 'messages from both brokers');
    expect(got).toEqual([['two/a=from aedes', 'two/echo=via aedes'], ['two/m=from mosquitto']]);
    await Promise.all([...clients.map((c) => c.end()), ...peers.map((p) => p.end())]);
    await until(() => wx.sockets.size === 0, 'both sockets to close');
    expect(pool.size).toBe(0);
    wx.dispose();
  });

  // Regression (fixed in 8314a4b): end() used to hand the connection to getPool(), the pool *now*;
  // after setPlatformWx() the old pool kept the ended connection for good. A Lease always went back
  // to its own Registry.
  it('a client ended after setPlatformWx() gives its connection back to the pool it came from', async () => {
    const first = new NodeWx();
    const pool = setPlatformWx(first);
    const c = clientFor(aedes);
    await c.connect();
    expect(pool.size).toBe(1);
    const second = new NodeWx();
    setPlatformWx(second);
    await c.end();
    expect(c.status).toBe('closed');
    await until(() => first.sockets.size === 0, 'the socket to close');
    expect(pool.size).toBe(0);
    first.dispose();
    second.dispose();
  });
});

describe.each(['aedes', 'mosquitto'] as const)('duplicate clientId on %s', (name) => {
  let broker: Broker;
  beforeAll(async () => {
    broker = name === 'aedes' ? await startAedes() : await startMosquitto();
  });
  afterAll(() => broker.stop());

  it('detects the kick loop, reports CLIENT_ID_CONFLICT with the fix, and stops reconnecting', async () => {
    // Two apps, each with its own wx and pool: a client takes the pool when it connects.
    const apps = [new NodeWx(), new NodeWx()];
    const clients: MqttClient[] = [];
    const conflicts: { app: number; detail: ErrorEventDetail }[] = [];
    for (const [i, wx] of apps.entries()) {
      setPlatformWx(wx);
      const c = clientFor(broker, { clientId: `twin_${name}`, reconnectPeriod: 100 });
      c.on('error', (e) => e.code === 'CLIENT_ID_CONFLICT' && conflicts.push({ app: i, detail: e }));
      clients.push(c);
      await c.connect();
    }
    await until(() => conflicts.length > 0, 'a conflict to be detected', 15000);
    const requests = apps.map((wx) => wx.requests.length);
    await sleep(1500);
    expect(apps.map((wx) => wx.requests.length)).toEqual(requests);
    expect(requests.every((n) => n <= 8)).toBe(true);
    conflicts.forEach(({ detail }) => expect(detail).toMatchObject({ code: 'CLIENT_ID_CONFLICT', field: 'clientId', message: expect.any(String), fix: expect.any(String) }));
    const stopped = clients.filter((c) => c.status === 'offline');
    expect(stopped.length).toBeGreaterThanOrEqual(1);
    await Promise.all(clients.map((c) => c.end()));
    apps.forEach((wx) => wx.dispose());
  });
});
