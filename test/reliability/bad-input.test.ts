/**
 * The bad-input matrix: properties, method arguments, call order and refusing brokers. Each case
 * must give a coded error (or succeed where the input is odd but valid), never throw into the host,
 * and leave the panel working: a valid publish succeeds afterwards.
 */
import type { MqttErrorDetail, MqttPanelMethods } from '../../src/types';
import { setPlatformWx } from '../../src/platform/index';
import { Broker, startAedes } from '../support/brokers';
import { until } from '../support/harness';
import { startRefusingBroker } from '../support/raw-broker';
import { listen, loadComponent, render, Rendered } from '../support/simulate';
import { NodeWx } from '../support/wx';

type Outcome = string; // an error code, or 'ok'
const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

let panelId: string;
let broker: Broker;
let wx: NodeWx;
let panel: Rendered;
let api: MqttPanelMethods;
let errors: MqttErrorDetail[];
const tried: string[] = [];

beforeAll(async () => {
  panelId = loadComponent('mqtt-panel');
  broker = await startAedes();
  wx = new NodeWx();
  setPlatformWx(wx);
  panel = render(panelId, { headless: true, host: broker.host, port: broker.wsPort, secure: false, clientId: 'matrix', topic: 'matrix/#', payload: 'typed text', reconnectPeriod: 100, username: 'matrix', password: 'matrix-secret' });
  api = panel.instance as unknown as MqttPanelMethods;
  errors = listen<MqttErrorDetail>(panel, 'error');
  await api.connect();
});
afterAll(async () => {
  await api.disconnect().catch(() => undefined);
  wx.dispose();
  await broker.stop();
  console.log(JSON.stringify({ badInputsTried: tried.length }));
});

async function outcome(action: () => Promise<unknown>): Promise<Outcome> {
  try {
    await action();
    return 'ok';
  } catch (error) {
    const detail = error as MqttErrorDetail;
    expect(typeof detail.code).toBe('string');
    expect(detail.message.length).toBeGreaterThan(0);
    return detail.code;
  }
}

async function stillWorks(): Promise<void> {
  if (api.getState().status !== 'connected') {
    panel.setData({ host: broker.host, port: broker.wsPort, path: '/mqtt', protocolVersion: 4, keepalive: 60, reconnectPeriod: 100, connectTimeout: 30000, will: null, clientId: 'matrix', username: 'matrix' });
    await api.connect();
  }
  await expect(api.publish('matrix/ok', 'still works', { qos: 1 })).resolves.toMatchObject({ topic: 'matrix/ok' });
}

const publishCases: [string, unknown[], Outcome][] = [
  ['empty topic', ['', 'x'], 'INVALID_TOPIC'],
  ['+ in topic', ['a/+', 'x'], 'INVALID_TOPIC'],
  ['# in topic', ['a/#', 'x'], 'INVALID_TOPIC'],
  ['bare #', ['#', 'x'], 'INVALID_TOPIC'],
  ['NUL in topic', ['a\u0000b', 'x'], 'INVALID_TOPIC'],
  ['numeric topic', [123, 'x'], 'INVALID_TOPIC'],
  ['null topic', [null, 'x'], 'INVALID_TOPIC'],
  ['object topic', [{}, 'x'], 'INVALID_TOPIC'],
  ['topic over 65,535 bytes', ['t'.repeat(70000), 'x'], 'INVALID_TOPIC'],
  ['QoS 3', ['a', 'x', { qos: 3 }], 'INVALID_QOS'],
  ['QoS -1', ['a', 'x', { qos: -1 }], 'INVALID_QOS'],
  ['QoS NaN', ['a', 'x', { qos: NaN }], 'INVALID_QOS'],
  ['QoS "1"', ['a', 'x', { qos: '1' }], 'INVALID_QOS'],
  ['QoS 1.5', ['a', 'x', { qos: 1.5 }], 'INVALID_QOS'],
  ['options a string', ['a', 'x', 'qos1'], 'INVALID_OPTION'],
  ['payload a function', ['a', () => 1], 'INVALID_PAYLOAD'],
  ['payload cyclic', ['a', cyclic], 'INVALID_PAYLOAD'],
  ['payload a Symbol', ['a', Symbol('s')], 'INVALID_PAYLOAD'],
  ['payload a BigInt', ['a', BigInt(7)], 'INVALID_PAYLOAD'],
  ['payload null', ['a', null], 'INVALID_PAYLOAD'],
  ['payload NaN', ['a', NaN], 'INVALID_PAYLOAD'],
  ['payload a Date', ['a', new Date(0)], 'INVALID_PAYLOAD'],
  ['payload 2 MB string', ['a', 'x'.repeat(2 * 1024 * 1024)], 'PAYLOAD_TOO_LARGE'],
  ['payload 2 MB ArrayBuffer', ['a', new ArrayBuffer(2 * 1024 * 1024)], 'PAYLOAD_TOO_LARGE'],
  ['payload undefined → the typed text', ['matrix/x', undefined], 'ok'],
  ['payload an object → JSON', ['matrix/x', { a: [1, 2] }], 'ok'],
  ['payload a Uint8Array view', ['matrix/x', new Uint8Array([1, 2, 3]).subarray(1)], 'ok'],
  ['payload empty string', ['matrix/x', ''], 'ok'],
  ['payload a number', ['matrix/x', 42], 'ok'],
  ['retain not boolean', ['matrix/x', 'x', { retain: 'yes' }], 'INVALID_OPTION'],
];

const subscribeCases: [string, unknown[], Outcome][] = [
  ['empty filter', [''], 'INVALID_TOPIC'],
  ['# not last', ['a/#/b'], 'INVALID_TOPIC'],
  ['+ inside a level', ['a+/b'], 'INVALID_TOPIC'],
  ['# inside a level', ['a#'], 'INVALID_TOPIC'],
  ['bad shared subscription', ['$share/g'], 'INVALID_TOPIC'],
  ['numeric filter', [5], 'INVALID_TOPIC'],
  ['NUL in filter', ['a\u0000'], 'INVALID_TOPIC'],
  ['QoS 3', ['matrix/s', 3], 'INVALID_QOS'],
  ['QoS -1', ['matrix/s', -1], 'INVALID_QOS'],
  ['QoS NaN', ['matrix/s', NaN], 'INVALID_QOS'],
  ['QoS "2"', ['matrix/s', '2'], 'INVALID_QOS'],
  ['valid wildcard', ['matrix/+/s', 1], 'ok'],
];

const unsubscribeCases: [string, unknown[], Outcome][] = [
  ['empty filter', [''], 'INVALID_TOPIC'],
  ['bad filter', ['a/#/b'], 'INVALID_TOPIC'],
  ['numeric filter', [7], 'INVALID_TOPIC'],
  ['never subscribed', ['matrix/never'], 'ok'],
];

const propertyCases: [string, Record<string, unknown>, Outcome][] = [
  ['empty host', { host: '' }, 'INVALID_OPTION'],
  ['host with scheme', { host: 'wss://broker.emqx.io' }, 'INVALID_OPTION'],
  ['host with path', { host: 'broker.emqx.io/mqtt' }, 'INVALID_OPTION'],
  ['host with port', { host: '127.0.0.1:8083' }, 'INVALID_OPTION'],
  ['host with space', { host: 'bro ker' }, 'INVALID_OPTION'],
  ['port 0', { port: 0 }, 'INVALID_OPTION'],
  ['port 70000', { port: 70000 }, 'INVALID_OPTION'],
  ['port "abc"', { port: 'abc' }, 'INVALID_OPTION'],
  ['port -1', { port: -1 }, 'INVALID_OPTION'],
  ['port 1.5', { port: 1.5 }, 'INVALID_OPTION'],
  ['path without /', { path: 'mqtt' }, 'INVALID_OPTION'],
  ['path with space', { path: '/a b' }, 'INVALID_OPTION'],
  ['protocolVersion 3', { protocolVersion: 3 }, 'INVALID_OPTION'],
  ['protocolVersion 6', { protocolVersion: 6 }, 'INVALID_OPTION'],
  ['keepalive -1', { keepalive: -1 }, 'INVALID_OPTION'],
  ['reconnectPeriod -5', { reconnectPeriod: -5 }, 'INVALID_OPTION'],
  ['connectTimeout 0', { connectTimeout: 0 }, 'INVALID_OPTION'],
  ['will with a wildcard topic', { will: { topic: 'a/#', payload: 'x' } }, 'INVALID_OPTION'],
  ['will with QoS 5', { will: { topic: 'a', qos: 5 } }, 'INVALID_OPTION'],
  ['numeric clientId (coerced by the String property)', { clientId: 12345 }, 'ok'],
  ['empty clientId → random', { clientId: '' }, 'ok'],
  ['password without a username (MQTT 3.1.1)', { username: '' }, 'INVALID_OPTION'],
];

describe('bad input matrix', () => {
  afterEach(async () => {
    await stillWorks();
  });

  it.each(publishCases)('publish: %s', async (label, args, expected) => {
    tried.push(`publish: ${label}`);
    expect(await outcome(() => (api.publish as (...a: unknown[]) => Promise<unknown>)(...args))).toBe(expected);
  });

  it.each(subscribeCases)('subscribe: %s', async (label, args, expected) => {
    tried.push(`subscribe: ${label}`);
    expect(await outcome(() => (api.subscribe as (...a: unknown[]) => Promise<unknown>)(...args))).toBe(expected);
  });

  it.each(unsubscribeCases)('unsubscribe: %s', async (label, args, expected) => {
    tried.push(`unsubscribe: ${label}`);
    expect(await outcome(() => (api.unsubscribe as (...a: unknown[]) => Promise<unknown>)(...args))).toBe(expected);
  });

  it.each(propertyCases)('property: %s', async (label, props, expected) => {
    tried.push(`property: ${label}`);
    await api.disconnect();
    panel.setData(props);
    expect(await outcome(() => api.connect())).toBe(expected);
  });

  it('connect twice and disconnect twice are fine', async () => {
    tried.push('connect twice', 'disconnect twice');
    await expect(api.connect()).resolves.toMatchObject({ clientId: 'matrix' });
    await expect(api.connect()).resolves.toMatchObject({ clientId: 'matrix' });
    await api.disconnect();
    await expect(api.disconnect()).resolves.toBeUndefined();
    await api.connect();
  });

  it('during a reconnect: QoS 0 gives NOT_CONNECTED, QoS 1 is queued and delivered', async () => {
    tried.push('publish QoS 0 during reconnect', 'publish QoS 1 during reconnect');
    [...wx.sockets][0].interrupt('network blip');
    await until(() => api.getState().status === 'reconnecting', 'reconnecting');
    expect(await outcome(() => api.publish('matrix/r', 'x', { qos: 0 }))).toBe('NOT_CONNECTED');
    const queued = api.publish('matrix/r', 'queued', { qos: 1 });
    await expect(queued).resolves.toMatchObject({ topic: 'matrix/r' });
  });

  it('every error carried a code, a message and a fix, and never the password', () => {
    expect(errors.length).toBeGreaterThan(50);
    for (const e of errors) {
      expect(e.code).toMatch(/^[A-Z_]+$/);
      expect(e.fix).toBeTruthy();
    }
    expect(JSON.stringify(errors)).not.toContain('matrix-secret');
  });
});

describe('before connect, after detach, and refusing brokers', () => {
  it.each(['publish', 'subscribe', 'unsubscribe'] as const)('%s before connect → NOT_CONNECTED', async (method) => {
    tried.push(`${method} before connect`);
    const fresh = render(panelId, { headless: true, host: broker.host, port: broker.wsPort, secure: false });
    const m = fresh.instance as unknown as MqttPanelMethods;
    expect(await outcome(() => m[method]('matrix/a'))).toBe('NOT_CONNECTED');
  });

  it.each(['connect', 'publish', 'subscribe', 'disconnect'] as const)('%s after detach → DESTROYED, nothing thrown', async (method) => {
    tried.push(`${method} after detach`);
    const gone = render(panelId, { headless: true, host: broker.host, port: broker.wsPort, secure: false });
    const m = gone.instance as unknown as MqttPanelMethods;
    (gone as unknown as { detach(): void }).detach();
    expect(await outcome(() => (m[method] as (t?: string) => Promise<unknown>)('matrix/a'))).toBe('DESTROYED');
  });

  it.each([
    [1, 'CONNECT_REFUSED'],
    [2, 'CONNECT_REFUSED'],
    [3, 'CONNECT_REFUSED'],
    [4, 'NOT_AUTHORIZED'],
    [5, 'NOT_AUTHORIZED'],
  ])('CONNACK return code %i → %s with the code', async (rc, code) => {
    tried.push(`CONNACK ${rc}`);
    const refusing = await startRefusingBroker();
    const p = render(panelId, { headless: true, host: '127.0.0.1', port: refusing.port, path: `/rc/${rc}`, secure: false, reconnectPeriod: 0 });
    const m = p.instance as unknown as MqttPanelMethods;
    const rejected = await m.connect().then(() => undefined, (e: MqttErrorDetail) => e);
    expect(rejected).toMatchObject({ code, returnCode: rc });
    (p as unknown as { detach(): void }).detach();
    await refusing.close();
  });
});
