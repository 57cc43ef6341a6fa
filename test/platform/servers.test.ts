/**
 * `servers`: an ordered broker list with failover, on two real mosquitto instances (and a scripted
 * MQTT 5 server for Server Reference).
 */
import * as mqttPacket from 'mqtt-packet';
import { createClient, MqttClient, setPlatformWx } from '../../src/index';
import type { ClientOptions, ErrorEventDetail } from '../../src/types';
import { freePort, MosquittoBroker, startMosquitto } from '../support/brokers';
import { sleep, until } from '../support/harness';
import { startScriptedBroker } from '../support/scripted-broker';
import { NodeWx } from '../support/wx';

let one: MosquittoBroker;
let two: MosquittoBroker;
let wx: NodeWx;
const clients: MqttClient[] = [];

beforeAll(async () => {
  [one, two] = await Promise.all([startMosquitto(), startMosquitto()]);
});
afterAll(async () => {
  await Promise.all([one.stop(), two.stop()]);
});
beforeEach(() => {
  wx = new NodeWx();
  setPlatformWx(wx);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  wx.dispose();
});

const at = (port: number): { host: string; port: number } => ({ host: '127.0.0.1', port });
const urlOf = (port: number): string => `ws://127.0.0.1:${port}/mqtt`;

function client(options: Partial<ClientOptions>): MqttClient {
  const c = createClient({ secure: false, path: '/mqtt', reconnectPeriod: 100, connectTimeout: 10000, locale: 'en', ...options } as ClientOptions);
  clients.push(c);
  return c;
}

describe('servers', () => {
  it('the first one down at start: connected to the second at once, not after a timeout; url and the connect detail name it', async () => {
    const down = await freePort();
    const c = client({ servers: [at(down), at(two.wsPort)], clientId: `servers_a_${process.pid}` });
    const errors: ErrorEventDetail[] = [];
    c.on('error', (e) => errors.push(e));
    const started = Date.now();
    const detail = await c.connect();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(detail.url).toBe(urlOf(two.wsPort));
    expect(c.url).toBe(urlOf(two.wsPort));
    expect(wx.requests.map((r) => r.url)).toEqual([urlOf(down), urlOf(two.wsPort)]);
    expect(errors).toEqual([]);
  });

  it('the first one killed while connected: one retry there, then on the second, resubscribed; a QoS 1 stream across the switch arrives whole', async () => {
    const first = await startMosquitto();
    try {
      const c = client({ servers: [at(first.wsPort), at(two.wsPort)], clientId: `servers_b_${process.pid}` });
      const own: string[] = [];
      c.on('message', (m) => own.push(m.payload));
      await c.connect();
      await c.subscribe('fail/over', { qos: 1 });
      // what reached either broker: an observer on each
      const seen = new Set<string>();
      const observers = [client({ host: '127.0.0.1', port: first.wsPort }), client({ host: '127.0.0.1', port: two.wsPort })];
      for (const o of observers) {
        o.on('message', (m) => seen.add(m.payload));
        await o.connect();
        await o.subscribe('fail/stream', { qos: 1 });
      }
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        sent.push(c.publish('fail/stream', String(i), { qos: 1 }));
        if (i === 20) void first.stop();
        await sleep(20);
      }
      await Promise.all(sent);
      await until(() => seen.size === 60, 'all 60 at one broker or the other', 10000);
      expect(c.url).toBe(urlOf(two.wsPort));
      // resubscribed on the second: a message there comes back
      await observers[1].publish('fail/over', 'on the second', { qos: 1 });
      await until(() => own.includes('on the second'), 'the resubscribed filter on the second broker');
      expect(wx.requests.filter((r) => r.url === urlOf(first.wsPort)).length).toBeGreaterThanOrEqual(2);
    } finally {
      await first.stop().catch(() => undefined);
    }
  }, 20000);

  it('a whole round failing: the error, connect() rejects, back-off, and the next round', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const c = client({ servers: [at(a), at(b)], reconnectPeriod: 300 });
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.code));
    await expect(c.connect()).rejects.toMatchObject({ code: 'SOCKET_ERROR' });
    expect(wx.requests.map((r) => r.url)).toEqual([urlOf(a), urlOf(b)]);
    expect(errors).toEqual(['SOCKET_ERROR']);
    expect(c.status).toBe('reconnecting');
    await until(() => wx.requests.length >= 4, 'the next round after the back-off');
  });

  it('a round ending on a server that refuses for good, while another was only down: back-off and another round, not giving up', async () => {
    const down = await freePort();
    const refusing = await startScriptedBroker((c, raw) => {
      // 0x84 Unsupported Protocol Version: not worth asking that server again
      if (raw[0] >> 4 === 1) c.send(mqttPacket.generate({ cmd: 'connack', sessionPresent: false, reasonCode: 0x84, properties: {} } as mqttPacket.Packet, { protocolVersion: 5 }));
    });
    try {
      const c = client({ servers: [at(down), at(refusing.port)], protocolVersion: 5, reconnectPeriod: 300 });
      await expect(c.connect()).rejects.toMatchObject({ code: 'CONNECT_REFUSED', returnCode: 0x84 });
      expect(c.status).toBe('reconnecting');
      await until(() => wx.requests.length >= 3, 'the next round after the back-off');
      expect(wx.requests[2].url).toBe(urlOf(down));
    } finally {
      await refusing.close();
    }
  });

  it('an MQTT 5 Server Reference naming a listed server switches to it at once; equal lists share one socket', async () => {
    const scripted = await startScriptedBroker((c, raw) => {
      const parser = mqttPacket.parser({ protocolVersion: 5 });
      parser.on('packet', (p) => {
        if (p.cmd === 'connect') c.send(mqttPacket.generate({ cmd: 'connack', sessionPresent: false, reasonCode: 0, properties: {} } as mqttPacket.Packet, { protocolVersion: 5 }));
      });
      parser.parse(raw);
    });
    try {
      const servers = [at(scripted.port), at(two.wsPort)];
      const c = client({ servers, protocolVersion: 5, clientId: `servers_c_${process.pid}` });
      const twin = client({ servers, protocolVersion: 5, clientId: `servers_c_${process.pid}` });
      await Promise.all([c.connect(), twin.connect()]);
      expect(wx.requests).toHaveLength(1);
      const statuses: string[] = [];
      c.on('status', (s) => statuses.push(`${s.status}:${s.reason ?? ''}`));
      scripted.connections[0].send(mqttPacket.generate({ cmd: 'disconnect', reasonCode: 0x9c, properties: { serverReference: `127.0.0.1:${two.wsPort}` } } as mqttPacket.Packet, { protocolVersion: 5 }));
      await until(() => c.status === 'connected' && c.url === urlOf(two.wsPort), 'on the referenced server');
      expect(statuses).toEqual(['reconnecting:server moved', 'connected:']);
      expect(wx.requests.map((r) => r.url)).toEqual([urlOf(scripted.port), urlOf(two.wsPort)]);
    } finally {
      await scripted.close();
    }
  });

  it('bad lists are coded errors, nothing thrown', async () => {
    const tries: [Partial<ClientOptions>, string][] = [
      [{ servers: [] }, 'servers'],
      [{ servers: 'a.example.com' as never }, 'servers'],
      [{ servers: [at(1)], host: 'a.example.com' }, 'servers'],
      [{ servers: [{ host: 'a.example.com' }, { host: 'wss://b.example.com' }] }, 'servers[1].host'],
      [{ servers: [{ host: 'a.example.com', port: 70000 }] }, 'servers[0].port'],
      [{ servers: [{ host: 'a.example.com', path: 'mqtt' }] }, 'servers[0].path'],
      [{ servers: [at(1883)], transport: 'tcp' }, 'servers'],
    ];
    for (const [options, field] of tries) await expect(client(options).connect()).rejects.toMatchObject({ code: 'INVALID_OPTION', field });
    expect(wx.requests).toHaveLength(0);
  });
});
