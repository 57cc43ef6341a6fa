/** <mqtt-panel> in miniprogram-simulate: snapshots, taps, properties, events, real brokers. */
import { spawn } from 'child_process';
import type { IPublishPacket } from 'mqtt';
import type { ConnectEventDetail, MessageEventDetail, MqttErrorDetail, PublishEventDetail, StatusEventDetail } from '../../src/types';
import { setPlatformWx } from '../../src/platform/index';
import { AedesBroker, Broker, MosquittoBroker, startAedes, startMosquitto } from '../support/brokers';
import { until } from '../support/harness';
import { connectPeer, Peer } from '../support/peer';
import { listen, loadComponent, loadHost, render, Rendered, sleep } from '../support/simulate';
import { NodeWx } from '../support/wx';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0, 0);

let panelId: string;
let wx: NodeWx;
let aedes: Broker;

beforeAll(async () => {
  panelId = loadComponent('mqtt-panel');
  aedes = await startAedes();
});
afterAll(() => aedes.stop());
beforeEach(() => {
  wx = new NodeWx();
  setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
});
afterEach(() => wx.dispose());

const local = (broker: Broker, extra: Record<string, unknown> = {}) => ({
  host: broker.host,
  port: broker.wsPort,
  secure: false,
  reconnectPeriod: 200,
  ...extra,
});
const texts = (comp: Rendered, selector: string): string[] => comp.querySelectorAll(selector).map((n) => n.dom?.textContent?.trim() ?? '');
const methods = (comp: Rendered) => comp.instance as unknown as import('../../src/types').MqttPanelMethods;
const listOf = (comp: Rendered) => comp.querySelector('#list')!.instance as unknown as import('../../src/types').MessageListMethods;

async function settled(comp: Rendered, status: string): Promise<void> {
  await until(() => methods(comp).getState().status === status, `status ${status}`);
}

describe('snapshots', () => {
  it.each(['zh-CN', 'en'])('idle (%s)', (locale) => {
    expect(render(panelId, { locale, host: 'broker.emqx.io', password: 's3cret' }).toJSON()).toMatchSnapshot();
  });

  it('headless renders nothing', () => {
    expect(render(panelId, { headless: true }).toJSON()).toMatchSnapshot();
  });

  it.each(['zh-CN', 'en'])('error shown next to its cause (%s)', async (locale) => {
    const comp = render(panelId, { locale, host: 'wss://broker.emqx.io' });
    await methods(comp).connect().catch(() => undefined);
    expect(comp.toJSON()).toMatchSnapshot();
  });

  it.each(['zh-CN', 'en'])('connected with messages (%s)', async (locale) => {
    // A fixed port in the rendered tree; the socket goes to aedes's real (random) port.
    setPlatformWx({ ...wx, connectSocket: (o) => wx.connectSocket({ ...o, url: o.url.replace(':18083/', `:${aedes.wsPort}/`) }) });
    const comp = render(panelId, { ...local(aedes), port: 18083, locale, topic: 'snap/#', clientId: `snap_${locale}` });
    await methods(comp).connect();
    await settled(comp, 'connected');
    await until(() => methods(comp).getState().subscriptions.length === 1, 'auto-subscribe');
    const peer = await connectPeer(aedes.tcpPort);
    const now = jest.spyOn(Date, 'now').mockReturnValue(T0);
    try {
      await methods(comp).publish('cmd/light', '{"on":true}', { qos: 1 });
      await peer.publish('snap/temperature', '21.5', { qos: 0 });
      for (let i = 0; i < 500 && listOf(comp).getMessages().length < 2; i++) await sleep(10);
      await sleep(120);
    } finally {
      now.mockRestore();
    }
    await peer.end();
    expect(listOf(comp).getMessages()).toHaveLength(2);
    expect(comp.toJSON()).toMatchSnapshot();
    await methods(comp).disconnect();
  });
});

describe('behaviour', () => {
  it('tap connect → status events and connect detail without the password; tap publish → publish event and list', async () => {
    const comp = render(panelId, { ...local(aedes), password: 'p@ss', username: 'u', topic: 'tap/#', payload: 'hello' });
    const statuses = listen<StatusEventDetail>(comp, 'status');
    const connects = listen<ConnectEventDetail>(comp, 'connect');
    const publishes = listen<PublishEventDetail>(comp, 'publish');
    const subscribes = listen(comp, 'subscribe');
    comp.querySelector('.mp__button--primary')!.dispatchEvent('tap');
    await until(() => connects.length === 1 && subscribes.length === 1, 'connect and auto-subscribe');
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    expect(connects[0]).toEqual({ clientId: expect.stringMatching(/^mp_[a-z0-9]{12}$/), url: `ws://127.0.0.1:${aedes.wsPort}/mqtt`, sessionPresent: false });
    expect(subscribes).toEqual([{ topic: 'tap/#', qos: 0, granted: 0 }]);
    expect(texts(comp, '.mp__status')).toEqual(['已连接']);

    comp.setData({ pubTopic: 'tap/x' });
    comp.querySelectorAll('.mp__button--primary')[2].dispatchEvent('tap');
    await until(() => publishes.length === 1, 'publish');
    expect(publishes[0]).toMatchObject({ topic: 'tap/x', payload: 'hello', qos: 0, retain: false, direction: 'out' });
    await until(() => listOf(comp).getMessages().length === 2, 'the list to show out and in');
    expect(listOf(comp).getMessages().map((m) => m.direction).sort()).toEqual(['in', 'out']);
    expect(JSON.stringify([statuses, connects, publishes, comp.toJSON()])).not.toContain('p@ss');
    await methods(comp).disconnect();
    expect(methods(comp).getState().status).toBe('closed');
  });

  it('typing in the panel and choosing QoS changes what it subscribes and publishes', async () => {
    const comp = render(panelId, { ...local(aedes), autoSubscribe: false });
    await methods(comp).connect();
    const topicInput = comp.querySelectorAll('.mp__input')[6];
    topicInput.dispatchEvent('input', { detail: { value: 'typed/+' } });
    comp.querySelectorAll('.mp__chip')[2].dispatchEvent('tap');
    await sleep(0);
    const granted = await methods(comp).subscribe();
    expect(granted).toEqual({ topic: 'typed/+', qos: 2, granted: 2 });
    expect(texts(comp, '.mp__sub')).toEqual(['typed/+ · QoS 2']);
    await methods(comp).disconnect();
  });

  it('shows and emits coded errors for bad input, and stays usable', async () => {
    const comp = render(panelId, { ...local(aedes), topic: 'ok/#' });
    const errors = listen<MqttErrorDetail>(comp, 'error');
    await expect(methods(comp).publish('x')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await methods(comp).connect();
    await until(() => methods(comp).getState().subscriptions.length === 1, 'the auto-subscription');
    await expect(methods(comp).publish('a/+', 'x')).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
    expect(texts(comp, '.mp__error')[0]).toContain('a/+');
    await expect(methods(comp).subscribe('a/#/b')).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
    await expect(methods(comp).publish('a', 'x', { qos: 3 as 0 })).rejects.toMatchObject({ code: 'INVALID_QOS' });
    await expect(methods(comp).publish('a', () => 1)).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(errors.map((e) => e.code)).toEqual(['NOT_CONNECTED', 'INVALID_TOPIC', 'INVALID_TOPIC', 'INVALID_QOS', 'INVALID_PAYLOAD']);
    expect(errors.every((e) => e.message && e.fix)).toBe(true);
    expect(comp.instance.data.errors.publish).toContain('a');
    await expect(methods(comp).publish('ok/1', 'fine', { qos: 1 })).resolves.toMatchObject({ topic: 'ok/1' });
    expect(comp.instance.data.errors.publish).toBe('');
    expect(texts(comp, '.mp__error')).toEqual([expect.stringContaining('a/#/b')]);
    await methods(comp).disconnect();
  });

  it('warns when ws:// goes to a host that is not loopback', async () => {
    const comp = render(panelId, { host: 'broker.example.com', port: 8083, secure: false, reconnectPeriod: 0, connectTimeout: 500 });
    const warnings = listen(comp, 'warning');
    await methods(comp).connect().catch(() => undefined);
    expect(warnings).toEqual([{ code: 'INSECURE_TRANSPORT', message: expect.stringContaining('ws://') }]);
  });

  it('moves the subscription when topic changes while connected', async () => {
    const comp = render(panelId, { ...local(aedes), topic: 'move/a' });
    const unsubscribes = listen(comp, 'unsubscribe');
    await methods(comp).connect();
    await until(() => methods(comp).getState().subscriptions.length === 1, 'first subscription');
    comp.setData({ topic: 'move/b' });
    await until(() => methods(comp).getState().subscriptions[0]?.topic === 'move/b', 'the subscription to move');
    expect(methods(comp).getState().subscriptions).toEqual([{ topic: 'move/b', qos: 0 }]);
    expect(unsubscribes).toEqual([{ topic: 'move/a' }]);
    await methods(comp).disconnect();
  });

  it('reconnects with the new options when a connection property changes', async () => {
    const comp = render(panelId, { ...local(aedes), clientId: 'first_id' });
    const connects = listen<ConnectEventDetail>(comp, 'connect');
    await methods(comp).connect();
    comp.setData({ clientId: 'second_id' });
    await until(() => connects.some((c) => c.clientId === 'second_id'), 'a connect with the new clientId');
    await until(() => wx.sockets.size === 1, 'one socket left');
    await methods(comp).disconnect();
  });

  it('two panels with the same connection key share one socket', async () => {
    const host = loadHost(
      `<mqtt-panel id="a" host="{{host}}" port="{{port}}" secure="{{false}}" client-id="shared_panel" topic="share/a" auto-connect />
       <mqtt-panel id="b" host="{{host}}" port="{{port}}" secure="{{false}}" client-id="shared_panel" topic="share/b" auto-connect />`,
      { 'mqtt-panel': panelId },
      { host: aedes.host, port: aedes.wsPort },
    );
    const page = render(host);
    const [a, b] = [page.querySelector('#a')!, page.querySelector('#b')!];
    await until(() => methods(a).getState().subscriptions.length === 1 && methods(b).getState().subscriptions.length === 1, 'both subscribed');
    expect(wx.requests).toHaveLength(1);
    const got = [listen<MessageEventDetail>(a, 'message'), listen<MessageEventDetail>(b, 'message')];
    const peer = await connectPeer(aedes.tcpPort);
    await peer.publish('share/a', 'for a', { qos: 1 });
    await peer.publish('share/b', 'for b', { qos: 1 });
    await until(() => got[0].length === 1 && got[1].length === 1, 'one message each');
    expect(got.map((g) => g[0].payload)).toEqual(['for a', 'for b']);
    await peer.end();
    (page as unknown as { detach(): void }).detach();
    await until(() => wx.sockets.size === 0, 'the shared socket to close on detach');
  });

  it('detach releases the connection: no socket left on the broker', async () => {
    const comp = render(panelId, { ...local(aedes), clientId: 'detach_me' });
    await methods(comp).connect();
    const before = await aedes.clientCount();
    (comp as unknown as { detach(): void }).detach();
    await until(() => wx.sockets.size === 0, 'the socket to close');
    await until(async () => (await aedes.clientCount()) === before - 1, 'the broker to drop the client');
  });
});

describe('MQTT 5 publish form', () => {
  const section = (comp: Rendered) => comp.querySelector('.mp__v5');
  /** The form's inputs: name and value per row, then content type, expiry, response topic, correlation data. */
  const inputs = (comp: Rendered) => comp.querySelectorAll('.mp__v5 .mp__input');
  /** The add button, then a remove button per row. */
  const buttons = (comp: Rendered) => comp.querySelectorAll('.mp__v5 .mp__button');
  const type = async (comp: Rendered, index: number, value: string) => {
    inputs(comp)[index].dispatchEvent('input', { detail: { value } });
    await sleep(0);
  };
  const rows = (comp: Rendered) => inputs(comp).length / 2 - 2;
  /** An input's bound value, as rendered. */
  const valueOf = (node: Rendered): unknown =>
    (node as unknown as { toJSON(): { attrs: { name: string; value: unknown }[] } }).toJSON().attrs.find((a) => a.name === 'value')?.value;
  const tapPublish = (comp: Rendered) => comp.querySelectorAll('.mp__button--primary')[2].dispatchEvent('tap');

  it.each(['zh-CN', 'en'])('shown at protocolVersion 5 (%s)', (locale) => {
    const comp = render(panelId, { locale, host: 'broker.emqx.io', protocolVersion: 5 });
    expect(comp.querySelectorAll('.mp__v5')).toHaveLength(1);
    expect(comp.toJSON()).toMatchSnapshot();
  });

  it('not rendered at all at protocolVersion 4, and follows the property', () => {
    const comp = render(panelId, { host: 'broker.emqx.io', protocolVersion: 4 });
    expect(comp.toJSON()).toMatchSnapshot();
    expect(section(comp)).toBeFalsy();
    expect(JSON.stringify(comp.toJSON())).not.toContain('MQTT 5');
    comp.setData({ protocolVersion: 5 });
    expect(section(comp)).toBeTruthy();
    comp.setData({ protocolVersion: 4 });
    expect(section(comp)).toBeFalsy();
  });

  it('adds and removes user property rows; a bad field shows the usual publish error and never throws', async () => {
    const comp = render(panelId, { host: 'broker.emqx.io', protocolVersion: 5, locale: 'en' });
    const errors = listen<MqttErrorDetail>(comp, 'error');
    expect(rows(comp)).toBe(1);
    buttons(comp)[0].dispatchEvent('tap');
    buttons(comp)[0].dispatchEvent('tap');
    await sleep(0);
    expect(rows(comp)).toBe(3);
    await type(comp, 0, 'a');
    await type(comp, 2, 'b');
    await type(comp, 4, 'c');
    // removing the middle row keeps the others' text
    buttons(comp)[2].dispatchEvent('tap');
    await sleep(0);
    expect(comp.instance.data.v5.rows.map((r: { key: string }) => r.key)).toEqual(['a', 'c']);
    expect(inputs(comp).map(valueOf)).toEqual(['a', '', 'c', '', '', '', '', '']);

    // a value without a name
    await type(comp, 3, 'no name');
    await type(comp, 2, '');
    expect(() => tapPublish(comp)).not.toThrow();
    await until(() => errors.length === 1, 'the error');
    expect(errors[0]).toMatchObject({ code: 'INVALID_OPTION', field: 'properties.userProperties' });
    expect(texts(comp, '.mp__error')).toEqual([expect.stringContaining('"no name" has no name')]);

    await type(comp, 3, '');
    for (const bad of ['abc', '1.5', '-1', '4294967296']) {
      await type(comp, 5, bad);
      await expect(methods(comp).publish('t', 'x')).rejects.toMatchObject({ code: 'INVALID_OPTION', field: 'properties.messageExpiryInterval' });
      expect(texts(comp, '.mp__error')).toEqual([expect.stringContaining('properties.messageExpiryInterval')]);
    }
    expect(errors.map((e) => e.field)).toEqual(['properties.userProperties', ...Array(4).fill('properties.messageExpiryInterval')]);
    // a good form gets as far as the connection
    await type(comp, 5, ' 4294967295 ');
    await expect(methods(comp).publish('t', 'x')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('protocolVersion 4 (aedes): no form, nothing sent; properties passed to publish() are refused naming the field', async () => {
    const comp = render(panelId, { ...local(aedes), protocolVersion: 4, autoSubscribe: false, locale: 'en' });
    const publishes = listen<PublishEventDetail>(comp, 'publish');
    await methods(comp).connect();
    await methods(comp).publish('v4/x', 'plain', { qos: 1 });
    expect(publishes[0]).not.toHaveProperty('properties');
    await expect(methods(comp).publish('v4/x', 'x', { properties: { contentType: 'text/plain' } })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'properties.contentType',
    });
    expect(texts(comp, '.mp__error')).toEqual([expect.stringContaining('properties.contentType')]);
    await methods(comp).disconnect();
  });

  describe('on mosquitto (MQTT 5)', () => {
    let broker: Broker;
    let peer: Peer;
    const got: { topic: string; payload: string; properties?: Record<string, unknown> }[] = [];
    beforeAll(async () => {
      broker = await startMosquitto();
      peer = await connectPeer(broker.tcpPort, { protocolVersion: 5 });
      peer.client.on('message', (topic, payload, packet: IPublishPacket) => got.push({ topic, payload: payload.toString(), properties: packet.properties as Record<string, unknown> | undefined }));
      await peer.subscribe('v5/out/#', 1);
    });
    afterAll(async () => {
      await peer.end();
      await broker.stop();
    });

    it('tap publish sends the filled rows and fields as properties; publish() sends the form, or the properties it is given', async () => {
      const comp = render(panelId, { ...local(broker), protocolVersion: 5, autoSubscribe: false, pubTopic: 'v5/out/tap', payload: '{"on":true}', qos: 1, locale: 'en' });
      const publishes = listen<PublishEventDetail>(comp, 'publish');
      comp.querySelectorAll('.mp__button--primary')[0].dispatchEvent('tap');
      await settled(comp, 'connected');
      const from = got.length;

      // one user property row and the content type; the other fields stay blank and are not sent
      await type(comp, 0, 'env');
      await type(comp, 1, 'test');
      await type(comp, 2, 'application/json');
      expect(texts(comp, '.mp__button--primary')[2]).toBe('Publish');
      tapPublish(comp);
      await until(() => publishes.length === 1 && got.length === from + 1, 'the publish and the peer’s message');
      expect(got[from]).toEqual({ topic: 'v5/out/tap', payload: '{"on":true}', properties: { userProperties: { env: 'test' }, contentType: 'application/json' } });
      expect(publishes[0]).toMatchObject({ topic: 'v5/out/tap', qos: 1, direction: 'out' });
      expect(publishes[0].properties).toEqual({ userProperties: { env: 'test' }, contentType: 'application/json' });

      // a second row, expiry, response topic and correlation data; publish() without arguments uses the form too
      buttons(comp)[0].dispatchEvent('tap');
      await sleep(0);
      await type(comp, 2, 'build');
      await type(comp, 3, '42');
      await type(comp, 5, '60');
      await type(comp, 6, 'v5/reply');
      await type(comp, 7, 'req-1');
      const detail = await methods(comp).publish();
      await until(() => got.length === from + 2, 'the second message');
      const sent = got[from + 1].properties!;
      expect(sent).toMatchObject({ userProperties: { env: 'test', build: '42' }, contentType: 'application/json', responseTopic: 'v5/reply' });
      expect(Object.keys(sent).sort()).toEqual(['contentType', 'correlationData', 'messageExpiryInterval', 'responseTopic', 'userProperties']);
      expect(Buffer.from(sent.correlationData as Buffer).toString()).toBe('req-1');
      expect(sent.messageExpiryInterval).toBeGreaterThan(0);
      expect(sent.messageExpiryInterval).toBeLessThanOrEqual(60);
      expect(detail.properties).toEqual({
        userProperties: { env: 'test', build: '42' },
        contentType: 'application/json',
        messageExpiryInterval: 60,
        responseTopic: 'v5/reply',
        correlationData: expect.any(ArrayBuffer),
        correlationText: 'req-1',
      });
      expect(publishes[1]).toEqual(detail);

      // properties of its own replace the form
      await methods(comp).publish('v5/out/own', 'x', { properties: { userProperties: { only: 'this' } } });
      await until(() => got.length === from + 3, 'the third message');
      expect(got[from + 2].properties).toEqual({ userProperties: { only: 'this' } });

      // a name given twice becomes an array in what the panel hands the client (the wire: see the next test)
      buttons(comp)[0].dispatchEvent('tap');
      await sleep(0);
      await type(comp, 4, 'env');
      await type(comp, 5, 'ci');
      expect((await methods(comp).publish()).properties?.userProperties).toEqual({ env: ['test', 'ci'], build: '42' });

      // the embedded list shows what was sent
      await until(() => listOf(comp).getMessages().length === 4, 'the list');
      const list = comp.querySelector('#list')!;
      expect(list.querySelectorAll('.ml__user').map((n) => n.dom?.textContent)).toEqual(
        expect.arrayContaining(['env: test', 'env: test\nbuild: 42', 'only: this', 'env: test\nenv: ci\nbuild: 42']),
      );
      expect(texts(list, '.ml__type')).toEqual(['application/json', 'application/json', 'application/json']);
      await methods(comp).disconnect();
    });

    // mqtt.js 4.0.1's bundle alone would send one comma-joined pair ("test,ci"): src/core/user-properties.ts.
    it('a name given twice reaches the peer once per value', async () => {
      const comp = render(panelId, { ...local(broker), protocolVersion: 5, autoSubscribe: false, pubTopic: 'v5/out/twice', payload: 'x' });
      await methods(comp).connect();
      const from = got.length;
      buttons(comp)[0].dispatchEvent('tap');
      await sleep(0);
      await type(comp, 0, 'env');
      await type(comp, 1, 'test');
      await type(comp, 2, 'env');
      await type(comp, 3, 'ci');
      try {
        await methods(comp).publish();
        await until(() => got.length === from + 1, 'the message');
        expect(got[from].properties).toEqual({ userProperties: { env: ['test', 'ci'] } });
      } finally {
        await methods(comp).disconnect();
      }
    });
  });
});

function mosquittoPub(port: number, topic: string, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-m', message, '-q', '1']);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited ${code}`))));
  });
}

function mosquittoSub(port: number, topic: string, count: number): { lines: string[]; done: Promise<void>; ready: Promise<void> } {
  const child = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-C', String(count), '-v']);
  const lines: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
  return { lines, done: new Promise((resolve) => child.on('exit', () => resolve())), ready: sleep(300) };
}

describe.each(['aedes', 'mosquitto'] as const)('integration on %s', (name) => {
  let broker: Broker;
  let peer: Peer;
  beforeAll(async () => {
    broker = name === 'aedes' ? aedes : await startMosquitto({ persistence: true });
    peer = await connectPeer(broker.tcpPort);
  });
  afterAll(async () => {
    await peer.end();
    if (name === 'mosquitto') await broker.stop();
  });

  it('another client’s messages arrive as events and in the list; the panel’s publishes reach another subscriber', async () => {
    const comp = render(panelId, { ...local(broker), topic: 'int/in/#', qos: 1 });
    const messages = listen<MessageEventDetail>(comp, 'message');
    await methods(comp).connect();
    await until(() => methods(comp).getState().subscriptions.length === 1, 'subscribed');
    if (name === 'mosquitto') await mosquittoPub(broker.tcpPort, 'int/in/cli', 'from mosquitto_pub');
    else await peer.publish('int/in/cli', 'from mosquitto_pub', { qos: 1 });
    await until(() => messages.length === 1, 'the message event');
    expect(messages[0]).toMatchObject({ topic: 'int/in/cli', payload: 'from mosquitto_pub', qos: 1, retain: false, dup: false, direction: 'in' });
    expect(Buffer.from(messages[0].bytes).toString()).toBe('from mosquitto_pub');
    await until(() => listOf(comp).getMessages().length === 1, 'the list');

    if (name === 'mosquitto') {
      const sub = mosquittoSub(broker.tcpPort, 'int/out/#', 1);
      await sub.ready;
      await methods(comp).publish('int/out/x', 'to mosquitto_sub', { qos: 1 });
      await sub.done;
      expect(sub.lines).toEqual(['int/out/x to mosquitto_sub']);
    } else {
      await peer.subscribe('int/out/#', 1);
      const before = peer.received.length;
      await methods(comp).publish('int/out/x', 'to the peer', { qos: 1 });
      await peer.waitFor(before + 1);
      expect(peer.received[before].payload.toString()).toBe('to the peer');
    }
    await methods(comp).disconnect();
  });

  it('status follows the broker going away and coming back', async () => {
    const comp = render(panelId, { ...local(broker), topic: 'restart/#', clientId: 'restart_panel', clean: false, qos: 1 });
    const statuses = listen<StatusEventDetail>(comp, 'status');
    const messages = listen<MessageEventDetail>(comp, 'message');
    await methods(comp).connect();
    await until(() => methods(comp).getState().subscriptions.length === 1, 'subscribed');
    await peer.end();
    if (name === 'mosquitto') broker = await (broker as MosquittoBroker).restart();
    else await (broker as AedesBroker).kick('restart_panel');
    await until(() => methods(comp).getState().status === 'connected' && statuses.some((s) => s.status === 'reconnecting'), 'reconnected', 15000);
    peer = await connectPeer(broker.tcpPort);
    await peer.publish('restart/x', 'after restart', { qos: 1 });
    await until(() => messages.length === 1, 'a message after the restart');
    expect(statuses.map((s) => s.status)).toEqual(expect.arrayContaining(['connecting', 'connected', 'reconnecting']));
    await methods(comp).disconnect();
  });
});

describe('persist', () => {
  it('persist="{{true}}": a QoS 1 publish made offline is in storage, with clean false (the session is kept); the password is not', async () => {
    const comp = render(panelId, { headless: true, ...local(aedes), clientId: `panel-persist-${process.pid}`, username: 'u', password: 'panel-canary', persist: true });
    const connected = await methods(comp).connect();
    expect(connected.clientId).toBe(`panel-persist-${process.pid}`);
    wx.setNetwork(false);
    await settled(comp, 'offline');
    void methods(comp).publish('persist/panel', 'kept', { qos: 1 }).catch(() => undefined);
    await until(() => [...wx.storage.data.values()].some((v) => v.includes('persist/panel')), 'the publish in storage');
    expect([...wx.storage.data.values()].join('\n')).not.toContain('panel-canary');
    const connects = listen<ConnectEventDetail>(comp, 'connect');
    wx.setNetwork(true);
    await until(() => connects.length === 1, 'reconnected');
    // clean defaulted to false with persist: aedes kept the session
    expect(connects[0].sessionPresent).toBe(true);
    await until(() => [...wx.storage.data.keys()].every((k) => !k.startsWith('miniprogram-mqtt/') || k.startsWith('miniprogram-mqtt/id/')), 'the acknowledged publish removed from storage');
    await methods(comp).disconnect();
  });
});
