/**
 * Repeated user property names through the bundle: joined with U+0000 for mqtt.js, expanded on the
 * way out, merged on the way in. Packets are made and read by mqtt-packet 9 from npm.
 */
import * as mqttPacket from 'mqtt-packet';
import { expandJoinedPairs, joinRepeated, mergeRepeatedPairs, splitJoined } from '../../src/core/user-properties';

const V5 = { protocolVersion: 5 as const };
const gen = (p: object): Uint8Array => new Uint8Array(mqttPacket.generate(p as mqttPacket.Packet, V5));
const parse = (b: Uint8Array): mqttPacket.Packet => {
  let out: mqttPacket.Packet | undefined;
  const parser = mqttPacket.parser(V5);
  parser.on('packet', (p) => (out = p));
  parser.on('error', (e) => {
    throw e;
  });
  parser.parse(Buffer.from(b));
  return out!;
};

it('joinRepeated leaves single values and objects without arrays alone', () => {
  const plain = { userProperties: { a: 'b' } };
  expect(joinRepeated(plain)).toBe(plain);
  expect(joinRepeated({ contentType: 'x', userProperties: { a: ['1', '2'], b: 'c' } })).toEqual({ contentType: 'x', userProperties: { a: '1\u00002', b: 'c' } });
  expect(splitJoined({ a: '1\u00002', b: 'c' })).toEqual({ a: ['1', '2'], b: 'c' });
});

describe('expandJoinedPairs (outgoing)', () => {
  it.each([
    ['PUBLISH QoS 1', { cmd: 'publish', topic: 't/é', payload: Buffer.from('x'), qos: 1, messageId: 7, retain: false, dup: false, properties: { contentType: 'c', userProperties: { a: '1\u00002\u00003', b: 'z' }, topicAlias: 2 } }],
    ['PUBLISH QoS 0', { cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { userProperties: { a: 'x\u0000' } } }], // an empty value (mqtt-packet 9 reads a repeated empty first value as one)
    ['SUBSCRIBE', { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'a/#', qos: 1, nl: false, rap: false, rh: 0 }], properties: { subscriptionIdentifier: 300, userProperties: { k: 'v\u0000w' } } }],
  ])('%s: one pair per value, everything else as it was', (_, packet) => {
    const out = parse(expandJoinedPairs(gen(packet))) as unknown as Record<string, unknown>;
    const expected = JSON.parse(JSON.stringify(packet)) as Record<string, { userProperties: Record<string, string> }>;
    const user = expected.properties.userProperties;
    for (const name of Object.keys(user)) if (user[name].includes('\u0000')) (user as Record<string, unknown>)[name] = user[name].split('\u0000');
    expect(JSON.parse(JSON.stringify(out))).toMatchObject(expected);
  });

  it('CONNECT: both the CONNECT and the will property blocks', () => {
    const packet = gen({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'id-1',
      properties: { sessionExpiryInterval: 10, userProperties: { app: 'a\u0000b' } },
      will: { topic: 'w', payload: Buffer.from('gone'), qos: 1, retain: false, properties: { willDelayInterval: 5, userProperties: { why: 'x\u0000y' } } },
      username: 'u', password: Buffer.from('p'),
    });
    const out = parse(expandJoinedPairs(packet)) as mqttPacket.IConnectPacket;
    expect(out.properties).toEqual({ sessionExpiryInterval: 10, userProperties: { app: ['a', 'b'] } });
    expect(out.will?.properties).toEqual({ willDelayInterval: 5, userProperties: { why: ['x', 'y'] } });
    expect([out.clientId, out.username, String(out.password), String(out.will?.payload)]).toEqual(['id-1', 'u', 'p', 'gone']);
  });

  it('returns packets without joined values, and other types, unchanged (same object)', () => {
    const plain = gen({ cmd: 'publish', topic: 't', payload: Buffer.from('x'), qos: 0, retain: false, dup: false, properties: { userProperties: { a: 'b' } } });
    expect(expandJoinedPairs(plain)).toBe(plain);
    const ping = gen({ cmd: 'pingreq' });
    expect(expandJoinedPairs(ping)).toBe(ping);
  });
});

it('mergeRepeatedPairs (incoming): one pair per name, values joined in order; a packet without repeats is unchanged', () => {
  const packet = gen({ cmd: 'publish', topic: 'in', payload: Buffer.from('p'), qos: 1, messageId: 9, retain: false, dup: false, properties: { userProperties: { a: ['1', '2'], b: 'x' }, contentType: 'c' } });
  const start = 2 + 2 + 2 + 2; // fixed header (2), topic "in" (4), packet id (2)
  const merged = parse(mergeRepeatedPairs(packet, start)) as mqttPacket.IPublishPacket;
  expect(merged.properties).toEqual({ userProperties: { a: '1\u00002', b: 'x' }, contentType: 'c' });
  expect([merged.topic, String(merged.payload), merged.messageId]).toEqual(['in', 'p', 9]);
  const single = gen({ cmd: 'publish', topic: 'in', payload: Buffer.from('p'), qos: 1, messageId: 9, retain: false, dup: false, properties: { userProperties: { a: '1' } } });
  expect(mergeRepeatedPairs(single, start)).toBe(single);
});
