/** MQTT 5 properties: validation with the field named, their size on the wire, and the inbound view. */
import * as mqttPacket from 'mqtt-packet';
import { describeError, errorFromConnack, errorFromDisconnect, errorFromPublishAck } from '../../src/core/errors';
import { publishPacketSize } from '../../src/core/packets';
import { connectProperties, messageProperties, propertyBytes, publishProperties, subscriptionOptions, VendorProperties, willProperties } from '../../src/core/properties';

describe('publishProperties', () => {
  it('takes every PUBLISH property and gives mqtt.js its form (correlation data as bytes)', () => {
    const result = publishProperties(
      { userProperties: { a: 'b', many: ['1', '2'] }, contentType: 'application/json', payloadFormatIndicator: true, messageExpiryInterval: 60, responseTopic: 'r/1', correlationData: 'id-1', topicAlias: 3 },
      5,
    );
    expect(result).toEqual({
      ok: true,
      properties: { userProperties: { a: 'b', many: ['1', '2'] }, contentType: 'application/json', payloadFormatIndicator: true, messageExpiryInterval: 60, responseTopic: 'r/1', correlationData: Uint8Array.from([0x69, 0x64, 0x2d, 0x31]), topicAlias: 3 },
    });
    expect(publishProperties(undefined, 5)).toEqual({ ok: true });
    expect(publishProperties({}, 5)).toEqual({ ok: true, properties: undefined });
    expect(publishProperties({ correlationData: new Uint8Array([1, 2, 3]).subarray(1) }, 5)).toEqual({ ok: true, properties: { correlationData: Uint8Array.from([2, 3]) } });
  });

  it.each([
    [{ userProperties: 'x' }, 'properties.userProperties'],
    [{ userProperties: { k: 5 } }, 'properties.userProperties.k'],
    [{ userProperties: { k: ['ok', null] } }, 'properties.userProperties.k[1]'],
    [{ userProperties: { k: 'a\u0000' } }, 'properties.userProperties.k'],
    [{ contentType: 1 }, 'properties.contentType'],
    [{ payloadFormatIndicator: 1 }, 'properties.payloadFormatIndicator'],
    [{ messageExpiryInterval: -1 }, 'properties.messageExpiryInterval'],
    [{ messageExpiryInterval: 2 ** 32 }, 'properties.messageExpiryInterval'],
    [{ responseTopic: 'a/+' }, 'properties.responseTopic'],
    [{ responseTopic: '' }, 'properties.responseTopic'],
    [{ correlationData: {} }, 'properties.correlationData'],
    [{ correlationData: new Uint8Array(65536) }, 'properties.correlationData'],
    [{ topicAlias: 0 }, 'properties.topicAlias'],
    [{ subscriptionIdentifier: 1 }, 'properties.subscriptionIdentifier'],
    ['text', 'properties'],
  ])('%j → INVALID_OPTION naming %s', (value, field) => {
    const result = publishProperties(value, 5);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({ code: 'INVALID_OPTION', field });
  });

  it('under MQTT 3.1.1 names the first property given, rather than dropping it', () => {
    expect(publishProperties({ userProperties: { a: 'b' } }, 4)).toEqual({ ok: false, error: { code: 'INVALID_OPTION', field: 'properties.userProperties', reason: 'MQTT 5 only; set protocolVersion to 5' } });
    expect(publishProperties({}, 4)).toEqual({ ok: true, properties: undefined });
  });

  it('will properties add willDelayInterval; topicAlias is not one of them', () => {
    expect(willProperties({ willDelayInterval: 10, contentType: 't' }, 5)).toEqual({ ok: true, properties: { willDelayInterval: 10, contentType: 't' } });
    expect(willProperties({ topicAlias: 1 }, 5)).toMatchObject({ ok: false, error: { field: 'will.properties.topicAlias' } });
  });
});

describe('subscription and CONNECT options', () => {
  it('takes nl, rap, rh, user properties and an identifier at MQTT 5; names each at 3.1.1', () => {
    expect(subscriptionOptions({ qos: 1, nl: true, rap: false, rh: 2, userProperties: { a: 'b' }, subscriptionIdentifier: 9 }, 5)).toEqual({
      ok: true,
      options: { nl: true, rap: false, rh: 2, userProperties: { a: 'b' }, subscriptionIdentifier: 9 },
    });
    expect(subscriptionOptions({ qos: 1 }, 4)).toEqual({ ok: true, options: {} });
    expect(subscriptionOptions({ nl: true }, 4)).toMatchObject({ ok: false, error: { code: 'INVALID_OPTION', field: 'nl' } });
    expect(subscriptionOptions({ rh: 3 }, 5)).toMatchObject({ ok: false, error: { field: 'rh' } });
    expect(subscriptionOptions({ subscriptionIdentifier: 0 }, 5)).toMatchObject({ ok: false, error: { field: 'subscriptionIdentifier' } });
    expect(subscriptionOptions({ qoss: 1 }, 5)).toMatchObject({ ok: false, error: { field: 'qoss' } });
  });

  it('CONNECT properties: numbers from the panel may be strings, blanks are absent, 3.1.1 refuses them', () => {
    expect(connectProperties({ receiveMaximum: '20', maximumPacketSize: 4096, topicAliasMaximum: 0, requestResponseInformation: true, userProperties: { app: 'x' } }, 5)).toEqual({
      ok: true,
      properties: { receiveMaximum: 20, maximumPacketSize: 4096, topicAliasMaximum: 0, requestResponseInformation: true, userProperties: { app: 'x' } },
    });
    expect(connectProperties({ receiveMaximum: '' }, 4)).toEqual({ ok: true, properties: {} });
    expect(connectProperties({ receiveMaximum: 10 }, 4)).toMatchObject({ ok: false, error: { code: 'INVALID_OPTION', field: 'receiveMaximum' } });
    expect(connectProperties({ receiveMaximum: 0 }, 5)).toMatchObject({ ok: false, error: { field: 'receiveMaximum' } });
  });
});

describe('propertyBytes', () => {
  it.each<[string, VendorProperties | undefined]>([
    ['none', undefined],
    ['empty', {}],
    ['every kind', { userProperties: { a: 'b', 键: ['值', 'x'] }, contentType: 'ct', payloadFormatIndicator: true, messageExpiryInterval: 7, responseTopic: 'r/é', correlationData: Uint8Array.from([0, 255]), topicAlias: 2 }],
    ['a long block (two-byte length)', { userProperties: { big: 'x'.repeat(300) } }],
  ])('%s: publishPacketSize equals the length mqtt-packet generates', (_, properties) => {
    const packet = mqttPacket.generate(
      { cmd: 'publish', topic: 't/1', payload: Buffer.from('hello'), qos: 1, messageId: 1, retain: false, dup: false, properties: properties && { ...properties, correlationData: properties.correlationData && Buffer.from(properties.correlationData) } } as mqttPacket.IPublishPacket,
      { protocolVersion: 5 },
    );
    expect(publishPacketSize(3, 5, 1, propertyBytes(properties))).toBe(packet.length);
  });
});

describe('messageProperties', () => {
  it('gives only what the packet had: bytes and text of the correlation data, identifiers as an array', () => {
    expect(messageProperties(undefined)).toBeUndefined();
    expect(messageProperties({})).toBeUndefined();
    expect(messageProperties({ topicAlias: 3 })).toBeUndefined();
    const view = messageProperties({ correlationData: Buffer.from('req-1'), userProperties: { a: ['1', '2'] }, subscriptionIdentifier: 4, payloadFormatIndicator: false });
    expect(view).toEqual({ correlationData: expect.anything(), correlationText: 'req-1', userProperties: { a: ['1', '2'] }, subscriptionIdentifiers: [4], payloadFormatIndicator: false });
    expect(Object.prototype.toString.call(view!.correlationData)).toBe('[object ArrayBuffer]');
    expect(Array.from(new Uint8Array(view!.correlationData!))).toEqual([...Buffer.from('req-1')]);
    expect(messageProperties({ subscriptionIdentifier: [1, 2] })).toEqual({ subscriptionIdentifiers: [1, 2] });
  });
});

describe('reason codes → errors', () => {
  it('DISCONNECT: takeover, auth, quota, size and moved have their codes; others are SERVER_DISCONNECT; reason string kept', () => {
    const codes = [0x8e, 0x87, 0x86, 0x97, 0x95, 0x9c, 0x9d, 0x89, 0x8b].map((returnCode) => errorFromDisconnect({ returnCode }).code);
    expect(codes).toEqual(['CLIENT_ID_CONFLICT', 'NOT_AUTHORIZED', 'NOT_AUTHORIZED', 'QUOTA_EXCEEDED', 'PAYLOAD_TOO_LARGE', 'SERVER_MOVED', 'SERVER_MOVED', 'SERVER_DISCONNECT', 'SERVER_DISCONNECT']);
    const moved = describeError(errorFromDisconnect({ returnCode: 0x9c, serverReference: 'other.example.com' }), 'en');
    expect(moved).toMatchObject({ code: 'SERVER_MOVED', returnCode: 0x9c, serverReference: 'other.example.com' });
    expect(moved.message).toBe('The broker asks to use another server (0x9c): other.example.com');
    const busy = describeError(errorFromDisconnect({ returnCode: 0x89, reasonString: 'too busy' }), 'en');
    expect(busy).toMatchObject({ code: 'SERVER_DISCONNECT', returnCode: 0x89, reasonString: 'too busy', message: 'The broker closed the connection (0x89): too busy' });
  });

  it('PUBACK/PUBREC: names the topic; CONNACK keeps its reason string', () => {
    expect(describeError(errorFromPublishAck({ returnCode: 0x90, reasonString: 'bad name' }, 'a/b'), 'en')).toMatchObject({
      code: 'PUBLISH_REJECTED',
      topic: 'a/b',
      returnCode: 0x90,
      reasonString: 'bad name',
      message: 'The broker refused the message to "a/b" (0x90): bad name',
    });
    expect(errorFromPublishAck({ returnCode: 0x87 }, 't').code).toBe('NOT_AUTHORIZED');
    expect(errorFromPublishAck({ returnCode: 0x97 }, 't').code).toBe('QUOTA_EXCEEDED');
    expect(errorFromConnack(0x9d, { serverReference: 'b.example.com' })).toMatchObject({ code: 'SERVER_MOVED', serverReference: 'b.example.com' });
    expect(errorFromConnack(0x85, { reasonString: 'id' })).toMatchObject({ code: 'CONNECT_REFUSED', reasonString: 'id' });
  });
});
