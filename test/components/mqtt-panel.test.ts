/** <mqtt-panel> in miniprogram-simulate: snapshots, taps, properties, events, real brokers. */
import { spawn } from 'child_process';
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
