/**
 * The MQTT 5 API as a user meets it, on Debian's mosquitto 2.0.11, with independent parties on the
 * other side: Debian's mosquitto_pub / mosquitto_sub / mosquitto_rr (started with async spawn, since
 * the client under test shares this process's event loop) and a plain mqtt.js TCP client.
 *
 * Covered: publish and will properties both ways, CONNECT properties, subscription options (nl,
 * rap, rh, identifiers), outgoing topic aliases, request() and respond(), broker refusals (a clientId
 * takeover, ACL 0x87 on PUBACK/PUBREC/SUBACK, the broker's Maximum Packet Size), and MQTT 5 options
 * refused at protocolVersion 4.
 *
 * Not covered here, as mosquitto 2.0.11 cannot show them: incoming topic aliases (it sends none to
 * clients, whatever Topic Alias Maximum they announce) and a server DISCONNECT 0x8E on takeover (it
 * just closes the old connection). test/platform/wire-mqtt5.test.ts covers both against a scripted
 * broker.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MqttClient } from '../../src/index';
import { setPlatformWx } from '../../src/platform/index';
import type { ClientOptions, ErrorEventDetail, MessageEventDetail, StatusEventDetail } from '../../src/types';
import { MosquittoBroker, startMosquitto } from '../support/brokers';
import { expectRejection, Made, optionsFor, PUBLISH, roundTrip, SUBACK, tapInbound } from '../support/client';
import { settle, sleep, until } from '../support/harness';
import { connectV5Peer, killTools, mosquittoPub5, mosquittoSub, publishProperty, runTool, V5Message, V5Peer } from '../support/mqtt5';
import { seeded } from '../support/random';
import { NodeWx } from '../support/wx';

const HOST = '127.0.0.1';
/** MQTT control packet type of CONNACK. */
const CONNACK = 2;

let broker: MosquittoBroker;
let wx: NodeWx;
const made = new Made();
let peers: V5Peer[] = [];
let seq = 0;
/** Unique per test run and call: topics and clientIds never meet those of another test. */
const id = (): string => `${process.pid}_${++seq}`;

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(() => broker.stop());

beforeEach(() => {
  wx = new NodeWx();
  setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
});
afterEach(async () => {
  killTools();
  await made.endAll();
  await Promise.all(peers.map((p) => p.end()));
  peers = [];
  wx.dispose();
});

interface Log {
  messages: MessageEventDetail[];
  errors: ErrorEventDetail[];
  statuses: StatusEventDetail[];
}

function record(client: MqttClient): Log {
  const log: Log = { messages: [], errors: [], statuses: [] };
  client.on('message', (m) => log.messages.push(m));
  client.on('error', (e) => log.errors.push(e));
  client.on('status', (s) => log.statuses.push(s));
  return log;
}

/** An MQTT 5 client of the test (ended after it) on `on`'s WebSocket listener. */
function v5(on: MosquittoBroker, extra: Partial<ClientOptions> = {}): MqttClient {
  return made.create(optionsFor(on, { protocolVersion: 5, locale: 'en', clientId: `m5api_${id()}`, ...extra }));
}

async function peer5(on: MosquittoBroker, options: Parameters<typeof connectV5Peer>[1] = {}): Promise<V5Peer> {
  const peer = await connectV5Peer(on.tcpPort, options);
  peers.push(peer);
  return peer;
}

const bytesOf = (buffer: ArrayBuffer | undefined): number[] => (buffer ? Array.from(new Uint8Array(buffer)) : []);

/** mosquitto_rr -V mqttv5 against the default broker; resolves with its exit status and output. */
function mosquittoRr(topic: string, responseTopic: string, message: string, waitSeconds: number) {
  return runTool('mosquitto_rr', ['-h', HOST, '-p', String(broker.tcpPort), '-V', 'mqttv5', '-t', topic, '-e', responseTopic, '-m', message, '-W', String(waitSeconds)]).exit;
}

describe('properties both ways, with Debian mosquitto_sub and mosquitto_pub as the peers', () => {
  it('mosquitto_sub reads every publish property exactly: a repeated user property name as two properties, the binary correlation data byte for byte', async () => {
    const topic = `props/${id()}/out`;
    const client = v5(broker);
    await client.connect();
    const sub = mosquittoSub(broker.tcpPort, topic, 1, ['-q', '1']);
    await sub.ready;
    const correlation = new Uint8Array([0x00, 0xff, 0x80, 0x01, 0xfe, 0x0a, 0xc3]);
    const sent = await client.publish(topic, 'hello', {
      qos: 1,
      properties: {
        userProperties: { k: ['v1', 'v2'], z: 'y' },
        contentType: 'text/plain',
        responseTopic: 'r/t',
        correlationData: correlation,
        messageExpiryInterval: 60,
        payloadFormatIndicator: true,
      },
    });
    const [line] = await sub.messages;
    expect(line.topic).toBe(topic);
    expect(line.payload.toString('utf8')).toBe('hello');
    expect(line.userProperties).toBe('k:v1 k:v2 z:y');
    expect(line.contentType).toBe('text/plain');
    expect(line.responseTopic).toBe('r/t');
    expect(Array.from(line.correlationData)).toEqual(Array.from(correlation));
    // what is left of the expiry when mosquitto forwarded it
    expect(Number(line.messageExpiryInterval)).toBeGreaterThanOrEqual(55);
    expect(Number(line.messageExpiryInterval)).toBeLessThanOrEqual(60);
    expect(line.payloadFormatIndicator).toBe('1');
    expect(line.qos).toBe('1');
    // the `publish` detail shows what was sent, as a received message would
    const { correlationData, ...shown } = sent.properties!;
    expect(shown).toEqual({
      userProperties: { k: ['v1', 'v2'], z: 'y' },
      contentType: 'text/plain',
      responseTopic: 'r/t',
      messageExpiryInterval: 60,
      payloadFormatIndicator: true,
      correlationText: expect.any(String),
    });
    expect(bytesOf(correlationData)).toEqual(Array.from(correlation));
  });

  it("mosquitto_pub's properties arrive with their exact values (a repeated name as an array) and the subscription identifier; a message without any has no properties", async () => {
    const base = `props/${id()}`;
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    await expect(client.subscribe(`${base}/tagged/#`, { qos: 1, subscriptionIdentifier: 7, userProperties: { purpose: 'test' } })).resolves.toEqual({ topic: `${base}/tagged/#`, qos: 1, granted: 1 });
    await client.subscribe(`${base}/bare`, { qos: 1 });
    await mosquittoPub5(broker.tcpPort, `${base}/tagged/a`, 'hi there', [
      '-q',
      '1',
      ...publishProperty('user-property', 'k', 'v1'),
      ...publishProperty('user-property', 'z', 'y'),
      ...publishProperty('user-property', 'k', 'v2'),
      ...publishProperty('content-type', 'application/json'),
      ...publishProperty('response-topic', 'reply/here'),
      ...publishProperty('correlation-data', 'corr-123'),
      ...publishProperty('message-expiry-interval', '120'),
      ...publishProperty('payload-format-indicator', '1'),
    ]);
    await mosquittoPub5(broker.tcpPort, `${base}/tagged/b`, 'plain', ['-q', '1']);
    await mosquittoPub5(broker.tcpPort, `${base}/bare`, 'nothing', ['-q', '1']);
    await until(() => log.messages.length === 3, 'three messages');
    const [full, plain, bare] = log.messages;
    expect([full.topic, full.payload, full.qos]).toEqual([`${base}/tagged/a`, 'hi there', 1]);
    const { correlationData, messageExpiryInterval, ...rest } = full.properties!;
    expect(rest).toEqual({
      userProperties: { k: ['v1', 'v2'], z: 'y' },
      contentType: 'application/json',
      payloadFormatIndicator: true,
      responseTopic: 'reply/here',
      correlationText: 'corr-123',
      subscriptionIdentifiers: [7],
    });
    expect(bytesOf(correlationData)).toEqual(Array.from(Buffer.from('corr-123')));
    expect(messageExpiryInterval).toBeGreaterThanOrEqual(115);
    expect(messageExpiryInterval).toBeLessThanOrEqual(120);
    expect(plain.properties).toEqual({ subscriptionIdentifiers: [7] });
    expect(bare.payload).toBe('nothing');
    expect('properties' in bare).toBe(false);
    expect(log.errors).toEqual([]);
  });

  // Each key alone: mqtt.js 4.0.1's property writer fails on a key whose value is undefined, and a
  // SUBSCRIBE built as { userProperties, subscriptionIdentifier } with one missing broke the connection.
  it.each<[string, { subscriptionIdentifier?: number; userProperties?: Record<string, string> }]>([
    ['a subscription identifier alone', { subscriptionIdentifier: 7 }],
    ['SUBSCRIBE user properties alone', { userProperties: { purpose: 'test' } }],
  ])('subscribe() with %s is granted and the connection still carries messages', async (_, options) => {
    const topic = `props/${id()}/single`;
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    const subscribed = await settle(client.subscribe(topic, { qos: 1, ...options }));
    expect(subscribed).toEqual({ ok: true, value: { topic, qos: 1, granted: 1 } });
    await mosquittoPub5(broker.tcpPort, topic, 'x', ['-q', '1']);
    await until(() => log.messages.length === 1, 'the message');
    expect(log.messages[0].properties).toEqual(options.subscriptionIdentifier ? { subscriptionIdentifiers: [7] } : undefined);
  });

  it('will properties reach a peer when the connection drops', async () => {
    const topic = `will/${id()}`;
    const peer = await peer5(broker);
    await peer.subscribe(topic, { qos: 1 });
    const client = v5(broker, {
      reconnectPeriod: 5000,
      will: { topic, payload: 'gone', qos: 1, properties: { contentType: 'text/plain', userProperties: { why: 'crash' }, willDelayInterval: 0, messageExpiryInterval: 300 } },
    });
    await client.connect();
    expect(peer.received).toEqual([]);
    [...wx.sockets].forEach((socket) => socket.interrupt('test drops the connection'));
    await until(() => peer.received.length === 1, 'the will at the peer');
    const [will] = peer.received;
    expect([will.topic, will.payload.toString(), will.qos]).toEqual([topic, 'gone', 1]);
    const { messageExpiryInterval, ...properties } = will.properties;
    expect(properties).toEqual({ contentType: 'text/plain', userProperties: { why: 'crash' } });
    expect(messageExpiryInterval).toBeGreaterThan(290);
  });

  it('CONNECT properties are accepted, and mosquitto honours our maximumPacketSize: a larger message is not sent to us', async () => {
    const base = `connprops/${id()}`;
    const client = v5(broker, { receiveMaximum: 5, maximumPacketSize: 512, topicAliasMaximum: 4, userProperties: { app: 'mqtt5-api' }, sessionExpiryInterval: 0 });
    const log = record(client);
    await client.connect();
    await client.subscribe(`${base}/#`, { qos: 1 });
    await mosquittoPub5(broker.tcpPort, `${base}/big`, 'x'.repeat(1000), ['-q', '1']);
    await mosquittoPub5(broker.tcpPort, `${base}/small`, 'fits', ['-q', '1']);
    await until(() => log.messages.length >= 1, 'the small message');
    expect(log.messages.map((m) => `${m.topic} ${m.payload}`)).toEqual([`${base}/small fits`]);
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    expect(log.errors).toEqual([]);
  });

  it("outgoing topic aliases: QoS 0 publishes with topicAlias 1 reach a peer under the full topic; an alias above mosquitto's maximum (10) is INVALID_OPTION", async () => {
    const topic = `alias/${id()}`;
    const peer = await peer5(broker);
    await peer.subscribe(topic, { qos: 0 });
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    for (const n of [1, 2, 3]) await client.publish(topic, `aliased ${n}`, { qos: 0, properties: { topicAlias: 1 } });
    await until(() => peer.received.length === 3, 'three aliased messages');
    expect(peer.received.map((m) => `${m.topic} ${m.payload.toString()}`)).toEqual([1, 2, 3].map((n) => `${topic} aliased ${n}`));
    const error = await expectRejection(() => client.publish(topic, 'x', { qos: 0, properties: { topicAlias: 11 } }), { code: 'INVALID_OPTION', field: 'properties.topicAlias' });
    expect(error.message).toContain('10');
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
  });
});

describe('request(), answered by a plain mqtt.js client', () => {
  /** Answers a request to its Response Topic with its Correlation Data. */
  const reply = (peer: V5Peer, request: V5Message, payload: string): Promise<void> =>
    peer.publish(request.properties.responseTopic as string, payload, { qos: 1, properties: { correlationData: request.properties.correlationData } });
  /**
   * The same from a message listener, not awaited: the client receiving the response is what the
   * test checks, and a PUBACK still on its way when the peer is ended fails the publish's callback.
   */
  const answer = (peer: V5Peer, request: V5Message, payload: string): void => void reply(peer, request, payload).catch(() => undefined);

  it('resolves with the response sent to its Response Topic with its Correlation Data; request properties reach the responder', async () => {
    const base = `svc/${id()}`;
    const peer = await peer5(broker);
    await peer.subscribe(`${base}/#`, { qos: 1 });
    peer.onMessage((request) => answer(peer, request, `echo:${request.payload.toString()}`));
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    const response = await client.request(`${base}/echo`, 'hello', { timeout: 5000, properties: { contentType: 'text/plain', userProperties: { trace: 't1' } } });
    expect(response.payload).toBe('echo:hello');
    expect(response.topic.startsWith(`miniprogram-mqtt/response/${client.clientId}/`)).toBe(true);
    expect(peer.received).toHaveLength(1);
    const [request] = peer.received;
    expect(request.topic).toBe(`${base}/echo`);
    expect(request.qos).toBe(1);
    expect(request.properties).toMatchObject({ contentType: 'text/plain', userProperties: { trace: 't1' }, responseTopic: response.topic });
    const sentCorrelation = request.properties.correlationData as Buffer;
    expect(sentCorrelation.length).toBeGreaterThan(0);
    expect(bytesOf(response.properties?.correlationData)).toEqual(Array.from(sentCorrelation));
    // request() sets these itself
    await expectRejection(() => client.request(`${base}/echo`, 'x', { properties: { responseTopic: 'mine' } as never }), { code: 'INVALID_OPTION', field: 'properties.responseTopic' });
    // the response is request()'s: no `message` event, and the response topic is not a subscription of the client
    expect(log.messages).toEqual([]);
    expect(client.subscriptions).toEqual([]);
    expect(log.errors).toEqual([]);
  });

  it('50 concurrent requests answered in shuffled order each resolve with their own response, over one response-topic subscription', async () => {
    const base = `svc/${id()}`;
    const peer = await peer5(broker);
    await peer.subscribe(`${base}/#`, { qos: 1 });
    const tap = tapInbound(wx);
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    const from = tap.packets.length;
    const resolvedOrder: number[] = [];
    const results = Array.from({ length: 50 }, (_, n) =>
      client.request(`${base}/job`, String(n), { timeout: 15000 }).then((response) => {
        resolvedOrder.push(n);
        return response;
      }),
    );
    await until(() => peer.received.length === 50, '50 requests at the responder');
    const requests = [...peer.received];
    const random = seeded(50);
    const shuffled = requests.map((r) => ({ r, key: random() })).sort((a, b) => a.key - b.key).map(({ r }) => r);
    const shuffledOrder = shuffled.map((r) => Number(r.payload.toString()));
    expect(shuffledOrder).not.toEqual([...shuffledOrder].sort((a, b) => a - b));
    for (const request of shuffled) await reply(peer, request, `answer:${request.payload.toString()}`);
    const responses = await Promise.all(results);
    expect(responses.map((r) => r.payload)).toEqual(Array.from({ length: 50 }, (_, n) => `answer:${n}`));
    expect(resolvedOrder).toEqual(shuffledOrder);
    expect(new Set(requests.map((r) => r.properties.responseTopic)).size).toBe(1);
    expect(new Set(requests.map((r) => (r.properties.correlationData as Buffer).toString('hex'))).size).toBe(50);
    // one SUBSCRIBE for the response topic, however many requests; later requests reuse it
    expect(tap.countSince(from, SUBACK)).toBe(1);
    peer.onMessage((request) => answer(peer, request, `late:${request.payload.toString()}`));
    const more = await Promise.all(['a', 'b', 'c'].map((p) => client.request(`${base}/again`, p, { timeout: 5000 })));
    expect(more.map((r) => r.payload)).toEqual(['late:a', 'late:b', 'late:c']);
    expect(tap.countSince(from, SUBACK)).toBe(1);
    expect(client.subscriptions).toEqual([]);
    expect(log.messages).toEqual([]);
    expect(log.errors).toEqual([]);
  });

  it('no response within `timeout`: REQUEST_TIMEOUT naming the topic and the limit; a late response changes nothing and the next request works', async () => {
    const base = `svc/${id()}`;
    const peer = await peer5(broker);
    await peer.subscribe(`${base}/#`, { qos: 1 });
    peer.onMessage((request) => {
      if (request.topic.endsWith('/fast')) answer(peer, request, `fast:${request.payload.toString()}`);
    });
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    const topic = `${base}/slow`;
    const error = await expectRejection(() => client.request(topic, 'late', { timeout: 300 }), { code: 'REQUEST_TIMEOUT', topic });
    expect(error.limit).toBe(300);
    expect(error.message).toContain('300');
    // nobody subscribed at all: the same
    const nobody = `nobody/${id()}`;
    expect((await expectRejection(() => client.request(nobody, 'x', { timeout: 200 }), { code: 'REQUEST_TIMEOUT', topic: nobody })).limit).toBe(200);
    // the responder answers the timed-out request after all
    expect(peer.received.filter((r) => r.topic === topic)).toHaveLength(1);
    await reply(peer, peer.received.find((r) => r.topic === topic)!, 'too late');
    const ok = await client.request(`${base}/fast`, 'now', { timeout: 5000 });
    expect(ok.payload).toBe('fast:now');
    expect(log.messages).toEqual([]);
    expect(log.errors).toEqual([]);
    expect(client.subscriptions).toEqual([]);
  });
});

describe('respond(), asked by Debian mosquitto_rr and a plain mqtt.js client', () => {
  it("answers mosquitto_rr with the handler's value; echoes the Correlation Data; returning undefined sends nothing", async () => {
    const base = `rr/${id()}`;
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    const seen: string[] = [];
    const stop = await client.respond(`${base}/+`, (request) => {
      seen.push(request.payload);
      return request.payload === 'silent' ? undefined : `pong:${request.payload}:${request.topic}`;
    });
    expect(client.subscriptions).toEqual([{ topic: `${base}/+`, qos: 1 }]);
    const rr = await mosquittoRr(`${base}/x`, `resp/${base}`, 'ping', 5);
    expect({ code: rr.code, stdout: rr.stdout.toString('utf8') }).toEqual({ code: 0, stdout: `pong:ping:${base}/x\n` });

    const requester = await peer5(broker);
    const back = `back/${base}`;
    await requester.subscribe(back, { qos: 1 });
    const correlation = Buffer.from([1, 2, 3, 0xff, 0]);
    await requester.publish(`${base}/y`, 'silent', { qos: 1, properties: { responseTopic: back, correlationData: Buffer.from([9]) } });
    await requester.publish(`${base}/y`, 'hi', { qos: 1, properties: { responseTopic: back, correlationData: correlation } });
    await until(() => requester.received.length >= 1, 'the response');
    // 'silent' was handled first: had it been answered, its response would have come first
    expect(seen).toEqual(['ping', 'silent', 'hi']);
    expect(requester.received.map((m) => m.payload.toString())).toEqual([`pong:hi:${base}/y`]);
    expect(requester.received[0].qos).toBe(1);
    expect(Array.from(requester.received[0].properties.correlationData as Buffer)).toEqual(Array.from(correlation));
    expect(log.errors).toEqual([]);
    await stop();
  });

  it('a handler that throws: `error` HANDLER_ERROR naming the topic, no response (mosquitto_rr times out); the responder keeps answering', async () => {
    const base = `rr/${id()}`;
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    await client.respond(`${base}/+`, (request) => {
      if (request.topic.endsWith('/boom')) throw new Error('handler broke');
      return 'fine';
    });
    const failing = mosquittoRr(`${base}/boom`, `resp/${base}/1`, 'ping', 1);
    await until(() => log.errors.length === 1, 'HANDLER_ERROR');
    expect(log.errors[0]).toMatchObject({ code: 'HANDLER_ERROR', topic: `${base}/boom` });
    expect(log.errors[0].message).toContain('handler broke');
    const working = mosquittoRr(`${base}/ok`, `resp/${base}/2`, 'ping', 5);
    const [failed, answered] = await Promise.all([failing, working]);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout.length).toBe(0);
    expect(failed.stderr).toContain('Timed out');
    expect({ code: answered.code, stdout: answered.stdout.toString() }).toEqual({ code: 0, stdout: 'fine\n' });
    expect(log.errors).toHaveLength(1);
  });

  it("stop() unsubscribes at the broker: a later mosquitto_rr times out and nothing reaches the client's socket", async () => {
    const base = `rr/${id()}`;
    const tap = tapInbound(wx);
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    const calls: string[] = [];
    const stop = await client.respond(`${base}/+`, (request) => {
      calls.push(request.payload);
      return 'pong';
    });
    const live = await mosquittoRr(`${base}/x`, `resp/${base}`, 'one', 5);
    expect({ code: live.code, stdout: live.stdout.toString() }).toEqual({ code: 0, stdout: 'pong\n' });
    await stop();
    expect(client.subscriptions).toEqual([]);
    const from = tap.packets.length;
    const after = await mosquittoRr(`${base}/x`, `resp/${base}`, 'two', 1);
    expect(after.code).not.toBe(0);
    expect(after.stdout.length).toBe(0);
    expect(calls).toEqual(['one']);
    expect(tap.countSince(from, PUBLISH)).toBe(0);
    await expect(stop()).resolves.toBeUndefined();
    expect(log.errors).toEqual([]);
  });
});

describe('subscription options', () => {
  it('nl: a subscription with No Local does not get its own publish, but gets a peer\'s; one without it gets its own', async () => {
    const base = `nl/${id()}`;
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    await expect(client.subscribe(`${base}/quiet`, { qos: 1, nl: true })).resolves.toEqual({ topic: `${base}/quiet`, qos: 1, granted: 1 });
    await client.subscribe(`${base}/loud`, { qos: 1 });
    await client.publish(`${base}/quiet`, 'mine', { qos: 1 });
    await client.publish(`${base}/loud`, 'mine too', { qos: 1 });
    await mosquittoPub5(broker.tcpPort, `${base}/quiet`, 'theirs', ['-q', '1']);
    await until(() => log.messages.some((m) => m.payload === 'theirs'), "the peer's message");
    // in order: had the broker sent 'mine' back, it would have come before 'theirs'
    expect(log.messages.map((m) => `${m.topic} ${m.payload}`)).toEqual([`${base}/loud mine too`, `${base}/quiet theirs`]);
  });

  it('rap: Retain As Published keeps the retain flag on a retained message forwarded to an existing subscription; without it mosquitto clears it', async () => {
    const base = `rap/${id()}`;
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    await client.subscribe(`${base}/keep`, { qos: 1, rap: true });
    await client.subscribe(`${base}/clear`, { qos: 1, rap: false });
    await mosquittoPub5(broker.tcpPort, `${base}/keep`, 'k', ['-q', '1', '-r']);
    await mosquittoPub5(broker.tcpPort, `${base}/clear`, 'c', ['-q', '1', '-r']);
    await until(() => log.messages.length === 2, 'both messages');
    expect(log.messages.map((m) => [m.topic, m.retain])).toEqual([
      [`${base}/keep`, true],
      [`${base}/clear`, false],
    ]);
  });

  it('rh: 2 gets no retained message on subscribe; rh: 0 and rh: 1 (a new subscription) do', async () => {
    const base = `rh/${id()}`;
    for (const leaf of ['never', 'always', 'new']) await mosquittoPub5(broker.tcpPort, `${base}/${leaf}`, `old ${leaf}`, ['-q', '1', '-r']);
    const client = v5(broker);
    const log = record(client);
    await client.connect();
    await client.subscribe(`${base}/never`, { qos: 1, rh: 2 });
    await client.subscribe(`${base}/always`, { qos: 1, rh: 0 });
    await client.subscribe(`${base}/new`, { qos: 1, rh: 1 });
    await mosquittoPub5(broker.tcpPort, `${base}/never`, 'live', ['-q', '1']);
    await until(() => log.messages.some((m) => m.payload === 'live'), 'the live message');
    // in order: a retained message for `never` would have come right after its SUBACK, before 'live'
    expect(log.messages.map((m) => `${m.topic} ${m.payload} ${m.retain}`)).toEqual([`${base}/always old always true`, `${base}/new old new true`, `${base}/never live false`]);
  });
});

describe('reason codes', () => {
  // mosquitto 2.0.11 sends no DISCONNECT 0x8E to the client it takes a clientId from, over
  // WebSockets or TCP: the socket just closes. The library's immediate CLIENT_ID_CONFLICT for 0x8E is
  // covered against a scripted broker (test/platform/wire-mqtt5.test.ts); here it is the fallback,
  // counting short sessions, that must hold.
  it('takeover by a twin that reconnects: mosquitto closes the socket without DISCONNECT 0x8E; after 3 short sessions `error` CLIENT_ID_CONFLICT, offline, no more reconnects', async () => {
    const clientId = `takeover_${id()}`;
    const tap = tapInbound(wx);
    const client = v5(broker, { clientId, reconnectPeriod: 100 });
    const log = record(client);
    await client.connect();
    const twin = await peer5(broker, { clientId, reconnectPeriod: 100 });
    await until(() => client.status === 'offline', 'offline');
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ code: 'CLIENT_ID_CONFLICT', field: 'clientId' });
    expect(log.errors[0].returnCode).toBeUndefined();
    expect(tap.packets.map((p) => p.type)).toEqual([CONNACK, CONNACK, CONNACK]);
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'reconnecting', 'connected', 'reconnecting', 'connected', 'offline']);
    expect(log.statuses[log.statuses.length - 1]).toEqual({ status: 'offline', previous: 'connected', reason: 'CLIENT_ID_CONFLICT' });
    const opened = wx.requests.length;
    await sleep(1000); // ten reconnect periods
    expect(client.status).toBe('offline');
    expect(wx.requests.length).toBe(opened);
    expect(log.statuses).toHaveLength(7);
    expect(log.errors).toHaveLength(1);
    expect(twin.client.connected).toBe(true);
  });

  describe('mosquitto with an acl_file allowing open/# only', () => {
    let acl: MosquittoBroker;
    let dir: string;
    beforeAll(async () => {
      // readable by the mosquitto user, to whom mosquitto drops when started as root
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt5-api-acl-'));
      fs.chmodSync(dir, 0o755);
      fs.writeFileSync(path.join(dir, 'acl'), 'topic readwrite open/#\n', { mode: 0o644 });
      acl = await startMosquitto({ config: [`acl_file ${path.join(dir, 'acl')}`] });
    });
    afterAll(async () => {
      await acl?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('publish to a denied topic: PUBACK (QoS 1) and PUBREC (QoS 2) 0x87 reject with NOT_AUTHORIZED; SUBSCRIBE is granted (acl_file does not check it); the client stays connected', async () => {
      const client = v5(acl);
      const log = record(client);
      await client.connect();
      for (const qos of [1, 2] as const) {
        const error = await expectRejection(() => client.publish('secret/x', 'no', { qos }), { code: 'NOT_AUTHORIZED', topic: 'secret/x' });
        expect(error.returnCode).toBe(0x87);
        expect(error.message).toContain('0x87');
      }
      await expect(client.subscribe('secret/#', { qos: 1 })).resolves.toEqual({ topic: 'secret/#', qos: 1, granted: 1 });
      await roundTrip(client, 'open/rt');
      expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
      expect(log.errors).toEqual([]);
    });
  });

  describe('mosquitto with the dynamic security plugin denying subscriptions to secret/#', () => {
    let dynsec: MosquittoBroker;
    let dir: string;
    beforeAll(async () => {
      const plugin = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']
        .map((d) => path.join(d, 'mosquitto_dynamic_security.so'))
        .find((p) => fs.existsSync(p));
      if (!plugin) throw new Error("Debian's mosquitto_dynamic_security.so is missing");
      // the plugin runs as the mosquitto user when mosquitto was started as root, and may save its file
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt5-api-dynsec-'));
      fs.chmodSync(dir, 0o777);
      const config = {
        defaultACLAccess: { publishClientSend: true, publishClientReceive: true, subscribe: true, unsubscribe: true },
        clients: [],
        groups: [{ groupname: 'anonymous', roles: [{ rolename: 'no-secrets' }] }],
        roles: [{ rolename: 'no-secrets', acls: [{ acltype: 'subscribePattern', topic: 'secret/#', priority: 0, allow: false }] }],
        anonymousGroup: 'anonymous',
      };
      fs.writeFileSync(path.join(dir, 'dynsec.json'), JSON.stringify(config));
      fs.chmodSync(path.join(dir, 'dynsec.json'), 0o666);
      dynsec = await startMosquitto({ config: [`plugin ${plugin}`, `plugin_opt_config_file ${path.join(dir, 'dynsec.json')}`] });
    });
    afterAll(async () => {
      await dynsec?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('SUBACK 0x87 rejects with SUBSCRIBE_REJECTED and returnCode 0x87; a filter subscribed at the same time is granted; the client stays usable', async () => {
      const client = v5(dynsec);
      const log = record(client);
      await client.connect();
      const [denied, granted] = await Promise.all([
        expectRejection(() => client.subscribe('secret/#', { qos: 1 }), { code: 'SUBSCRIBE_REJECTED', topic: 'secret/#' }),
        client.subscribe('open/a/#', { qos: 1 }),
      ]);
      expect(denied.returnCode).toBe(0x87);
      expect(granted).toEqual({ topic: 'open/a/#', qos: 1, granted: 1 });
      expect(client.subscriptions).toEqual([{ topic: 'open/a/#', qos: 1 }]);
      await roundTrip(client, 'open/rt');
      expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
      expect(log.errors).toEqual([]);
    });
  });

  describe('mosquitto with max_packet_size 1024', () => {
    let small: MosquittoBroker;
    beforeAll(async () => {
      small = await startMosquitto({ config: ['max_packet_size 1024'] });
    });
    afterAll(() => small?.stop());

    it("a 2 KB publish is refused before it is sent: PAYLOAD_TOO_LARGE with limit 1024 (the CONNACK's Maximum Packet Size); a smaller one goes", async () => {
      const topic = `big/${id()}`;
      const peer = await peer5(small);
      await peer.subscribe(topic, { qos: 1 });
      const client = v5(small);
      const log = record(client);
      await client.connect();
      for (const qos of [0, 1, 2] as const) {
        const error = await expectRejection(() => client.publish(topic, 'x'.repeat(2048), { qos }), { code: 'PAYLOAD_TOO_LARGE' });
        expect(error.limit).toBe(1024);
        expect(error.message).toContain('1024');
      }
      await client.publish(topic, 'y'.repeat(500), { qos: 1 });
      await until(() => peer.received.length === 1, 'the small message');
      expect(peer.received.map((m) => m.payload.length)).toEqual([500]);
      // nothing too large went out: mosquitto would have disconnected the client
      expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
      expect(log.errors).toEqual([]);
    });
  });
});

describe('protocolVersion 4: MQTT 5 options are refused, naming the field', () => {
  it('publish properties, subscribe options, request() and respond() are refused; the client still works', async () => {
    const client = made.create(optionsFor(broker, { protocolVersion: 4, locale: 'en', clientId: `m5api_v4_${id()}` }));
    const log = record(client);
    await client.connect();
    const publishCases: [Record<string, unknown>, string][] = [
      [{ userProperties: { a: 'b' } }, 'properties.userProperties'],
      [{ contentType: 'text/plain' }, 'properties.contentType'],
      [{ payloadFormatIndicator: true }, 'properties.payloadFormatIndicator'],
      [{ messageExpiryInterval: 5 }, 'properties.messageExpiryInterval'],
      [{ responseTopic: 'r/t' }, 'properties.responseTopic'],
      [{ correlationData: 'c' }, 'properties.correlationData'],
      [{ topicAlias: 1 }, 'properties.topicAlias'],
    ];
    for (const [properties, field] of publishCases) {
      for (const qos of [0, 1] as const) {
        const error = await expectRejection(() => client.publish('v4/x', 'p', { qos, properties }), { code: 'INVALID_OPTION', field });
        expect(error.message).toContain(field);
      }
    }
    const subscribeCases: [Record<string, unknown>, string][] = [
      [{ nl: true }, 'nl'],
      [{ rap: true }, 'rap'],
      [{ rh: 2 }, 'rh'],
      [{ userProperties: { a: 'b' } }, 'userProperties'],
      [{ subscriptionIdentifier: 3 }, 'subscriptionIdentifier'],
    ];
    for (const [options, field] of subscribeCases) {
      await expectRejection(() => client.subscribe('v4/#', { qos: 1, ...options }), { code: 'INVALID_OPTION', field });
    }
    const request = await expectRejection(() => client.request('v4/svc', 'x'), { code: 'MQTT5_REQUIRED', field: 'request()' });
    expect(request.message).toContain('MQTT 5');
    await expectRejection(() => client.respond('v4/svc', () => 'x'), { code: 'MQTT5_REQUIRED', field: 'respond()' });
    expect(client.subscriptions).toEqual([]);
    await roundTrip(client, 'v4rt');
    expect(log.statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    expect(log.errors).toEqual([]);
  });

  it.each<[string, Partial<ClientOptions>]>([
    ['receiveMaximum', { receiveMaximum: 10 }],
    ['maximumPacketSize', { maximumPacketSize: 4096 }],
    ['topicAliasMaximum', { topicAliasMaximum: 5 }],
    ['userProperties', { userProperties: { a: 'b' } }],
    ['requestResponseInformation', { requestResponseInformation: true }],
    ['sessionExpiryInterval', { sessionExpiryInterval: 60 }],
    ['will.properties.contentType', { will: { topic: 'w/t', payload: 'x', properties: { contentType: 'text/plain' } } }],
  ])('connect() rejects INVALID_OPTION naming %s, opening no socket', async (field, extra) => {
    const client = made.create(optionsFor(broker, { protocolVersion: 4, locale: 'en', ...extra }));
    await expectRejection(() => client.connect(), { code: 'INVALID_OPTION', field });
    expect(wx.requests).toEqual([]);
    expect(client.status).toBe('idle');
  });
});
