/**
 * `transport: 'container'`: MQTT over the SocketTask `wx.cloud.connectContainer` hands back (the
 * Node double maps a Cloud Hosting env/service to mosquitto's WebSocket listener).
 */
import { createClient, MqttClient, setPlatformWx } from '../../src/index';
import type { ClientOptions, ErrorEventDetail } from '../../src/types';
import { MosquittoBroker, startMosquitto } from '../support/brokers';
import { until } from '../support/harness';
import { NodeWx, NodeWxOptions } from '../support/wx';

let broker: MosquittoBroker;
let wx: NodeWx;
const clients: MqttClient[] = [];
const TARGET = { env: 'prod-1a2b3c', service: 'mqtt', path: '/mqtt' };

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(() => broker.stop());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  wx.dispose();
});

function platform(options: NodeWxOptions = { containers: { [`${TARGET.env}/${TARGET.service}`]: `ws://127.0.0.1:${broker.wsPort}` } }): NodeWx {
  wx = new NodeWx(options);
  setPlatformWx(wx);
  return wx;
}

function containerClient(extra: Partial<ClientOptions> = {}): MqttClient {
  const c = createClient({ transport: 'container', container: TARGET, reconnectPeriod: 100, locale: 'en', ...extra } as ClientOptions);
  clients.push(c);
  return c;
}

describe("transport: 'container'", () => {
  it('connects through wx.cloud.connectContainer (never wx.connectSocket), round trip at QoS 1, reconnects after a drop with a new call', async () => {
    platform();
    const c = containerClient({ clientId: `container_${process.pid}` });
    const got: string[] = [];
    c.on('message', (m) => got.push(m.payload));
    const detail = await c.connect();
    expect(detail.url).toBe('container://prod-1a2b3c/mqtt/mqtt');
    expect(c.url).toBe(detail.url);
    expect(wx.containerCalls).toEqual([TARGET]);
    await c.subscribe('box/#', { qos: 1 });
    await c.publish('box/a', 'one', { qos: 1 });
    await until(() => got.length === 1, 'the first message back');
    [...wx.sockets].forEach((s) => s.interrupt('dropped'));
    await until(() => c.status === 'connected' && wx.containerCalls.length === 2, 'reconnected through a second connectContainer');
    await c.publish('box/b', 'two', { qos: 1 });
    await until(() => got.length === 2, 'the second message back');
    expect(got).toEqual(['one', 'two']);
    expect(wx.requests).toHaveLength(0);
  });

  it("a refusal is a coded error carrying the platform's errMsg; without wx.cloud, UNSUPPORTED_PLATFORM at once", async () => {
    platform();
    const c = containerClient({ container: { env: TARGET.env, service: 'nope' }, reconnectPeriod: 0 });
    const errors: ErrorEventDetail[] = [];
    c.on('error', (e) => errors.push(e));
    await expect(c.connect()).rejects.toMatchObject({ code: 'SOCKET_ERROR', message: expect.stringContaining('connectContainer:fail service nope not found') });
    expect(errors.map((e) => e.code)).toEqual(['SOCKET_ERROR']);
    platform({});
    await expect(containerClient().connect()).rejects.toMatchObject({ code: 'UNSUPPORTED_PLATFORM', field: 'transport' });
    expect(wx.containerCalls).toHaveLength(0);
  });

  it('bad options are coded errors, nothing thrown', async () => {
    platform();
    const tries: [Record<string, unknown>, string][] = [
      [{ container: undefined }, 'container'],
      [{ container: 'prod/mqtt' }, 'container'],
      [{ container: { env: 'has space', service: 'mqtt' } }, 'container.env'],
      [{ container: { env: 'e', service: '' } }, 'container.service'],
      [{ container: { env: 'e', service: 's', path: 'mqtt' } }, 'container.path'],
      [{ transport: 'websocket', host: 'a.example.com' }, 'container'],
    ];
    for (const [options, field] of tries) await expect(containerClient(options as Partial<ClientOptions>).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field });
    expect(wx.containerCalls).toHaveLength(0);
  });
});
