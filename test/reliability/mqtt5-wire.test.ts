/**
 * The wire defects of issue 17 as a user meets them, against Debian's mosquitto 2.0 configured per
 * case, with Debian's mosquitto_pub as the other party.
 */
import type { ConnectEventDetail, MessageEventDetail, MqttPanelMethods, StatusEventDetail } from '../../src/types';
import { setPlatformWx } from '../../src/platform/index';
import { MosquittoBroker, mosquittoPub, startMosquitto } from '../support/brokers';
import { settle, until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { listen, loadComponent, render, Rendered } from '../support/simulate';
import { NodeWx } from '../support/wx';

let panelId: string;
let wx: NodeWx;
beforeAll(() => {
  panelId = loadComponent('mqtt-panel');
});
beforeEach(() => {
  wx = new NodeWx();
  setPlatformWx(wx);
});
afterEach(() => wx.dispose());

const api = (panel: Rendered) => panel.instance as unknown as MqttPanelMethods;
const detach = (panel: Rendered) => (panel as unknown as { detach(): void }).detach();

function panelOn(broker: MosquittoBroker, properties: Record<string, unknown>): Rendered {
  return render(panelId, { headless: true, host: broker.host, port: broker.wsPort, secure: false, reconnectPeriod: 100, ...properties });
}

describe('mosquitto, default configuration', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker.stop());

  it('MQTT 5: QoS 1 and 2 publishes nobody listens to resolve (mosquitto acks them with a bare reason code 0x10)', async () => {
    const panel = panelOn(broker, { protocolVersion: 5, topic: 'echo/#', qos: 1 });
    const messages = listen<MessageEventDetail>(panel, 'message');
    await api(panel).connect();
    await api(panel).publish('nobody/listens', 'x', { qos: 1 });
    await api(panel).publish('nobody/listens', 'y', { qos: 2 });
    await until(() => api(panel).getState().subscriptions.length === 1, 'subscribed');
    await api(panel).publish('echo/1', 'still parsing', { qos: 1 });
    await until(() => messages.length === 1, 'the echo');
    expect(messages[0].payload).toBe('still parsing');
    detach(panel);
  });

  it('MQTT 3.1.1: 60 concurrent QoS 2 publishes all arrive (mosquitto drops those beyond 20 in flight, and acks them)', async () => {
    const peer = await connectPeer(broker.tcpPort);
    await peer.subscribe('window/#', 2);
    const panel = panelOn(broker, { protocolVersion: 4 });
    await api(panel).connect();
    const results = await Promise.all(Array.from({ length: 60 }, (_, n) => settle(api(panel).publish(`window/${n}`, String(n), { qos: 2 }))));
    expect(results.every((r) => r.ok)).toBe(true);
    await peer.waitFor(60);
    expect(new Set(peer.received.map((m) => m.payload.toString())).size).toBe(60);
    await peer.end();
    detach(panel);
  });

  it.each([4, 5])('clean: false at MQTT %s: leaving keeps the subscription; three messages sent while away arrive on return with sessionPresent', async (version) => {
    const clientId = `persist_v${version}`;
    const props = { protocolVersion: version, clean: false, clientId, topic: `away${version}/#`, qos: 1 };
    const first = panelOn(broker, props);
    await api(first).connect();
    await until(() => api(first).getState().subscriptions.length === 1, 'subscribed');
    detach(first);
    await until(() => wx.sockets.size === 0, 'the socket to close');
    for (const text of ['one', 'two', 'three']) mosquittoPub(broker, `away${version}/news`, text, ['-q', '1', ...(version === 5 ? ['-V', 'mqttv5'] : [])]);
    const again = panelOn(broker, props);
    const connects = listen<ConnectEventDetail>(again, 'connect');
    const messages = listen<MessageEventDetail>(again, 'message');
    await api(again).connect();
    await until(() => messages.length === 3, 'the three messages queued for the session');
    expect(connects[0].sessionPresent).toBe(true);
    expect(messages.map((m) => m.payload)).toEqual(['one', 'two', 'three']);
    // an explicit unsubscribe still leaves the broker
    await api(again).unsubscribe();
    detach(again);
    await until(() => wx.sockets.size === 0, 'the socket to close');
    mosquittoPub(broker, `away${version}/news`, 'not for you', ['-q', '1']);
    const third = panelOn(broker, { ...props, autoSubscribe: false });
    const late = listen<MessageEventDetail>(third, 'message');
    const thirdConnects = listen<ConnectEventDetail>(third, 'connect');
    await api(third).connect();
    await api(third).subscribe(`away${version}/#`, 1);
    expect(thirdConnects[0].sessionPresent).toBe(true);
    expect(late).toEqual([]);
    detach(third);
  });
});

describe('mosquitto with max_inflight_messages 2 (Receive Maximum 2)', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto({ config: ['max_inflight_messages 2'] });
  });
  afterAll(() => broker.stop());

  it('MQTT 5: four concurrent QoS 2 publishes all arrive, with no disconnect (0x93)', async () => {
    const peer = await connectPeer(broker.tcpPort);
    await peer.subscribe('rm/#', 2);
    const panel = panelOn(broker, { protocolVersion: 5 });
    const statuses = listen<StatusEventDetail>(panel, 'status');
    await api(panel).connect();
    const results = await Promise.all([1, 2, 3, 4].map((n) => settle(api(panel).publish(`rm/${n}`, String(n), { qos: 2 }))));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    await peer.waitFor(4);
    expect(peer.received.map((m) => m.payload.toString()).sort()).toEqual(['1', '2', '3', '4']);
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    await peer.end();
    detach(panel);
  });
});

describe('mosquitto with max_packet_size 256', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto({ config: ['max_packet_size 256'] });
  });
  afterAll(() => broker.stop());

  it('MQTT 5: a 400-byte publish is refused before sending, naming the limit; one queued before CONNACK is dropped, not looped', async () => {
    const panel = panelOn(broker, { protocolVersion: 5 });
    const statuses = listen<StatusEventDetail>(panel, 'status');
    const connecting = api(panel).connect();
    const queued = settle(api(panel).publish('big/early', 'x'.repeat(400), { qos: 1 }));
    await connecting;
    expect(await queued).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    const refused = await settle(api(panel).publish('big/now', 'x'.repeat(400), { qos: 1 }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('256') } });
    await api(panel).publish('small', 'fits', { qos: 1 });
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    detach(panel);
  });
});
