/** @jest-environment node */
import { CodedError, describeError, ERROR_CODES, errorFromConnack, normalizeLocale } from '../../src/core/errors';
import { MqttError, toMqttError } from '../../src/client/error';
import { publishProperties } from '../../src/core/properties';
import { errorFromErrMsg } from '../../src/platform/errmsg';
import { LIST_LABELS, PANEL_LABELS } from '../../src/core/labels';
import { ConnectionInput, isLoopback, randomClientId, resolveOptions, sameConnection } from '../../src/core/options';
import { seeded } from '../support/random';

const ok = (input: ConnectionInput) => {
  const r = resolveOptions(input, seeded(1));
  if (!r.ok) throw new Error(`${r.error.field}: ${r.error.reason}`);
  return r.config;
};
const bad = (input: ConnectionInput) => {
  const r = resolveOptions(input, seeded(1));
  if (r.ok) throw new Error('expected an error');
  return r.error;
};

describe('resolveOptions', () => {
  it('fills defaults and builds wxs/wss URLs', () => {
    const c = ok({ host: 'broker.emqx.io' });
    expect(c).toMatchObject({
      host: 'broker.emqx.io',
      port: 8084,
      path: '/mqtt',
      secure: true,
      url: 'wss://broker.emqx.io:8084/mqtt',
      mqttUrl: 'wxs://broker.emqx.io:8084/mqtt',
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 1000,
      connectTimeout: 30000,
      generatedClientId: true,
      username: '',
      password: '',
    });
    expect(c.clientId).toMatch(/^mp_[a-z0-9]{12}$/);
    expect(c.will).toBeUndefined();
  });

  it('uses wx/ws when not secure and accepts numeric strings for numbers', () => {
    const c = ok({ host: '127.0.0.1', port: '8083', secure: false, path: '/ws?x=1' });
    expect(c.url).toBe('ws://127.0.0.1:8083/ws?x=1');
    expect(c.mqttUrl).toBe('wx://127.0.0.1:8083/ws?x=1');
    expect(ok({ host: '[::1]', port: 1 }).url).toBe('wss://[::1]:1/mqtt');
  });

  it('keys connections by scheme, host, port, path, clientId and username only', () => {
    const a = ok({ host: 'h', clientId: 'c', username: 'u', password: 'p1', keepalive: 10 });
    const b = ok({ host: 'h', clientId: 'c', username: 'u', password: 'p2', keepalive: 20 });
    expect(a.key).toBe(b.key);
    expect(a.key).not.toContain('p1');
    expect(ok({ host: 'h', clientId: 'c', username: 'v' }).key).not.toBe(a.key);
    expect(ok({ host: 'h', clientId: 'c', username: 'u', port: 1 }).key).not.toBe(a.key);
    const [x, y] = [resolveOptions({ host: 'h' }), resolveOptions({ host: 'h' })];
    expect(x.ok && y.ok && x.config.key !== y.config.key).toBe(true);
  });

  it('validates the will', () => {
    const c = ok({ host: 'h', will: { topic: 'dev/1/status', payload: 'offline', qos: 1, retain: true } });
    expect(c.will).toEqual({ topic: 'dev/1/status', payload: Uint8Array.from(Buffer.from('offline')), qos: 1, retain: true });
    expect(bad({ host: 'h', will: { topic: 'a/#' } }).field).toBe('will.topic');
    expect(bad({ host: 'h', will: { topic: 'a', qos: 3 } }).field).toBe('will.qos');
    expect(bad({ host: 'h', will: { topic: 'a', payload: () => 1 } }).field).toBe('will.payload');
    expect(bad({ host: 'h', will: 'x' }).field).toBe('will');
  });

  it.each<[ConnectionInput, string]>([
    [{}, 'host'],
    [{ host: '' }, 'host'],
    [{ host: '   ' }, 'host'],
    [{ host: 'wss://broker.emqx.io' }, 'host'],
    [{ host: 'broker.emqx.io/mqtt' }, 'host'],
    [{ host: 'broker.emqx.io:8084' }, 'host'],
    [{ host: 'bro ker' }, 'host'],
    [{ host: 'a_b!' }, 'host'],
    [{ host: 42 }, 'host'],
    [{ host: 'h', port: 0 }, 'port'],
    [{ host: 'h', port: 70000 }, 'port'],
    [{ host: 'h', port: 'abc' }, 'port'],
    [{ host: 'h', port: 1.5 }, 'port'],
    [{ host: 'h', port: NaN }, 'port'],
    [{ host: 'h', port: -1 }, 'port'],
    [{ host: 'h', path: 'mqtt' }, 'path'],
    [{ host: 'h', path: '/a b' }, 'path'],
    [{ host: 'h', path: 5 }, 'path'],
    [{ host: 'h', secure: 'yes' }, 'secure'],
    [{ host: 'h', clientId: 12345 }, 'clientId'],
    [{ host: 'h', clientId: 'a\u0000' }, 'clientId'],
    [{ host: 'h', username: 1 }, 'username'],
    [{ host: 'h', password: {} }, 'password'],
    [{ host: 'h', password: 'secret' }, 'password'],
    [{ host: 'h', protocolVersion: 3 }, 'protocolVersion'],
    [{ host: 'h', protocolVersion: '5x' }, 'protocolVersion'],
    [{ host: 'h', clean: 1 }, 'clean'],
    [{ host: 'h', keepalive: -5 }, 'keepalive'],
    [{ host: 'h', reconnectPeriod: -1 }, 'reconnectPeriod'],
    [{ host: 'h', connectTimeout: 0 }, 'connectTimeout'],
  ])('rejects %j naming %s', (input, field) => {
    const error = bad(input);
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.field).toBe(field);
    expect(error.reason).toBeTruthy();
  });

  it('never echoes the password in an error', () => {
    const error = bad({ host: 'h', username: 'u', password: ['s3cret'] });
    expect(JSON.stringify(error)).not.toContain('s3cret');
    expect(JSON.stringify(describeError(error, 'en'))).not.toContain('s3cret');
  });

  it('makes random client ids of 12 characters after mp_', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomClientId()));
    expect(ids.size).toBe(1000);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('broker.emqx.io')).toBe(false);
  });
});

describe('sameConnection', () => {
  const config = (input: ConnectionInput) => ok({ host: 'h', clientId: 'c', username: 'u', ...input });

  it('is true for the same options and false when the password, session options or will differ', () => {
    expect(sameConnection(config({ password: 'p' }), config({ password: 'p' }))).toBe(true);
    expect(sameConnection(config({ password: 'p' }), config({ password: 'q' }))).toBe(false);
    expect(sameConnection(config({}), config({ keepalive: 30 }))).toBe(false);
    expect(sameConnection(config({}), config({ clean: false }))).toBe(false);
    expect(sameConnection(config({ will: { topic: 'w', payload: 'a' } }), config({ will: { topic: 'w', payload: 'b' } }))).toBe(false);
    expect(sameConnection(config({}), config({ port: 8083 }))).toBe(false);
  });
});

describe('labels', () => {
  it('has every word in both locales', () => {
    for (const table of [PANEL_LABELS, LIST_LABELS]) {
      const flat = (o: object): [string, unknown][] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flat(v as object).map(([k2, v2]) => [`${k}.${k2}`, v2] as [string, unknown]) : [[k, v]]));
      const [zh, en] = [flat(table['zh-CN']), flat(table.en)];
      expect(zh.map(([k]) => k)).toEqual(en.map(([k]) => k));
      for (const [, v] of [...zh, ...en]) expect(typeof v === 'string' && v.length > 0).toBe(true);
      expect(zh.some(([, v]) => /[\u4e00-\u9fff]/.test(String(v)))).toBe(true);
    }
  });
});

describe('errors', () => {
  it('has a message in both locales for every code, and a fix where one exists', () => {
    for (const code of ERROR_CODES) {
      const zh = describeError({ code, field: 'port', limit: 5, returnCode: 5, topic: 't' }, 'zh-CN');
      const en = describeError({ code, field: 'port', limit: 5, returnCode: 5, topic: 't' }, 'en');
      expect(zh.message).toMatch(/[\u4e00-\u9fff]/);
      expect(en.message).toMatch(/^[\x20-\x7e]+$/);
      expect(zh.code).toBe(code);
      if (code !== 'DESTROYED') expect(en.fix).toBeTruthy();
    }
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining(['INVALID_OPTION', 'INVALID_TOPIC', 'INVALID_QOS', 'INVALID_PAYLOAD', 'PAYLOAD_TOO_LARGE', 'NOT_CONNECTED', 'CONNECT_TIMEOUT', 'CONNECT_REFUSED', 'NOT_AUTHORIZED', 'DOMAIN_NOT_ALLOWED', 'SOCKET_LIMIT', 'SUSPENDED', 'TLS_ERROR', 'SOCKET_ERROR', 'SUBSCRIBE_REJECTED', 'CLIENT_ID_CONFLICT']),
    );
  });

  it.each([
    ['connectSocket:fail url not in domain list, url == "wss://x"', 'DOMAIN_NOT_ALLOWED'],
    ['connectSocket:fail createSocketTask:fail exceed max concurrent count 5', 'SOCKET_LIMIT'],
    ['connectSocket:fail jsapi has no permission, event=connectSocket, runningState=suspend, permissionBit=0', 'SUSPENDED'],
    ['connectSocket:fail ssl hand shake error', 'TLS_ERROR'],
    ['Certificate verification failed', 'TLS_ERROR'],
    ['connectSocket:fail network is down', 'SOCKET_ERROR'],
    ['', 'SOCKET_ERROR'],
  ])('maps errMsg %j to %s', (errMsg, code) => {
    expect(errorFromErrMsg(errMsg)).toMatchObject({ code, errMsg });
  });

  it('reads the platform\'s socket limit from its errMsg (5 on WeChat, 1 for a single global socket)', () => {
    expect(errorFromErrMsg('connectSocket:fail createSocketTask:fail exceed max concurrent count 5')).toMatchObject({ code: 'SOCKET_LIMIT', limit: 5 });
    expect(errorFromErrMsg('connectSocket:fail exceed max concurrent count 1')).toMatchObject({ code: 'SOCKET_LIMIT', limit: 1 });
    expect(errorFromErrMsg('connectSocket:fail binary WebSocket frames need Baidu base library 1.9.4 or later')).toMatchObject({ code: 'UNSUPPORTED_PLATFORM' });
  });

  it('maps CONNACK codes: 4, 5 and MQTT 5 0x86/0x87 to NOT_AUTHORIZED, others to CONNECT_REFUSED', () => {
    expect([1, 2, 3, 4, 5, 0x80, 0x85, 0x86, 0x87].map((c) => errorFromConnack(c).code)).toEqual([
      'CONNECT_REFUSED', 'CONNECT_REFUSED', 'CONNECT_REFUSED', 'NOT_AUTHORIZED', 'NOT_AUTHORIZED', 'CONNECT_REFUSED', 'CONNECT_REFUSED', 'NOT_AUTHORIZED', 'NOT_AUTHORIZED',
    ]);
    expect(describeError(errorFromConnack(5), 'en').message).toBe('Not authorized (5)');
  });

  it('CodedError is an Error with the ErrorInfo fields, and toMqttError keeps its code and fields', () => {
    const error = new CodedError({ code: 'REQUEST_TIMEOUT', topic: 'a/b', limit: 500, reason: 'slow' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'CodedError', code: 'REQUEST_TIMEOUT', topic: 'a/b', limit: 500, reason: 'slow', message: 'REQUEST_TIMEOUT: slow' });
    expect(error.stack).toEqual(expect.any(String));
    for (const locale of ['en', 'zh-CN'] as const) {
      const mqtt = toMqttError(error, locale);
      expect(mqtt).toBeInstanceOf(MqttError);
      expect(mqtt.toJSON()).toEqual(describeError({ code: 'REQUEST_TIMEOUT', topic: 'a/b', limit: 500, reason: 'slow' }, locale));
    }
    expect(toMqttError(new CodedError({ code: 'INVALID_OPTION', field: 'qos', reason: '3' }), 'en')).toMatchObject({ code: 'INVALID_OPTION', field: 'qos' });
  });

  it('option and property errors come back as plain ErrorInfo objects in the results', () => {
    const option = bad({ host: 'h', keepalive: -1 });
    expect(Object.getPrototypeOf(option)).toBe(Object.prototype);
    expect(option).toMatchObject({ code: 'INVALID_OPTION', field: 'keepalive' });
    const property = publishProperties({ messageExpiryInterval: -1 }, 5);
    expect(property.ok).toBe(false);
    if (!property.ok) {
      expect(Object.getPrototypeOf(property.error)).toBe(Object.prototype);
      expect(property.error).toMatchObject({ code: 'INVALID_OPTION', field: 'properties.messageExpiryInterval' });
    }
  });

  it('normalises locales', () => {
    expect(normalizeLocale('en')).toBe('en');
    expect(normalizeLocale('en-US')).toBe('en');
    expect(normalizeLocale('zh-CN')).toBe('zh-CN');
    expect(normalizeLocale(undefined)).toBe('zh-CN');
  });
});
