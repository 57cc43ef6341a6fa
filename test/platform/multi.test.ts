/** Two brokers from one process, and two apps fighting over one clientId. */
import { Registry } from '../../src/platform/registry';
import { Broker, startAedes, startMosquitto } from '../support/brokers';
import { bytesOf, configFor, sleep, text, until } from '../support/harness';
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
    const registry = new Registry(wx);
    const leases = [aedes, mosquitto].map((b) => registry.acquire(configFor(b)));
    const got: string[][] = [[], []];
    leases.forEach((l, i) => l.on('message', (m) => got[i].push(`${m.topic}=${text(m.bytes)}`)));
    await Promise.all(leases.map((l) => l.connect()));
    await Promise.all(leases.map((l) => l.subscribe('two/#', 1)));
    expect(wx.sockets.size).toBe(2);
    const peers = await Promise.all([aedes, mosquitto].map((b) => connectPeer(b.tcpPort)));
    await peers[0].publish('two/a', 'from aedes', { qos: 1 });
    await peers[1].publish('two/m', 'from mosquitto', { qos: 1 });
    await leases[0].publish('two/echo', bytesOf('via aedes'), 1, false);
    await until(() => got[0].length === 2 && got[1].length === 1, 'messages from both brokers');
    expect(got).toEqual([['two/a=from aedes', 'two/echo=via aedes'], ['two/m=from mosquitto']]);
    await Promise.all([...leases.map((l) => l.release()), ...peers.map((p) => p.end())]);
    await until(() => wx.sockets.size === 0, 'both sockets to close');
  });
});

describe.each(['aedes', 'mosquitto'] as const)('duplicate clientId on %s', (name) => {
  let broker: Broker;
  beforeAll(async () => {
    broker = name === 'aedes' ? await startAedes() : await startMosquitto();
  });
  afterAll(() => broker.stop());

  it('detects the kick loop, reports CLIENT_ID_CONFLICT with the fix, and stops reconnecting', async () => {
    const apps = [new NodeWx(), new NodeWx()];
    const leases = apps.map((wx) => new Registry(wx).acquire(configFor(broker, { clientId: `twin_${name}`, reconnectPeriod: 100 })));
    const conflicts: string[] = [];
    leases.forEach((l, i) => l.on('error', (e) => e.code === 'CLIENT_ID_CONFLICT' && conflicts.push(`app${i}`)));
    await leases[0].connect();
    await leases[1].connect();
    await until(() => conflicts.length > 0, 'a conflict to be detected', 15000);
    const requests = apps.map((wx) => wx.requests.length);
    await sleep(1500);
    expect(apps.map((wx) => wx.requests.length)).toEqual(requests);
    expect(requests.every((n) => n <= 8)).toBe(true);
    const stopped = leases.filter((l) => l.status === 'offline');
    expect(stopped.length).toBeGreaterThanOrEqual(1);
    await Promise.all(leases.map((l) => l.release()));
    apps.forEach((wx) => wx.dispose());
  });
});
