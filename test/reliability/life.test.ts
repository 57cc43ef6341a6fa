/**
 * Mini-program life against real brokers: background suspension, network loss, broker restart with
 * a persistent session, 200 attach/connect/detach cycles without leaks, and no password anywhere.
 */
import type { MessageEventDetail, MqttPanelMethods, StatusEventDetail } from '../../src/types';
import { setPlatformWx } from '../../src/platform/index';
import { AedesBroker, MosquittoBroker, startAedes, startMosquitto } from '../support/brokers';
import { sleep, until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { listen, loadComponent, render, Rendered } from '../support/simulate';
import { NodeWx } from '../support/wx';

const SECRET = 'canary-Pa55w0rd';
const EVENTS = ['status', 'connect', 'message', 'publish', 'subscribe', 'unsubscribe', 'error', 'warning'];

let panelId: string;
let aedes: AedesBroker;
const seen: string[] = [];
const consoleSpies: jest.SpyInstance[] = [];

/** Records every event detail and the rendered tree, for the secrets scan at the end. */
function watch(panel: Rendered): void {
  for (const name of EVENTS) listen(panel, name).push = (...items: unknown[]) => seen.push(...items.map((i) => JSON.stringify(i))) as number;
}

beforeAll(async () => {
  panelId = loadComponent('mqtt-panel');
  aedes = await startAedes();
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    consoleSpies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      seen.push(args.map(String).join(' '));
      original(...args);
    }));
  }
});
afterAll(async () => {
  consoleSpies.forEach((s) => s.mockRestore());
  await aedes.stop();
});

const api = (panel: Rendered) => panel.instance as unknown as MqttPanelMethods;
const detach = (panel: Rendered) => (panel as unknown as { detach(): void }).detach();

// aedes 1.2 does not speak MQTT 5: the MQTT 5 run is on mosquitto.
it.each([4, 5])('background at MQTT %s: closes on hide, WeChat suspends after 5 s, connect then fails SUSPENDED; on show it is back within a second', async (version) => {
  const broker = version === 5 ? await startMosquitto() : aedes;
  const wx = new NodeWx();
  setPlatformWx(wx);
  const panel = render(panelId, { headless: true, host: broker.host, port: broker.wsPort, secure: false, username: 'u', password: SECRET, topic: 'bg/#', qos: 1, protocolVersion: version });
  watch(panel);
  const statuses = listen<StatusEventDetail>(panel, 'status');
  const messages = listen<MessageEventDetail>(panel, 'message');
  await api(panel).connect();
  await until(() => api(panel).getState().subscriptions.length === 1, 'subscribed');
  wx.hideApp();
  expect(statuses[statuses.length - 1]).toMatchObject({ status: 'offline', reason: 'background' });
  await sleep(5200);
  expect(wx.suspended).toBe(true);
  await expect(api(panel).connect()).rejects.toMatchObject({ code: 'SUSPENDED' });
  const shown = Date.now();
  wx.showApp();
  await until(() => api(panel).getState().status === 'connected', 'connected after show', 1000);
  await until(() => api(panel).getState().subscriptions.length === 1, 'subscribed after show', Math.max(1, 1000 - (Date.now() - shown)));
  const peer = await connectPeer(broker.tcpPort);
  await peer.publish('bg/x', 'welcome back', { qos: 1 });
  await until(() => messages.length === 1, 'a message after show');
  await peer.end();

  wx.setNetwork(false);
  expect(api(panel).getState().status).toBe('offline');
  wx.setNetwork(true);
  await until(() => api(panel).getState().status === 'connected', 'connected after the network is back', 1000);
  seen.push(JSON.stringify(panel.toJSON()));
  detach(panel);
  wx.dispose();
  if (broker !== aedes) await broker.stop();
}, 20000);

it.each([4, 5])('broker restart at MQTT %s: reconnects, resubscribes, and receives what was published for its session while away', async (version) => {
  let mosquitto: MosquittoBroker = await startMosquitto({ persistence: true });
  const wx = new NodeWx();
  setPlatformWx(wx);
  const panel = render(panelId, { headless: true, host: mosquitto.host, port: mosquitto.wsPort, secure: false, clientId: `restart_me_v${version}`, clean: false, topic: 'away/#', qos: 1, reconnectPeriod: 3000, protocolVersion: version });
  watch(panel);
  const messages = listen<MessageEventDetail>(panel, 'message');
  await api(panel).connect();
  await until(() => api(panel).getState().subscriptions.length === 1, 'subscribed');
  mosquitto = await mosquitto.restart();
  expect(api(panel).getState().status).not.toBe('connected');
  const peer = await connectPeer(mosquitto.tcpPort);
  for (const text of ['while', 'you', 'were', 'away']) await peer.publish('away/news', text, { qos: 1 });
  await until(() => messages.length === 4, 'the queued messages', 20000);
  expect(messages.map((m) => m.payload)).toEqual(['while', 'you', 'were', 'away']);
  await peer.publish('away/news', 'live', { qos: 1 });
  await until(() => messages.length === 5, 'a live message after the restart');
  await peer.end();
  detach(panel);
  await until(() => wx.sockets.size === 0, 'the socket to close');
  await mosquitto.stop();
}, 40000);

it('200 attach → connect → detach cycles leave no client on the broker, no socket, no timer, and a flat heap', async () => {
  const wx = new NodeWx();
  setPlatformWx(wx);
  const gc = (global as { gc?: () => void }).gc;
  if (!gc) throw new Error('run jest with node --expose-gc (npm test does)');
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const cycle = async (i: number) => {
    const panel = render(panelId, { host: aedes.host, port: aedes.wsPort, secure: false, username: 'u', password: SECRET, topic: `leak/${i}`, clientId: `leak_${i % 7}` });
    watch(panel);
    await api(panel).connect();
    await until(() => api(panel).getState().subscriptions.length === 1, 'subscribed');
    if (i % 50 === 0) seen.push(JSON.stringify(panel.toJSON()));
    detach(panel);
  };
  for (let i = 0; i < 20; i++) await cycle(i);
  await until(() => wx.sockets.size === 0, 'warm-up sockets closed');
  await sleep(300);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const timersBefore = timers();
  for (let i = 20; i < 200; i++) await cycle(i);
  await until(() => wx.sockets.size === 0, 'every socket closed');
  await until(async () => (await aedes.clientCount()) === 0, 'the broker to report 0 clients');
  await sleep(500);
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const grown = (heapAfter - heapBefore) / 1024 / 1024;
  console.log(JSON.stringify({ leakCycles: 200, heapGrowthMB: Number(grown.toFixed(2)), timersBefore, timersAfter: timers() }));
  // ws keeps a close-handshake timer briefly after each socket; wait for those to go.
  await until(() => timers() <= timersBefore, `timers back to ${timersBefore} (now ${timers()})`, 5000);
  expect(grown).toBeLessThan(5);
  wx.dispose();
}, 120000);

it('the password never appeared in an event detail, console output or rendered tree', () => {
  expect(seen.length).toBeGreaterThan(100);
  expect(seen.filter((s) => s.includes(SECRET))).toEqual([]);
});
