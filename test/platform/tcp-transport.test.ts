/**
 * `transport: 'tcp'`: MQTT over WeChat's TCPSocket (the Node double of test/support/tcp-socket.ts)
 * to mosquitto's plain TCP listener, with the vendored mqtt.js above it as everywhere. The options
 * the platform refuses, the 20-in-5-minutes budget (scaled down: 3 in 3 s), drops, hide/show.
 */
import { createClient, MqttClient, setPlatformWx } from '../../src/index';
import type { ClientOptions, WarningEventDetail } from '../../src/types';
import { MosquittoBroker, startMosquitto } from '../support/brokers';
import { sleep, until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { Launches } from '../support/relaunch';
import { loadComponent, render } from '../support/simulate';
import type { MqttPanelMethods } from '../../src/types';
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

function platform(options: NodeWxOptions = {}, budget?: { limit: number; windowMs: number }): NodeWx {
  wx = new NodeWx(options);
  // the budget test drops every socket at once: without more strikes that reads as a clientId conflict
  setPlatformWx(wx, budget ? { tcpBudget: budget, limits: { conflictStrikes: 100 } } : undefined);
  return wx;
}

function tcpClient(extra: Partial<ClientOptions> = {}): MqttClient {
  const c = createClient({ host: '127.0.0.1', port: broker.tcpPort, transport: 'tcp', reconnectPeriod: 100, locale: 'en', ...extra });
  clients.push(c);
  return c;
}

describe("transport: 'tcp'", () => {
  it('QoS 0/1/2 byte-exact both ways over TCPSocket; client.url says tcp://; connectSocket never called', async () => {
    platform();
    const a = tcpClient({ clientId: `tcp_a_${process.pid}` });
    const b = tcpClient({ clientId: `tcp_b_${process.pid}` });
    const got: { topic: string; bytes: number[]; qos: number }[] = [];
    b.on('message', (m) => got.push({ topic: m.topic, bytes: [...new Uint8Array(m.bytes)], qos: m.qos }));
    await Promise.all([a.connect(), b.connect()]);
    expect(a.url).toBe(`tcp://127.0.0.1:${broker.tcpPort}`);
    await b.subscribe('tcp/#', { qos: 2 });
    const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    for (const qos of [0, 1, 2] as const) await a.publish(`tcp/q${qos}`, payload, { qos });
    await until(() => got.length === 3, 'three messages');
    expect(got.map((m) => [m.topic, m.qos])).toEqual([['tcp/q0', 0], ['tcp/q1', 1], ['tcp/q2', 2]]);
    for (const m of got) expect(m.bytes).toEqual([...payload]);
    expect(wx.requests).toHaveLength(0);
    expect(wx.tcp!.created).toHaveLength(2);
  });

  it('a QoS 1 stream across dropped sockets arrives whole; hide/show reconnects; end() leaves no socket', async () => {
    platform();
    const sender = tcpClient({ clientId: `tcp_s_${process.pid}` });
    const receiver = tcpClient({ clientId: `tcp_r_${process.pid}`, clean: false });
    const got = new Set<string>();
    receiver.on('message', (m) => got.add(m.payload));
    await Promise.all([sender.connect(), receiver.connect()]);
    await receiver.subscribe('drop/#', { qos: 1 });
    // two drops of every socket, 1.5 s apart (closer, three in a row would read as a clientId conflict)
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      sent.push(sender.publish('drop/x', String(i), { qos: 1 }));
      if (i === 20 || i === 70) [...wx.tcp!.sockets].forEach((s) => s.drop());
      await sleep(30);
    }
    await Promise.all(sent);
    await until(() => got.size === 100, 'all 100 at the receiver');
    wx.hideApp();
    await until(() => sender.status === 'offline', 'offline in the background');
    wx.showApp();
    await until(() => sender.status === 'connected', 'back on show');
    await Promise.all(clients.splice(0).map((c) => c.end()));
    await until(() => wx.tcp!.sockets.size === 0, 'no socket left');
  });

  it('never asks for more sockets than the budget allows in its window; TCP_BUDGET says when; recovers', async () => {
    platform({ tcp: { budget: 3, windowMs: 3000 } }, { limit: 3, windowMs: 3000 });
    const c = tcpClient({ clientId: `tcp_budget_${process.pid}` });
    const warnings: WarningEventDetail[] = [];
    c.on('warning', (w) => warnings.push(w));
    await c.connect();
    // drop every socket as soon as it is up: the client would reconnect every 100 ms
    const started = Date.now();
    while (warnings.length === 0 && Date.now() - started < 5000) {
      [...wx.tcp!.sockets].forEach((s) => s.drop());
      await sleep(50);
    }
    expect(warnings[0]).toMatchObject({ code: 'TCP_BUDGET', retryAt: expect.any(Number) });
    expect(warnings[0].message).toMatch(/trying again in \d+ s/);
    expect(c.status).toBe('reconnecting');
    const created = wx.tcp!.created;
    for (let i = 3; i < created.length; i++) expect(created[i] - created[i - 3]).toBeGreaterThanOrEqual(3000);
    await until(() => c.status === 'connected', 'connected once the window allows', 5000);
  }, 15000);

  it('<mqtt-panel transport="tcp"> connects over TCPSocket (its secure and default port are WebSocket notions)', async () => {
    platform();
    const panel = render(loadComponent('mqtt-panel'), { transport: 'tcp', host: '127.0.0.1', port: broker.tcpPort, headless: true });
    try {
      await (panel.instance as unknown as MqttPanelMethods).connect();
      expect((panel.instance as unknown as MqttPanelMethods).getState().status).toBe('connected');
      expect(wx.tcp!.created).toHaveLength(1);
      expect(wx.requests).toHaveLength(0);
    } finally {
      (panel as unknown as { detach(): void }).detach();
    }
    await until(() => wx.tcp!.sockets.size === 0, 'the panel detached: its socket closed');
  });

  it('network-back and persist as over WebSocket: a QoS 1 message published while offline survives a relaunch and goes out over TCP', async () => {
    platform();
    const launches = new Launches();
    const peer = await connectPeer(broker.tcpPort);
    try {
      await peer.subscribe('persist/tcp', 1);
      const options = { host: '127.0.0.1', port: broker.tcpPort, transport: 'tcp' as const, clientId: `tcp_persist_${process.pid}`, persist: true, reconnectPeriod: 100 };
      const first = launches.start();
      const c = first.client(options);
      await c.connect();
      first.wx.setNetwork(false);
      await until(() => c.status === 'offline', 'offline when the network goes');
      first.wx.setNetwork(true);
      await until(() => c.status === 'connected', 'back when the network comes back');
      first.wx.setNetwork(false);
      await until(() => c.status === 'offline', 'offline again');
      void c.publish('persist/tcp', 'kept across a relaunch', { qos: 1 }).catch(() => undefined);
      await c.flush();
      const second = launches.relaunch(first);
      const again = second.client(options);
      await again.connect();
      await peer.waitFor(1, 5000);
      expect(peer.received.map((m) => m.payload.toString())).toEqual(['kept across a relaunch']);
      expect(second.wx.tcp!.created).toHaveLength(1);
      expect(second.wx.requests).toHaveLength(0);
      await again.end();
    } finally {
      launches.killAll();
      await peer.end();
    }
  });

  it('refuses what the platform cannot do, before any platform call', async () => {
    platform();
    const tries: [Partial<ClientOptions>, string][] = [
      [{ secure: true }, 'secure'],
      [{ port: 8080 }, 'port'],
      [{ port: 443 }, 'port'],
      [{ transport: 'udp' as 'tcp' }, 'transport'],
    ];
    for (const [options, field] of tries) await expect(tcpClient(options).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field });
    expect(wx.tcp!.created).toHaveLength(0);
    platform({ tcp: false });
    await expect(tcpClient().connect()).rejects.toMatchObject({ code: 'UNSUPPORTED_PLATFORM', field: 'transport' });
    expect(wx.requests).toHaveLength(0);
  });
});
