/**
 * The reliability suite against the client itself (not only through the panel): drops without
 * loss, background suspension, broker restart with a persistent session, 200 create → connect →
 * end cycles without leaks, and no password in any event detail or console line.
 */
import { createClient, MqttClient } from '../../src/client/client';
import { setPlatformWx } from '../../src/platform/index';
import type { ClientEventMap, ClientOptions, MessageEventDetail, StatusEventDetail } from '../../src/types';
import { AedesBroker, Broker, MosquittoBroker, startAedes, startMosquitto } from '../support/brokers';
import { sleep, until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { startProxy } from '../support/proxy';
import { NodeWx } from '../support/wx';

const SECRET = 'canary-Cl13nt-Pa55';
const EVENTS: (keyof ClientEventMap)[] = ['status', 'connect', 'message', 'publish', 'subscribe', 'unsubscribe', 'error', 'warning'];
const seen: string[] = [];
const consoleSpies: jest.SpyInstance[] = [];
let aedes: AedesBroker;

beforeAll(async () => {
  aedes = await startAedes();
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    consoleSpies.push(
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        seen.push(args.map(String).join(' '));
        original(...args);
      }),
    );
  }
});
afterAll(async () => {
  consoleSpies.forEach((s) => s.mockRestore());
  await aedes.stop();
});

function clientOn(broker: Pick<Broker, 'host' | 'wsPort'>, options: Partial<ClientOptions> = {}): MqttClient {
  const client = createClient({ host: broker.host, port: broker.wsPort, secure: false, reconnectPeriod: 100, ...options });
  for (const event of EVENTS) client.on(event, (detail) => seen.push(JSON.stringify(detail)));
  return client;
}

it('drops: 2,000 QoS 1 messages through 10 proxy cuts reach the client, none lost (mosquitto, clean: false)', async () => {
  const mosquitto = await startMosquitto();
  const wx = new NodeWx();
  setPlatformWx(wx);
  const proxy = await startProxy(mosquitto.wsPort);
  const client = clientOn({ host: '127.0.0.1', wsPort: proxy.port }, { clientId: 'client_drops', clean: false, reconnectPeriod: 50 });
  const payloads = new Set<string>();
  client.on('message', (m) => payloads.add(m.payload));
  await client.connect();
  await client.subscribe('cdrops/#', { qos: 1 });
  const peer = await connectPeer(mosquitto.tcpPort);
  const cutter = (async () => {
    while (proxy.cuts < 10) {
      await until(() => client.status === 'connected', 'a connection to cut', 20000);
      await sleep(1300 + Math.random() * 200);
      proxy.cut();
    }
  })();
  for (let i = 0; i < 2000; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => peer.publish('cdrops/m', String(i + k), { qos: 1 })));
    await sleep(7);
  }
  await cutter;
  await until(() => payloads.size === 2000, `all 2000 (have ${payloads.size})`, 60000);
  await peer.end();
  await client.end();
  await proxy.close();
  wx.dispose();
  await mosquitto.stop();
}, 120000);

it('background: closes on hide; a call while suspended fails SUSPENDED; on show it is back and resubscribed', async () => {
  const wx = new NodeWx({ suspendAfterMs: 300 });
  setPlatformWx(wx);
  const client = clientOn(aedes, { username: 'u', password: SECRET });
  const statuses: StatusEventDetail[] = [];
  const messages: MessageEventDetail[] = [];
  client.on('status', (s) => statuses.push(s));
  client.on('message', (m) => messages.push(m));
  await client.connect();
  await client.subscribe('cbg/#', { qos: 1 });
  wx.hideApp();
  expect(statuses[statuses.length - 1]).toMatchObject({ status: 'offline', reason: 'background' });
  await sleep(400);
  await expect(client.connect()).rejects.toMatchObject({ code: 'SUSPENDED' });
  wx.showApp();
  await until(() => client.status === 'connected', 'connected after show', 2000);
  await until(() => client.subscriptions.length === 1, 'resubscribed after show', 2000);
  const peer = await connectPeer(aedes.tcpPort);
  await peer.publish('cbg/x', 'welcome back', { qos: 1 });
  await until(() => messages.length === 1, 'a message after show');
  await peer.end();
  await client.end();
  wx.dispose();
});

it('broker restart: the session kept by mosquitto delivers what was published while it was away', async () => {
  let mosquitto: MosquittoBroker = await startMosquitto({ persistence: true });
  const wx = new NodeWx();
  setPlatformWx(wx);
  const client = clientOn(mosquitto, { clientId: 'client_restart', clean: false, protocolVersion: 5, reconnectPeriod: 3000 });
  const payloads: string[] = [];
  client.on('message', (m) => payloads.push(m.payload));
  await client.connect();
  await client.subscribe('caway/#', { qos: 1 });
  mosquitto = await mosquitto.restart();
  const peer = await connectPeer(mosquitto.tcpPort);
  for (const text of ['while', 'you', 'were', 'away']) await peer.publish('caway/news', text, { qos: 1 });
  await until(() => payloads.length === 4, 'the queued messages', 20000);
  expect(payloads).toEqual(['while', 'you', 'were', 'away']);
  await peer.end();
  await client.end();
  wx.dispose();
  await mosquitto.stop();
}, 40000);

it('200 create → connect → subscribe → end cycles: no client on the broker, no socket, no timer, a flat heap', async () => {
  const wx = new NodeWx();
  setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
  const gc = (global as { gc?: () => void }).gc;
  if (!gc) throw new Error('run jest with node --expose-gc (npm test does)');
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const cycle = async (i: number) => {
    const client = clientOn(aedes, { username: 'u', password: SECRET, clientId: `cleak_${i % 7}` });
    await client.connect();
    await client.subscribe(`cleak/${i}`, { qos: 1 });
    await client.publish(`cleak/${i}`, 'x', { qos: 1 });
    await client.end();
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
  const grown = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  console.log(JSON.stringify({ clientLeakCycles: 200, heapGrowthMB: Number(grown.toFixed(2)) }));
  await until(() => timers() <= timersBefore, `timers back to ${timersBefore} (now ${timers()})`, 5000);
  expect(grown).toBeLessThan(5);
  wx.dispose();
}, 120000);

it('the password never appeared in a client event detail or console output', () => {
  expect(seen.length).toBeGreaterThan(1000);
  expect(seen.filter((s) => s.includes(SECRET))).toEqual([]);
});
