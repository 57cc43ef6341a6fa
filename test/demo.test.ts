/**
 * Every demo page loads in miniprogram-simulate exactly as DevTools would (through
 * miniprogram_npm/miniprogram-mqtt, i.e. the built dist), connects to a real broker and shows a
 * message published by another client.
 */
import { DemoEnv, LaunchedDemo, launchDemoApp, loadDemoPage, startDemoEnv } from './support/demo';
import { until } from './support/harness';
import type { Rendered } from './support/simulate';

let env: DemoEnv;

beforeAll(async () => {
  env = await startDemoEnv();
});
afterAll(() => env.stop());

const loadPage = (name: string): Rendered => loadDemoPage(name, env.wx, env.broker);

type PanelApi = { connect(): Promise<unknown>; getState(): { status: string; clientId: string; subscriptions: unknown[] } };
const panels = (page: Rendered): PanelApi[] => page.querySelectorAll('.card, #mqtt').map((c) => c.instance as unknown as PanelApi);
const texts = (page: Rendered, selector: string): string => page.querySelectorAll(selector).map((n) => n.dom?.textContent ?? '').join('\n');
/** Payloads in the lists embedded in the page's panels. */
const listed = (page: Rendered): string =>
  page
    .querySelectorAll('.card')
    .flatMap((panel) => (panel.querySelector('#list')?.instance as unknown as { getMessages(): { payload: string }[] } | undefined)?.getMessages() ?? [])
    .map((m) => m.payload)
    .join('\n');

it('index: connects when tapped and logs a message published by another client', async () => {
  const page = loadPage('index');
  const [panel] = panels(page);
  await panel.connect();
  await until(() => panel.getState().subscriptions.length === 1, 'subscribed');
  await env.peer.publish('testtopic/miniprogram/demo-test', 'hello demo', { qos: 1 });
  await until(() => texts(page, '.log__line').includes('hello demo'), 'the event log to show the message');
  expect(texts(page, '.log__line')).toContain('message {"id"');
  (page as unknown as { detach(): void }).detach();
});

it('shared: two panels, one socket, each shows its own topic', async () => {
  const before = env.wx.requests.length;
  const page = loadPage('shared');
  const [a, b] = panels(page);
  await until(() => a.getState().subscriptions.length === 1 && b.getState().subscriptions.length === 1, 'both subscribed');
  expect(env.wx.requests.length - before).toBe(1);
  await env.peer.publish('demo/kitchen/t', 'kitchen 21°C', { qos: 1 });
  await env.peer.publish('demo/garden/t', 'garden 14°C', { qos: 1 });
  await until(() => listed(page).includes('kitchen 21°C') && listed(page).includes('garden 14°C'), 'both messages');
  const [first, second] = page.querySelectorAll('.card').map((p) => (p.querySelector('#list')!.instance as unknown as { getMessages(): { payload: string }[] }).getMessages().map((m) => m.payload));
  expect([first, second]).toEqual([['kitchen 21°C'], ['garden 14°C']]);
  (page as unknown as { detach(): void }).detach();
});

it('headless (TypeScript): the dashboard tile shows a sensor value', async () => {
  const page = loadPage('headless');
  const [panel] = panels(page);
  await until(() => panel.getState().subscriptions.length === 1, 'subscribed');
  await env.peer.publish('demo/sensors/humidity', '{"value":48}', { qos: 1 });
  await until(() => texts(page, '.dash__name').includes('humidity'), 'the tile');
  expect(texts(page, '.dash__value')).toContain('48');
  expect(texts(page, '.dash__value')).not.toContain('{');
  expect(texts(page, '.dash__status')).toBe('connected');
  (page as unknown as { detach(): void }).detach();
});

it('brokers: the local panel connects on its own; the second one waits for a tap', async () => {
  const page = loadPage('brokers');
  const [local, emqx] = panels(page);
  await until(() => local.getState().subscriptions.length === 1, 'the local panel subscribed');
  await env.peer.publish('demo/local/x', 'local broker', { qos: 1 });
  await until(() => listed(page).includes('local broker'), 'the local message');
  expect(emqx.getState().status).toBe('idle');
  (page as unknown as { detach(): void }).detach();
});

it('brokers: Discover finds the LAN broker over mDNS; tapping it connects a panel over TCPSocket', async () => {
  const page = loadPage('brokers');
  const tcpBefore = env.wx.tcp!.created.length;
  page.querySelector('.lan__find')!.dispatchEvent('tap');
  await until(() => page.querySelectorAll('.lan__item').length === 1, 'the broker found', 6000);
  expect(texts(page, '.lan__item')).toBe(`demo-broker · 127.0.0.1:${env.broker.tcpPort}`);
  page.querySelector('.lan__item')!.dispatchEvent('tap');
  await until(() => panels(page).length === 3 && panels(page)[2].getState().subscriptions.length === 1, 'the TCP panel subscribed');
  expect(env.wx.tcp!.created.length - tcpBefore).toBe(1);
  await env.peer.publish('demo/lan/x', 'over tcp', { qos: 1 });
  await until(() => listed(page).includes('over tcp'), 'the message over TCP');
  (page as unknown as { detach(): void }).detach();
});

describe('app-client: the App\'s client "main", two pages on it through mqttBehavior, a panel on it', () => {
  const STATUS = 'demo/devices/+/status';
  const TELEMETRY = 'demo/devices/lamp-1/telemetry';
  let demo: LaunchedDemo;
  let list: Rendered;
  let detail: Rendered;
  /** Every frame the broker sent to the App client's socket. */
  const frames: Uint8Array[] = [];
  const main = () => demo.library.getClient('main')!;
  const topics = () => main().subscriptions.map((s) => s.topic).sort();

  afterAll(async () => {
    [list, detail].forEach((page) => page && demo.unload(page));
    await demo?.library.getClient('main')?.end();
  });

  it('App onLaunch creates the client "main" and connects it, on one socket', async () => {
    const before = env.wx.requests.length;
    const known = new Set(env.wx.sockets);
    demo = launchDemoApp(env.wx, env.broker);
    const client = main();
    expect(client).toBeInstanceOf(demo.library.MqttClient);
    expect(client.url).toBe('ws://127.0.0.1:8083/mqtt');
    expect(demo.app.globalData.local).toEqual({ host: '127.0.0.1', port: 8083, path: '/mqtt', secure: false });
    await until(() => client.status === 'connected', 'main connected');
    expect(env.wx.requests.length - before).toBe(1);
    const [socket, ...others] = [...env.wx.sockets].filter((s) => !known.has(s));
    expect(others).toEqual([]);
    socket.onMessage(({ data }) => frames.push(new Uint8Array(data as ArrayBuffer)));
  });

  it('list page: subscribes demo/devices/+/status and shows a device status published by the peer', async () => {
    list = demo.open('/pages/app-client/index');
    await until(() => topics().includes(STATUS), 'the list\'s subscription');
    expect(texts(list, '.devices__status')).toContain('已连接');
    expect(texts(list, '.devices__empty')).toBe('暂无设备');
    await env.peer.publish('demo/devices/lamp-1/status', 'online', { qos: 1 });
    await env.peer.publish('demo/devices/fan-2/status', 'offline', { qos: 1 });
    await until(() => texts(list, '.devices__name') === 'fan-2\nlamp-1', 'both devices listed');
    expect(texts(list, '.devices__state')).toMatch(/^离线 · \d\d:\d\d:\d\d\n在线 · \d\d:\d\d:\d\d$/);
  });

  it('detail page (opened from the list): shows telemetry, and its command reaches the peer', async () => {
    const lamp = list.querySelectorAll('.devices__open')[1];
    lamp.dispatchEvent('tap');
    await until(() => demo.navigations.length > 0, 'the tap to navigate');
    expect(demo.navigations).toEqual(['/pages/app-client/detail?id=lamp-1']);
    detail = demo.open(demo.navigations[0]);
    await until(() => topics().includes(TELEMETRY), 'the detail page\'s subscription');
    expect(topics()).toEqual([TELEMETRY, STATUS].sort());
    await env.peer.publish(TELEMETRY, JSON.stringify({ temperature: 21.5, humidity: 48 }), { qos: 1 });
    await env.peer.publish('demo/devices/fan-2/telemetry', JSON.stringify({ rpm: 900 }), { qos: 1 });
    await until(() => texts(detail, '.detail__value').includes('temperature 21.5 · humidity 48'), 'the reading');
    expect(texts(detail, '.detail__value')).not.toContain('rpm');

    await env.peer.subscribe('demo/devices/+/command', 1);
    detail.querySelector('.detail__command')!.dispatchEvent('tap');
    await env.peer.waitFor(1);
    expect(env.peer.received.map((m) => [m.topic, m.payload.toString(), m.qos])).toEqual([['demo/devices/lamp-1/command', '{"light":"on"}', 1]]);
    await until(() => texts(detail, '.detail__sent').startsWith('已发送：开灯'), 'the page to say it sent');
    expect(texts(detail, '.detail__command')).toBe('关灯');
  });

  it('unloading the detail page removes its subscription: the broker stops sending its telemetry, the list keeps its own', async () => {
    const readings = texts(detail, '.detail__value');
    const heard: string[] = [];
    const off = main().on('message', (m) => heard.push(m.topic));
    const mark = frames.length;
    demo.unload(detail);
    expect(topics()).toEqual([STATUS]);
    // UNSUBACK: the broker has dropped the filter before the peer publishes again.
    await until(() => frames.slice(mark).some((f) => f[0] === 0xb0), 'UNSUBACK on the App client\'s socket');
    await env.peer.publish(TELEMETRY, JSON.stringify({ temperature: 99 }), { qos: 1 });
    await env.peer.publish('demo/devices/lamp-1/status', 'offline', { qos: 1 });
    await until(() => texts(list, '.devices__state').includes('离线 ·') && !texts(list, '.devices__state').includes('在线'), 'the list page to hear lamp-1 go offline');
    off();
    expect(heard).toEqual(['demo/devices/lamp-1/status']);
    const sent = frames.slice(mark).map((f) => Buffer.from(f).toString('latin1')).join('');
    expect(sent).not.toContain(TELEMETRY);
    expect(texts(detail, '.detail__value')).toBe(readings);
  });

  it('panel page: <mqtt-panel client="main"> joins the same socket and shows it connected', async () => {
    const before = env.wx.requests.length;
    const sockets = env.wx.sockets.size;
    const page = demo.open('/pages/app-client/panel');
    const panel = page.querySelector('#panel')!.instance as unknown as PanelApi;
    await until(() => panel.getState().status === 'connected' && panel.getState().subscriptions.length === 1, 'the panel connected and subscribed');
    expect(env.wx.requests.length).toBe(before);
    expect(env.wx.sockets.size).toBe(sockets);
    expect(panel.getState().clientId).toBe(main().clientId);
    expect(page.querySelector('#panel')!.querySelector('.mp__status')!.dom?.textContent).toBe('已连接');
    await env.peer.publish('demo/devices/fan-2/status', 'online', { qos: 1 });
    await until(() => listed(page).includes('online') && texts(list, '.devices__state').includes('在线'), 'the panel and the list to show it');
    demo.unload(page);
    expect(topics()).toEqual([STATUS]);
    expect(main().status).toBe('connected');
  });

  it('the list page links to the Skyline page', async () => {
    list.querySelector('.devices__skyline')!.dispatchEvent('tap');
    await until(() => demo.navigations.includes('/pages/skyline/index'), 'the tap to navigate');
  });
});

// Its own launch: simulate renders a component for the first page of a module registry that uses it.
it('Skyline page: its panel and list join the App client main (one socket); a device status reaches the list', async () => {
  const demo = launchDemoApp(env.wx, env.broker);
  const main = demo.library.getClient('main')!;
  await until(() => main.status === 'connected', 'main connected');
  const requests = env.wx.requests.length;
  const page = demo.open('/pages/skyline/index');
  const panel = page.querySelector('#panel')!.instance as unknown as PanelApi;
  const topics = () => main.subscriptions.map((s) => s.topic).sort();
  await until(() => panel.getState().status === 'connected' && topics().length === 2, 'the panel and the list subscribed on main');
  expect(topics()).toEqual(['demo/devices/#', 'demo/devices/+/status']);
  expect(env.wx.requests.length).toBe(requests);
  await env.peer.publish('demo/devices/sky-1/status', 'online', { qos: 1 });
  const shown = () => (page.querySelector('#list')!.instance as unknown as { getMessages(): { topic: string; payload: string }[] }).getMessages();
  await until(() => shown().length === 1, 'the list to show the status');
  expect(shown().map((m) => [m.topic, m.payload])).toEqual([['demo/devices/sky-1/status', 'online']]);
  demo.unload(page);
  expect(topics()).toEqual([]);
  await main.end();
});
