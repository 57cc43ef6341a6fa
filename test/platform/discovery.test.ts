/**
 * discoverBrokers(): mDNS through the Node double of wx.startLocalServiceDiscovery, then a TCP
 * connection to what it found (mosquitto's plain listener).
 */
import { createClient, discoverBrokers, MqttClient, setPlatformWx } from '../../src/index';
import { MosquittoBroker, startMosquitto } from '../support/brokers';
import { NodeWx, NodeWxOptions } from '../support/wx';

let broker: MosquittoBroker;
let wx: NodeWx;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(() => broker.stop());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  wx.dispose();
});

function platform(options: NodeWxOptions): NodeWx {
  wx = new NodeWx(options);
  setPlatformWx(wx);
  return wx;
}

const lan = (): NodeWxOptions => ({
  services: [
    { serviceType: '_mqtt._tcp.', serviceName: 'gateway', ip: '127.0.0.1', port: broker.tcpPort },
    { serviceType: '_mqtt._tcp.', serviceName: 'attic', ip: '192.168.1.30', port: 1883 },
    { serviceType: '_http._tcp.', serviceName: 'printer', ip: '192.168.1.40', port: 8080 },
  ],
});

describe('discoverBrokers()', () => {
  it('resolves with each MQTT service once when the timeout passes, stops the search and removes its listener; a found broker connects over TCP', async () => {
    platform(lan());
    const found = await discoverBrokers({ timeout: 300 });
    expect(found).toEqual([
      { name: 'gateway', host: '127.0.0.1', port: broker.tcpPort },
      { name: 'attic', host: '192.168.1.30', port: 1883 },
    ]);
    expect(wx.mdns).toEqual({ searching: false, listeners: new Set() });
    const c = createClient({ host: found[0].host, port: found[0].port, transport: 'tcp' });
    clients.push(c);
    await expect(c.connect()).resolves.toMatchObject({ url: `tcp://127.0.0.1:${broker.tcpPort}` });
  });

  it("a platform refusal is a coded error with its errMsg, and still stops and cleans up; no mDNS API is UNSUPPORTED_PLATFORM", async () => {
    platform(lan());
    wx.startLocalServiceDiscovery!({ serviceType: '_http._tcp.' });
    await expect(discoverBrokers({ timeout: 300 })).rejects.toMatchObject({ code: 'SOCKET_ERROR', message: expect.stringContaining('scan task already exist') });
    expect(wx.mdns).toEqual({ searching: false, listeners: new Set() });
    platform({});
    await expect(discoverBrokers()).rejects.toMatchObject({ code: 'UNSUPPORTED_PLATFORM', field: 'discoverBrokers' });
  });

  it('garbage options are coded errors, nothing thrown', async () => {
    platform(lan());
    const tries: [unknown, string][] = [
      [{ timeout: -1 }, 'timeout'],
      [{ timeout: 60000 }, 'timeout'],
      [{ timeout: '3000' }, 'timeout'],
      [{ serviceType: 'mqtt' }, 'serviceType'],
      [{ serviceType: 42 }, 'serviceType'],
      ['fast', 'options'],
    ];
    for (const [options, field] of tries) await expect(discoverBrokers(options as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', field });
    expect(wx.mdns.searching).toBe(false);
  });
});
