/**
 * Wire defects of mqtt.js 4.0.1 that the platform handles around the vendored bundle, driven
 * through the real bundle by a scripted WebSocket peer that sends exactly the bytes each case needs.
 */
import type { MqttClient } from '../../src/client/client';
import type { ClientOptions, ErrorEventDetail, SessionLostDetail, WarningEventDetail } from '../../src/types';
import { bytesOf, settle, text, until } from '../support/harness';
import { bodyStart, mqttString, packet, readConnect, readPublish, ScriptedBroker, ScriptedConnection } from '../support/scripted-broker';
import { scriptedTests } from '../support/scripted-tests';

const CONNACK_V5 = [0x20, 0x03, 0x00, 0x00, 0x00];
const CONNACK_V4 = [0x20, 0x02, 0x00, 0x00];
const id = (n: number): number[] => [n >> 8, n & 0xff];
const type = (p: Buffer): number => p[0] >> 4;

const kit = scriptedTests();
let broker: ScriptedBroker | undefined;

interface Log {
  client: MqttClient;
  errors: ErrorEventDetail[];
  warnings: WarningEventDetail[];
  /** The `session` of each SESSION_LOST warning. */
  lost: SessionLostDetail[];
  messages: { topic: string; payload: string }[];
}

/** A client on the scripted broker (MQTT 5, reconnectPeriod 50 ms, messages in English) and what it reports. */
function connectTo(port: number, overrides: Partial<ClientOptions> = {}): Log {
  const client = kit.client(port, overrides);
  const log: Log = { client, errors: [], warnings: [], lost: [], messages: [] };
  client.on('error', (e) => log.errors.push(e));
  client.on('warning', (w) => {
    log.warnings.push(w);
    if (w.code === 'SESSION_LOST' && w.session) log.lost.push(w.session);
  });
  // The payload from the exact bytes (the message event's own `payload` is decoded from the same bytes).
  client.on('message', (m) => log.messages.push({ topic: m.topic, payload: text(new Uint8Array(m.bytes)) }));
  return log;
}

describe('MQTT 5 acknowledgements the bundled parser cannot read (defect 1)', () => {
  it('PUBACK, PUBREC, PUBREL and PUBCOMP with and without reason code, split across frames and sharing them', async () => {
    const topics = new Map<number, string>();
    broker = await kit.start((c, p) => {
      const body = bodyStart(p);
      if (type(p) === 1) c.send(CONNACK_V5);
      if (type(p) === 8) {
        c.send([0x90, 0x04, p[body], p[body + 1], 0x00, 0x02]);
        // two QoS 2 messages in one frame; their PUBRELs come below
        c.send(Buffer.concat([packet(0x34, [...mqttString('in/a'), ...id(7), 0x00, 0x41]), packet(0x34, [...mqttString('in/b'), ...id(8), 0x00, 0x42])]));
      }
      if (type(p) === 5) {
        const rel = p.readUInt16BE(body);
        // PUBREL with reason code and no property length, then bare: each cut into 1-byte frames
        c.send(rel === 7 ? [0x62, 0x03, ...id(rel), 0x00] : [0x62, 0x02, ...id(rel)], [1]);
      }
      if (type(p) === 3) {
        const { topic, id: pid } = readPublish(p);
        const mid = id(pid!);
        topics.set(pid!, topic);
        if (topic === 'q1/reason') c.send([0x40, 0x03, ...mid, 0x10], [2, 3]);
        if (topic === 'q1/bare') c.send([0x40, 0x02, ...mid]);
        if (topic === 'q2/reason') c.send([0x50, 0x03, ...mid, 0x10], [1, 4]);
        if (topic === 'q2/bare') c.send([0x50, 0x02, ...mid]);
        if (topic === 'after') c.send([0x40, 0x02, ...mid]);
      }
      if (type(p) === 6) {
        const mid = [p[body], p[body + 1]];
        c.send(topics.get(p.readUInt16BE(body)) === 'q2/reason' ? [0x70, 0x02, ...mid] : [0x70, 0x03, ...mid, 0x00], [2, 1, 1]);
      }
    });
    const { client, errors, messages } = connectTo(broker.port);
    await client.connect();
    expect(await client.subscribe('in/#', { qos: 2 })).toEqual({ topic: 'in/#', qos: 2, granted: 2 });
    const results = await Promise.all([
      settle(client.publish('q1/reason', bytesOf('a'), { qos: 1 })),
      settle(client.publish('q1/bare', bytesOf('b'), { qos: 1 })),
      settle(client.publish('q2/reason', bytesOf('c'), { qos: 2 })),
      settle(client.publish('q2/bare', bytesOf('d'), { qos: 2 })),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    await until(() => messages.length === 2, 'both QoS 2 messages released');
    expect(messages).toEqual([
      { topic: 'in/a', payload: 'A' },
      { topic: 'in/b', payload: 'B' },
    ]);
    // the parser still works afterwards, and the broker got PUBCOMP for both inbound messages
    await client.publish('after', bytesOf('e'), { qos: 1 });
    const pubcomps = broker.connections[0].received.filter((p) => type(p) === 7).map((p) => p.readUInt16BE(2));
    expect(pubcomps).toEqual([7, 8]);
    expect(errors).toEqual([]);
    expect(client.status).toBe('connected');
    expect(broker.connections).toHaveLength(1);
  });

  it('a broker without MQTT 5 (aedes 1.2) refuses in 3.1.1 form: CONNECT_REFUSED with return code 1 at once, not a timeout', async () => {
    broker = await kit.start((c, p) => {
      if (type(p) === 1) c.send([0x20, 0x02, 0x00, 0x01]);
    });
    const { client } = connectTo(broker.port, { reconnectPeriod: 0 });
    expect(await settle(client.connect())).toMatchObject({ ok: false, error: { code: 'CONNECT_REFUSED', returnCode: 1 } });
  });

  it('a server DISCONNECT without reason code is read, and the client reconnects', async () => {
    broker = await kit.start((c, p) => {
      if (type(p) !== 1) return;
      c.send(CONNACK_V5);
      if (c.index === 0) setTimeout(() => c.send([0xe0, 0x00]), 20);
    });
    const { client } = connectTo(broker.port);
    await client.connect();
    await until(() => broker!.connections.length === 2 && client.status === 'connected', 'the reconnect');
  });
});

describe('CONNECT carries only what the user asked for (defect 4)', () => {
  it.each([
    [false, [[0x11, 7200]]],
    [true, []],
  ])('clean %s: the reconnect does not echo the CONNACK Topic Alias Maximum or Maximum Packet Size', async (clean, expected) => {
    broker = await kit.start((c, p) => {
      if (type(p) !== 1) return;
      c.send([0x20, 0x0b, 0x00, 0x00, 0x08, 0x22, 0x00, 0x0a, 0x27, 0x00, 0x00, 0x04, 0x00]);
      if (c.index === 0) setTimeout(() => c.close(), 20);
    });
    const { client } = connectTo(broker.port, { clean, clientId: 'props' });
    await client.connect();
    await until(() => broker!.connections.length === 2 && client.status === 'connected', 'the reconnect');
    const connects = broker.connections.map((c) => readConnect(c.received[0]));
    expect(connects.map((c) => [...c.properties])).toEqual([expected, expected]);
  });

  it('an aliased PUBLISH the client never allowed is a protocol error: not acknowledged, not delivered', async () => {
    broker = await kit.start((c, p) => {
      const body = bodyStart(p);
      if (type(p) === 1) c.send(CONNACK_V5);
      if (type(p) === 8) {
        c.send([0x90, 0x04, p[body], p[body + 1], 0x00, 0x01]);
        if (c.index === 0) c.send(packet(0x32, [...mqttString(''), ...id(3), 0x03, 0x23, 0x00, 0x01, 0x78]));
      }
    });
    const { client, errors, messages } = connectTo(broker.port);
    await client.connect();
    await client.subscribe('#', { qos: 1 });
    await until(() => errors.length === 1, 'the protocol error');
    expect(errors[0]).toMatchObject({ code: 'PROTOCOL_ERROR', returnCode: 0x94 });
    await until(() => broker!.connections.length === 2 && client.status === 'connected', 'the reconnect');
    expect(broker.connections[0].received.filter((p) => type(p) === 4)).toEqual([]);
    expect(messages).toEqual([]);
  });
});

describe('Maximum Packet Size refused by a broker that never announced it (defect 6)', () => {
  it('drops the refused publish with PAYLOAD_TOO_LARGE instead of resending it forever, and rejects as large ones at once', async () => {
    broker = await kit.start((c, p) => {
      if (type(p) === 1) c.send(CONNACK_V5);
      if (type(p) !== 3) return;
      if (p.length > 256) {
        c.send([0xe0, 0x01, 0x95]);
        c.close();
      } else {
        c.send([0x40, 0x02, ...id(readPublish(p).id!)]);
      }
    });
    const { client } = connectTo(broker.port);
    await client.connect();
    const big = await settle(client.publish('big', new Uint8Array(400), { qos: 1 }));
    expect(big).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    await until(() => client.status === 'connected' && broker!.connections.length === 2, 'the reconnect');
    // what the broker refused was 411 bytes: 1 + 2 (remaining length 408) + 2 + 'big' + 2 (id) + 1 (no properties) + 400
    expect(await settle(client.publish('big', new Uint8Array(400), { qos: 1 }))).toMatchObject({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('(limit 410 bytes)') },
    });
    await client.publish('small', new Uint8Array(10), { qos: 1 });
    const bigOnSecond = broker.connections[1].received.filter((p) => type(p) === 3 && p.length > 256);
    expect(bigOnSecond).toEqual([]);
    expect(broker.connections).toHaveLength(2);
  });
});

describe.each([4, 5] as const)('a session lost with QoS 1/2 exchanges open, MQTT %s (defect 7)', (version) => {
  it('no PUBREL for the old session; PUBREC-ed publish resolved, unacknowledged one resent, held QoS 2 message delivered; a warning counts them', async () => {
    let dropFirst: (() => void) | undefined;
    broker = await kit.start((c: ScriptedConnection, p) => {
      const body = bodyStart(p);
      if (type(p) === 1) c.send(version === 5 ? CONNACK_V5 : CONNACK_V4);
      if (type(p) === 8) c.send(version === 5 ? [0x90, 0x04, p[body], p[body + 1], 0x00, 0x02] : [0x90, 0x03, p[body], p[body + 1], 0x02]);
      if (type(p) === 3) {
        const { topic, id: pid } = readPublish(p);
        if (c.index === 0 && topic === 'out/two') c.send([0x50, 0x02, ...id(pid!)]);
        if (c.index > 0) c.send([0x40, 0x02, ...id(pid!)]);
      }
      if (c.index === 0 && type(p) === 5) dropFirst?.();
    });
    const { client, lost, warnings, messages } = connectTo(broker.port, { protocolVersion: version, clean: false, clientId: `lost_${version}` });
    await client.connect();
    await client.subscribe('in/#', { qos: 2 });
    const first = broker.connections[0];
    const two = client.publish('out/two', bytesOf('2'), { qos: 2 });
    const one = client.publish('out/one', bytesOf('1'), { qos: 1 });
    await until(() => first.received.filter((p) => type(p) === 6 || (type(p) === 3 && readPublish(p).topic === 'out/one')).length === 2, 'PUBREL for out/two and the unacknowledged out/one');
    const gone = new Promise<void>((resolve) => (dropFirst = resolve));
    first.send(packet(0x34, [...mqttString('in/held'), ...id(9), ...(version === 5 ? [0x00] : []), 0x68]));
    await gone; // the client sent PUBREC for in/held: now the session and the socket go
    first.close();
    await until(() => client.status === 'connected' && broker!.connections.length === 2, 'the reconnect');
    await expect(two).resolves.toMatchObject({ topic: 'out/two', qos: 2, direction: 'out' });
    await expect(one).resolves.toMatchObject({ topic: 'out/one', qos: 1, direction: 'out' });
    const second = broker.connections[1].received;
    expect(second.filter((p) => type(p) === 6)).toEqual([]);
    expect(second.filter((p) => type(p) === 3).map((p) => readPublish(p).topic)).toEqual(['out/one']);
    expect(messages).toEqual([{ topic: 'in/held', payload: 'h' }]);
    expect(lost).toEqual([{ resent: 1, released: 1, delivered: 1 }]);
    expect(warnings.map((w) => w.code)).toEqual(['SESSION_LOST']);
    expect(warnings[0].message).toEqual(expect.any(String));
  });
});
