/**
 * Bad input to every client method and option, against aedes. Each case: nothing is thrown
 * synchronously, the promise rejects with a real MqttError carrying exactly the expected code,
 * field and topic, and the client still connects, publishes and receives afterwards (one round
 * trip per group). on() misuse is reported as an `error` event, never thrown.
 */
import { createClient, MqttClient, MqttError, MqttScope, toMqttError } from '../../src/index';
import { setPlatformWx } from '../../src/platform/index';
import type { ClientOptions, ErrorEventDetail, StatusEventDetail } from '../../src/types';
import { AedesBroker, startAedes } from '../support/brokers';
import { Expected, expectRejection, Made, optionsFor, roundTrip } from '../support/client';
import { sleep, until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { NodeWx } from '../support/wx';

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;
const MB = 1024 * 1024;

let broker: AedesBroker;
let wx: NodeWx;
let good: MqttClient;
const made = new Made();
/** Clients of one test, ended after it (WeChat allows 5 sockets). */
const local = new Made();
const tried: string[] = [];
afterEach(() => local.endAll());

beforeAll(async () => {
  broker = await startAedes();
  wx = new NodeWx();
  setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
  good = made.create(optionsFor(broker, { name: 'good-name', clientId: 'bad_input_good', locale: 'en' }));
  await good.connect();
});
afterAll(async () => {
  await made.endAll();
  wx.dispose();
  await broker.stop();
  console.log(JSON.stringify({ clientBadInputsTried: tried.length }));
});

type Call = (...args: unknown[]) => Promise<unknown>;
const call = (target: object, method: string): Call => (target as Record<string, Call>)[method].bind(target);

/** [label, options built from a valid base, the field INVALID_OPTION must name] */
type OptionCase = [string, (base: Record<string, unknown>) => unknown, string];
const without = (base: Record<string, unknown>, key: string): Record<string, unknown> => {
  const copy = { ...base };
  delete copy[key];
  return copy;
};

const optionCases: OptionCase[] = [
  ['host missing', (b) => without(b, 'host'), 'host'],
  ['host empty', (b) => ({ ...b, host: '' }), 'host'],
  ['host a number', (b) => ({ ...b, host: 42 }), 'host'],
  ['host with a scheme', (b) => ({ ...b, host: 'ws://127.0.0.1' }), 'host'],
  ['host with a port', (b) => ({ ...b, host: '127.0.0.1:8083' }), 'host'],
  ['host with a path', (b) => ({ ...b, host: '127.0.0.1/mqtt' }), 'host'],
  ['port 0', (b) => ({ ...b, port: 0 }), 'port'],
  ['port 65536', (b) => ({ ...b, port: 65536 }), 'port'],
  ['port 1.5', (b) => ({ ...b, port: 1.5 }), 'port'],
  ['port "80x"', (b) => ({ ...b, port: '80x' }), 'port'],
  ['port NaN', (b) => ({ ...b, port: NaN }), 'port'],
  ['path without a leading /', (b) => ({ ...b, path: 'mqtt' }), 'path'],
  ['path a number', (b) => ({ ...b, path: 5 }), 'path'],
  ['secure "true"', (b) => ({ ...b, secure: 'true' }), 'secure'],
  ['secure 1', (b) => ({ ...b, secure: 1 }), 'secure'],
  ['clientId a number', (b) => ({ ...b, clientId: 12345 }), 'clientId'],
  ['clientId an object', (b) => ({ ...b, clientId: { id: 'x' } }), 'clientId'],
  ['username a number', (b) => ({ ...b, username: 5 }), 'username'],
  ['protocolVersion 3', (b) => ({ ...b, protocolVersion: 3 }), 'protocolVersion'],
  ['protocolVersion 6', (b) => ({ ...b, protocolVersion: 6 }), 'protocolVersion'],
  ['protocolVersion "5x"', (b) => ({ ...b, protocolVersion: '5x' }), 'protocolVersion'],
  ['keepalive -1', (b) => ({ ...b, keepalive: -1 }), 'keepalive'],
  ['keepalive 65536', (b) => ({ ...b, keepalive: 65536 }), 'keepalive'],
  ['reconnectPeriod too big (3,600,001 ms)', (b) => ({ ...b, reconnectPeriod: 3600001 }), 'reconnectPeriod'],
  ['connectTimeout too small (99 ms)', (b) => ({ ...b, connectTimeout: 99 }), 'connectTimeout'],
  ['clean "no"', (b) => ({ ...b, clean: 'no' }), 'clean'],
  ['will a string', (b) => ({ ...b, will: 'bye' }), 'will'],
  ['will topic with #', (b) => ({ ...b, will: { topic: 'a/#', payload: 'bye' } }), 'will.topic'],
  ['will topic empty', (b) => ({ ...b, will: { topic: '', payload: 'bye' } }), 'will.topic'],
  ['will qos 3', (b) => ({ ...b, will: { topic: 'a', payload: 'bye', qos: 3 } }), 'will.qos'],
  ['will payload a function', (b) => ({ ...b, will: { topic: 'a', payload: () => 'bye' } }), 'will.payload'],
  ['will payload over 64 KB', (b) => ({ ...b, will: { topic: 'a', payload: 'x'.repeat(65536) } }), 'will.payload'],
  ['will retain "yes"', (b) => ({ ...b, will: { topic: 'a', payload: 'bye', retain: 'yes' } }), 'will.retain'],
  ['sessionExpiryInterval at MQTT 3.1.1', (b) => ({ ...b, sessionExpiryInterval: 60 }), 'sessionExpiryInterval'],
  ['sessionExpiryInterval -1 at MQTT 5', (b) => ({ ...b, protocolVersion: 5, sessionExpiryInterval: -1 }), 'sessionExpiryInterval'],
  ['password without username at MQTT 3.1.1', (b) => ({ ...b, password: 'secret' }), 'password'],
  ['a taken name with other connection options', (b) => ({ ...b, name: 'good-name', clientId: 'someone_else' }), 'name'],
  ['options a string', () => 'ws://127.0.0.1:8083/mqtt', 'options'],
  ['options null', () => null, 'options'],
  ['options undefined', () => undefined, 'options'],
  ['options an array', (b) => [b], 'options'],
  ['options a number', () => 8083, 'options'],
];

describe('createClient options', () => {
  it.each(optionCases)('%s → INVALID_OPTION field %s', async (label, build, field) => {
    tried.push(`option: ${label}`);
    const options = build({ host: broker.host, port: broker.wsPort, path: '/mqtt', secure: false, locale: 'en' });
    const requests = wx.requests.length;
    let client!: MqttClient;
    expect(() => {
      client = createClient(options as ClientOptions);
    }).not.toThrow();
    expect(client).toBeInstanceOf(MqttClient);
    expect(client).not.toBe(good);
    made.add(client);
    const error = await expectRejection(() => client.connect(), { code: 'INVALID_OPTION', field });
    expect(error.fix).toBeTruthy();
    // Every later call says the same, and no socket is ever asked for.
    await expectRejection(() => client.subscribe('ok/#'), { code: 'INVALID_OPTION', field });
    await expectRejection(() => client.publish('ok/x', 'x'), { code: 'INVALID_OPTION', field });
    expect(client.status).toBe('idle');
    expect(wx.requests.length).toBe(requests);
    expect(JSON.stringify(error)).not.toContain('secret');
  });

  it('afterwards a client still connects, publishes and receives', async () => {
    expect(good.status).toBe('connected');
    await roundTrip(good);
    const fresh = local.create(optionsFor(broker, { locale: 'en' }));
    await fresh.connect();
    await roundTrip(fresh);
  });
});

/** [label, arguments, expected code, field, topic] */
type CallCase = [string, unknown[], string, string | undefined, string | undefined];
const long = 't'.repeat(70000);

const subscribeCases: CallCase[] = [
  ["''", [''], 'INVALID_TOPIC', undefined, ''],
  ["'a/#/b' (# not last)", ['a/#/b'], 'INVALID_TOPIC', undefined, 'a/#/b'],
  ["'a+' (+ inside a level)", ['a+'], 'INVALID_TOPIC', undefined, 'a+'],
  ["'a#' (# inside a level)", ['a#'], 'INVALID_TOPIC', undefined, 'a#'],
  ["'$share/g' (no filter)", ['$share/g'], 'INVALID_TOPIC', undefined, '$share/g'],
  ['a NUL character', ['a\u0000b'], 'INVALID_TOPIC', undefined, 'a\u0000b'],
  ['a filter over 65,535 bytes', [long], 'INVALID_TOPIC', undefined, long],
  ['a number', [5], 'INVALID_TOPIC', undefined, undefined],
  ['null', [null], 'INVALID_TOPIC', undefined, undefined],
  ['no filter at all', [], 'INVALID_TOPIC', undefined, undefined],
  ['an object', [{ topic: 'ok/a' }], 'INVALID_TOPIC', undefined, undefined],
  ['{qos: 3}', ['ok/s', { qos: 3 }], 'INVALID_QOS', 'qos', undefined],
  ["{qos: '1'}", ['ok/s', { qos: '1' }], 'INVALID_QOS', 'qos', undefined],
  ['{qos: -1}', ['ok/s', { qos: -1 }], 'INVALID_QOS', 'qos', undefined],
  ['{qos: 1.5}', ['ok/s', { qos: 1.5 }], 'INVALID_QOS', 'qos', undefined],
  ['bare QoS 3', ['ok/s', 3], 'INVALID_QOS', 'qos', undefined],
  ["options 'garbage' (read as a bare QoS)", ['ok/s', 'garbage'], 'INVALID_QOS', 'qos', undefined],
  ['options true', ['ok/s', true], 'INVALID_QOS', 'qos', undefined],
  ['options an array', ['ok/s', [1]], 'INVALID_QOS', 'qos', undefined],
];

const unsubscribeCases: CallCase[] = [
  ["''", [''], 'INVALID_TOPIC', undefined, ''],
  ["'a/#/b'", ['a/#/b'], 'INVALID_TOPIC', undefined, 'a/#/b'],
  ["'a+'", ['a+'], 'INVALID_TOPIC', undefined, 'a+'],
  ['a number', [7], 'INVALID_TOPIC', undefined, undefined],
  ['null', [null], 'INVALID_TOPIC', undefined, undefined],
];

const publishCases: CallCase[] = [
  ["wildcard 'a/+'", ['a/+', 'x'], 'INVALID_TOPIC', undefined, 'a/+'],
  ["wildcard 'a/#'", ['a/#', 'x'], 'INVALID_TOPIC', undefined, 'a/#'],
  ["'#'", ['#', 'x'], 'INVALID_TOPIC', undefined, '#'],
  ["''", ['', 'x'], 'INVALID_TOPIC', undefined, ''],
  ['a topic over 65,535 bytes', [long, 'x'], 'INVALID_TOPIC', undefined, long],
  ['a number topic', [123, 'x'], 'INVALID_TOPIC', undefined, undefined],
  ['a null topic', [null, 'x'], 'INVALID_TOPIC', undefined, undefined],
  ['{qos: -1}', ['ok/p', 'x', { qos: -1 }], 'INVALID_QOS', 'qos', undefined],
  ['{qos: 3}', ['ok/p', 'x', { qos: 3 }], 'INVALID_QOS', 'qos', undefined],
  ["{qos: '1'}", ['ok/p', 'x', { qos: '1' }], 'INVALID_QOS', 'qos', undefined],
  ["{retain: 'yes'}", ['ok/p', 'x', { retain: 'yes' }], 'INVALID_OPTION', 'retain', undefined],
  ['{retain: 1}', ['ok/p', 'x', { retain: 1 }], 'INVALID_OPTION', 'retain', undefined],
  ['payload undefined', ['ok/p', undefined], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload missing', ['ok/p'], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload a function', ['ok/p', () => 1], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload a circular object', ['ok/p', cyclic], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload a Symbol', ['ok/p', Symbol('s')], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload a BigInt', ['ok/p', BigInt(7)], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload an object holding a BigInt', ['ok/p', { n: BigInt(7) }], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload null', ['ok/p', null], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload NaN', ['ok/p', NaN], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload a Date', ['ok/p', new Date(0)], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload a Map', ['ok/p', new Map([[1, 2]])], 'INVALID_PAYLOAD', 'payload', undefined],
  ['payload a string over 1 MB', ['ok/p', 'x'.repeat(MB + 1)], 'PAYLOAD_TOO_LARGE', 'payload', undefined],
  ['payload 1 MB of 3-byte characters (1.2 MB of UTF-8)', ['ok/p', '字'.repeat(400000)], 'PAYLOAD_TOO_LARGE', 'payload', undefined],
  ['payload a 2 MB ArrayBuffer', ['ok/p', new ArrayBuffer(2 * MB)], 'PAYLOAD_TOO_LARGE', 'payload', undefined],
  ['payload a Uint8Array over 1 MB', ['ok/p', new Uint8Array(MB + 1)], 'PAYLOAD_TOO_LARGE', 'payload', undefined],
  ['payload an object whose JSON is over 1 MB', ['ok/p', { big: 'x'.repeat(MB) }], 'PAYLOAD_TOO_LARGE', 'payload', undefined],
];

describe.each<[string, CallCase[]]>([
  ['subscribe', subscribeCases],
  ['unsubscribe', unsubscribeCases],
  ['publish', publishCases],
])('%s on a connected client', (method, cases) => {
  it.each(cases)(`${method}: %s → %s`, async (label, args, code, field, topic) => {
    tried.push(`${method}: ${label}`);
    const expected: Expected = { code, field, topic };
    const error = await expectRejection(() => call(good, method)(...args), expected);
    expect(error.message).not.toMatch(/network|socket/i);
    // The same through a scope.
    const scope = good.scope();
    await expectRejection(() => call(scope, method)(...args), expected);
    await scope.release();
    expect(good.status).toBe('connected');
  });

  it(`afterwards the same client still connects, publishes and receives`, async () => {
    expect(good.status).toBe('connected');
    await roundTrip(good);
  });
});

describe('publish options that are not an object', () => {
  // regression: a non-object publish option is INVALID_OPTION "options", as <mqtt-panel> reports it
  it("publish('ok/p', 'x', 'qos1') → INVALID_OPTION field options, as <mqtt-panel> says", async () => {
    tried.push('publish: options a string');
    await expectRejection(() => call(good, 'publish')('ok/p', 'x', 'qos1'), { code: 'INVALID_OPTION', field: 'options' });
  });

  it('afterwards the same client still publishes and receives', () => roundTrip(good));
});

describe('calls in the wrong order', () => {
  it.each<[string, unknown[]]>([
    ['subscribe', ['order/#']],
    ['unsubscribe', ['order/#']],
    ['publish', ['order/x', 'x']],
    ['publish', ['order/x', 'x', { qos: 1 }]],
  ])('%s before connect → NOT_CONNECTED; then it connects and works', async (method, args) => {
    tried.push(`${method} before connect`);
    const client = local.create(optionsFor(broker, { locale: 'en' }));
    await expectRejection(() => call(client, method)(...args), { code: 'NOT_CONNECTED' });
    await expectRejection(() => call(client.scope(), method)(...args), { code: 'NOT_CONNECTED' });
    expect(client.status).toBe('idle');
    expect(client.subscriptions).toEqual([]);
    await client.connect();
    await roundTrip(client);
  });

  it.each<[string, unknown[]]>([
    ['subscribe', ['order/#']],
    ['unsubscribe', ['order/#']],
    ['publish', ['order/x', 'x']],
    ['publish', ['order/x', 'x', { qos: 2 }]],
  ])('%s after end → NOT_CONNECTED; then it connects again and works', async (method, args) => {
    tried.push(`${method} after end`);
    const client = local.create(optionsFor(broker, { locale: 'en' }));
    await client.connect();
    const scope = client.scope();
    await client.end();
    await expectRejection(() => call(client, method)(...args), { code: 'NOT_CONNECTED' });
    await expectRejection(() => call(scope, method)(...args), { code: 'NOT_CONNECTED' });
    expect(client.status).toBe('closed');
    await client.connect();
    await roundTrip(client);
  });

  it.each<[string, unknown[]]>([
    ['subscribe', ['order/#']],
    ['unsubscribe', ['order/#']],
    ['publish', ['order/x', 'x']],
    ['publish', ['order/x', 'x', { qos: 1 }]],
  ])('scope.%s after release → DESTROYED; the client and a new scope still work', async (method, args) => {
    tried.push(`scope.${method} after release`);
    const scope = good.scope();
    await scope.subscribe('order/#');
    await scope.release();
    const error = await expectRejection(() => call(scope, method)(...args), { code: 'DESTROYED' });
    expect(error.fix).toBeUndefined();
    await roundTrip(good.scope());
    await roundTrip(good);
  });

  it('connect twice, end twice, end before connect: all resolve', async () => {
    tried.push('connect twice', 'end twice', 'end before connect');
    const client = local.create(optionsFor(broker, { locale: 'en' }));
    await expect(client.end()).resolves.toBeUndefined();
    const [a, b] = await Promise.all([client.connect(), client.connect()]);
    expect(b).toEqual(a);
    await expect(client.connect()).resolves.toEqual(a);
    await expect(client.end()).resolves.toBeUndefined();
    await expect(client.end()).resolves.toBeUndefined();
    await client.connect();
    await roundTrip(client);
  });
});

describe('on() misuse: an error event, never a throw', () => {
  const errors: { who: string; detail: ErrorEventDetail }[] = [];
  let offs: (() => void)[] = [];
  beforeAll(() => {
    offs = [good.on('error', (detail) => errors.push({ who: 'client', detail }))];
  });
  afterAll(() => offs.forEach((off) => off()));

  it.each<[string, 'client' | 'scope', unknown, unknown, string]>([
    ["on('nope', fn)", 'client', 'nope', () => undefined, 'event'],
    ['on(undefined, fn)', 'client', undefined, () => undefined, 'event'],
    ["on('Message', fn) (case matters)", 'client', 'Message', () => undefined, 'event'],
    ["on('message', 'notafunction')", 'client', 'message', 'notafunction', 'listener'],
    ["on('message') without a listener", 'client', 'message', undefined, 'listener'],
    ["on('error', {})", 'client', 'error', {}, 'listener'],
    ["scope.on('nope', fn)", 'scope', 'nope', () => undefined, 'event'],
    ["scope.on('status', 42)", 'scope', 'status', 42, 'listener'],
  ])('%s', async (label, target, event, listener, field) => {
    tried.push(`on: ${label}`);
    const before = errors.length;
    const owner = target === 'client' ? good : good.scope();
    const on = owner.on.bind(owner) as unknown as (e: unknown, l: unknown) => unknown;
    const heardByScope: ErrorEventDetail[] = [];
    if (owner !== good) owner.on('error', (d) => heardByScope.push(d));
    let off: unknown;
    expect(() => {
      off = on(event, listener);
    }).not.toThrow();
    expect(typeof off).toBe('function');
    expect(() => (off as () => void)()).not.toThrow();
    await until(() => errors.length === before + 1, 'the error event');
    await sleep(20);
    expect(errors).toHaveLength(before + 1);
    const { detail } = errors[before];
    expect(Object.getPrototypeOf(detail)).toBe(Object.prototype);
    expect(detail).not.toBeInstanceOf(Error);
    expect(detail).toMatchObject({ code: 'INVALID_OPTION', field });
    expect(detail.message.length).toBeGreaterThan(0);
    expect(detail.fix).toBeTruthy();
    if (owner !== good) expect(heardByScope).toEqual([detail]);
    if (owner !== good) await (owner as MqttScope).release();
  });

  it('afterwards the same client still publishes and receives', () => roundTrip(good));
});

describe('bugs are not network errors', () => {
  it('toMqttError(new TypeError(x)) is INTERNAL with the original message', () => {
    tried.push('toMqttError(TypeError)');
    const original = new TypeError('x is not a function');
    for (const error of [toMqttError(original, 'en'), toMqttError(original, 'zh-CN'), (toMqttError as (e: unknown) => MqttError)(original)]) {
      expect(error).toBeInstanceOf(MqttError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe('INTERNAL');
      expect(error.message).toContain('TypeError: x is not a function');
      expect(error.message).not.toMatch(/network|网络/i);
      expect(typeof error.stack).toBe('string');
      expect(error.toJSON()).toMatchObject({ code: 'INTERNAL' });
    }
    expect(toMqttError(original, 'en').message).toMatch(/^Internal error in miniprogram-mqtt/);
    expect(toMqttError('plain string', 'en')).toMatchObject({ code: 'INTERNAL' });
    expect(toMqttError({ code: 'NOT_CONNECTED' }, 'en')).toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('a TypeError inside a call (a throwing getter on the options) rejects INTERNAL with its message, nothing thrown', async () => {
    tried.push('TypeError inside subscribe');
    const options = {
      get qos(): number {
        throw new TypeError('qos getter broke');
      },
    };
    const error = await expectRejection(() => call(good, 'subscribe')('ok/getter', options), { code: 'INTERNAL' });
    expect(error.message).toContain('TypeError: qos getter broke');
    expect(good.status).toBe('connected');
  });

  it('a TypeError thrown by a listener is not a network error: no error event, no reconnect, the other listeners still run', async () => {
    tried.push('listener throws TypeError');
    const uncaught: unknown[] = [];
    const onWindowError = (event: ErrorEvent): void => {
      uncaught.push(event.error);
      event.preventDefault();
    };
    window.addEventListener('error', onWindowError);
    const errors: ErrorEventDetail[] = [];
    const statuses: StatusEventDetail[] = [];
    const got: string[] = [];
    const offs = [
      good.on('error', (e) => errors.push(e)),
      good.on('status', (s) => statuses.push(s)),
      good.on('message', () => {
        throw new TypeError('listener bug');
      }),
      good.on('message', (m) => got.push(m.topic)),
    ];
    const requests = wx.requests.length;
    const peer = await connectPeer(broker.tcpPort);
    try {
      await good.subscribe('throws/#', { qos: 1 });
      await peer.publish('throws/1', 'a', { qos: 1 });
      await peer.publish('throws/2', 'b', { qos: 1 });
      await until(() => got.length === 2, 'both messages to the second listener');
      await until(() => uncaught.length === 2, 'the listener errors to reach the host as uncaught errors');
      await sleep(200);
      expect(got).toEqual(['throws/1', 'throws/2']);
      expect(uncaught.map((e) => (e instanceof TypeError ? e.message : String(e)))).toEqual(['listener bug', 'listener bug']);
      expect(errors).toEqual([]);
      expect(statuses).toEqual([]);
      expect(good.status).toBe('connected');
      expect(wx.requests.length).toBe(requests);
    } finally {
      offs.forEach((off) => off());
      window.removeEventListener('error', onWindowError);
      await good.unsubscribe('throws/#').catch(() => undefined);
      await peer.end();
    }
    await roundTrip(good);
  });
});
