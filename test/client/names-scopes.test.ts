/**
 * Named clients, shared sockets, scopes and mqttBehavior against real brokers (aedes; mosquitto
 * where sessions matter). What the broker does is proved at the socket: a tap on the Node wx
 * socket parses every inbound frame into MQTT packets, so "the subscription is gone" means the
 * broker sent nothing more for that filter while a control filter on the same socket still got
 * its message.
 */
// simulate first: it defines the global Behavior that mqttBehavior registers itself with.
import * as simulate from 'miniprogram-simulate';
import { listen, loadComponent, render, Rendered } from '../support/simulate';
import { createClient, getClient, mqttBehavior, MqttClient, MqttScope } from '../../src/index';
import type { MqttBehaviorMethods } from '../../src/index';
import { setPlatformWx } from '../../src/platform/index';
import type { ClientOptions, ConnectEventDetail, MqttErrorDetail, MqttPanelMethods, StatusEventDetail, SubscribeEventDetail } from '../../src/types';
import { AedesBroker, Broker, MosquittoBroker, startAedes, startMosquitto } from '../support/brokers';
import { expectRejection, InboundTap, Made, optionsFor, roundTrip, SUBACK, tapInbound, UNSUBACK } from '../support/client';
import { sleep, until } from '../support/harness';
import { connectPeer, Peer } from '../support/peer';
import { NodeWx } from '../support/wx';

let aedes: AedesBroker;
let mosquitto: MosquittoBroker;
let wx: NodeWx;
let tap: InboundTap;
let panelId: string;
const made = new Made();
const peers: Peer[] = [];
const rendered: Rendered[] = [];

beforeAll(async () => {
  panelId = loadComponent('mqtt-panel');
  [aedes, mosquitto] = await Promise.all([startAedes(), startMosquitto()]);
});
afterAll(async () => {
  await Promise.all([aedes.stop(), mosquitto.stop()]);
});
beforeEach(() => {
  wx = new NodeWx();
  tap = tapInbound(wx);
  setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
});
afterEach(async () => {
  rendered.splice(0).forEach((comp) => detach(comp));
  await made.endAll();
  await Promise.all(peers.splice(0).map((p) => p.end()));
  wx.dispose();
});

const brokerOf = (name: 'aedes' | 'mosquitto'): Broker => (name === 'aedes' ? aedes : mosquitto);
const urlOf = (broker: Broker): string => `ws://127.0.0.1:${broker.wsPort}${broker.path}`;
const panel = (comp: Rendered): MqttPanelMethods => comp.instance as unknown as MqttPanelMethods;
/** The App's client of the panel and behaviour tests: one registered name across tests. */
const MAIN = (): ClientOptions => optionsFor(aedes, { name: 'main', clientId: 'main_app' });

function show(id: string, properties: Record<string, unknown> = {}): Rendered {
  const comp = render(id, properties);
  rendered.push(comp);
  return comp;
}

function detach(comp: Rendered): void {
  const at = rendered.indexOf(comp);
  if (at >= 0) rendered.splice(at, 1);
  try {
    (comp as unknown as { detach(): void }).detach();
  } catch {
    // already detached
  }
}

async function peerOn(broker: Broker): Promise<Peer> {
  const peer = await connectPeer(broker.tcpPort);
  peers.push(peer);
  return peer;
}

/**
 * Proves the broker holds no subscription for `topic` on this socket: publishes it and then a
 * control message from a peer (same QoS 1, same peer connection, so the broker handles them in
 * order) and checks that only the control message reached the socket.
 */
async function provesNothingArrives(peer: Peer, topic: string, controlTopic: string, controlHeard: () => boolean): Promise<void> {
  const mark = tap.packets.length;
  await peer.publish(topic, 'after release', { qos: 1 });
  await peer.publish(controlTopic, 'control', { qos: 1 });
  await until(controlHeard, `the control message on ${controlTopic}`);
  await sleep(100);
  expect(tap.publishesSince(mark)).toEqual([controlTopic]);
}

describe('named clients', () => {
  it('createClient twice with one name returns the same object, and getClient(name) returns it', async () => {
    const options = optionsFor(aedes, { name: 'same-name', clientId: 'same_name_id' });
    expect(getClient('same-name')).toBeUndefined();
    const first = made.create(options);
    expect(createClient({ ...options })).toBe(first);
    expect(getClient('same-name')).toBe(first);
    expect(first.name).toBe('same-name');
    await expect(first.connect()).resolves.toEqual({ clientId: 'same_name_id', url: urlOf(aedes), sessionPresent: false });
    expect(createClient({ ...options })).toBe(first);
    expect(wx.requests).toHaveLength(1);
    await roundTrip(first);
  });

  it.each<[string, Partial<ClientOptions>]>([
    ['another port', { port: 1883 }],
    ['another clientId', { clientId: 'someone_else' }],
    ['another username', { username: 'u' }],
    ['another keepalive', { keepalive: 30 }],
    ['clean: false', { clean: false }],
  ])('the same name with %s: that client rejects INVALID_OPTION field "name"; the registered one is unaffected', async (_label, change) => {
    const name = `taken-${Object.keys(change)[0]}`;
    const options = optionsFor(aedes, { name, clientId: `${name}_id` });
    const registered = made.create(options);
    await registered.connect();
    let other!: MqttClient;
    expect(() => {
      other = createClient({ ...options, ...change });
    }).not.toThrow();
    expect(other).not.toBe(registered);
    await expectRejection(() => other.connect(), { code: 'INVALID_OPTION', field: 'name' });
    await expectRejection(() => other.subscribe('taken/#'), { code: 'INVALID_OPTION', field: 'name' });
    await expectRejection(() => other.publish('taken/x', 'x'), { code: 'INVALID_OPTION', field: 'name' });
    expect(wx.requests).toHaveLength(1);
    expect(getClient(name)).toBe(registered);
    expect(registered.status).toBe('connected');
    await roundTrip(registered);
  });

  it('a name given with no clientId, twice: still the same client (its random clientId counts as any)', async () => {
    const first = made.create(optionsFor(aedes, { name: 'random-id' }));
    expect(first.clientId).toMatch(/^mp_[a-z0-9]{12}$/);
    expect(createClient(optionsFor(aedes, { name: 'random-id' }))).toBe(first);
    await first.connect();
    expect(createClient(optionsFor(aedes, { name: 'random-id' }))).toBe(first);
    expect(createClient(optionsFor(aedes, { name: 'random-id', clientId: first.clientId }))).toBe(first);
    expect(wx.requests).toHaveLength(1);
  });
});

describe('sharing one socket', () => {
  it('two clients with equal connection options share one socket; each hears only its own subscriptions', async () => {
    const a = made.create(optionsFor(aedes, { clientId: 'pair_id' }));
    const b = made.create(optionsFor(aedes, { clientId: 'pair_id' }));
    expect(b).not.toBe(a);
    const details = await Promise.all([a.connect(), b.connect()]);
    expect(details).toEqual([0, 1].map(() => ({ clientId: 'pair_id', url: urlOf(aedes), sessionPresent: false })));
    expect(wx.sockets.size).toBe(1);
    expect(wx.requests).toHaveLength(1);
    const gotA: string[] = [];
    const gotB: string[] = [];
    a.on('message', (m) => gotA.push(m.topic));
    b.on('message', (m) => gotB.push(m.topic));
    await a.subscribe('pair/#', { qos: 1 });
    await b.publish('pair/x', 'from b', { qos: 1 });
    await until(() => gotA.length === 1, 'a to hear what b published');
    await sleep(100);
    expect(gotA).toEqual(['pair/x']);
    expect(gotB).toEqual([]);
    await b.end();
    expect(b.status).toBe('closed');
    expect(a.status).toBe('connected');
    expect(wx.sockets.size).toBe(1);
    await roundTrip(a);
    await a.end();
    await until(() => wx.sockets.size === 0, 'the socket to close with its last user');
  });

  it('<mqtt-panel client="main"> and the App client share one socket; the panel status follows the client', async () => {
    const app = made.create(MAIN());
    const comp = show(panelId, { client: 'main', headless: true, topic: 'panel-main/#' });
    const statuses = listen<StatusEventDetail>(comp, 'status');
    const connects = listen<ConnectEventDetail>(comp, 'connect');
    const subscribes = listen<SubscribeEventDetail>(comp, 'subscribe');
    const errors = listen<MqttErrorDetail>(comp, 'error');
    expect(panel(comp).getState().status).toBe('idle');
    const detail = await app.connect();
    await until(() => connects.length === 1, "the panel's connect event");
    expect(panel(comp).getState()).toMatchObject({ status: 'connected', clientId: 'main_app' });
    expect(comp.data.status).toBe('connected');
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    expect(connects).toEqual([detail]);
    await until(() => subscribes.length === 1, "the panel's auto-subscribe");
    expect(panel(comp).getState().subscriptions).toEqual([{ topic: 'panel-main/#', qos: 0 }]);

    // Both publish and receive through the one socket. (The App client also hears what its
    // scopes subscribed, the panel's among them: count its own filter only.)
    const appGot: string[] = [];
    app.on('message', (m) => {
      if (m.topic.startsWith('app-main/')) appGot.push(m.topic);
    });
    await app.subscribe('app-main/#');
    await panel(comp).publish('app-main/from-panel', 'hi', { qos: 1 });
    const panelGot = listen<{ topic: string }>(comp, 'message');
    await app.publish('panel-main/from-app', 'hello', { qos: 1 });
    await until(() => appGot.length === 1 && panelGot.length === 1, 'both directions');
    expect(appGot).toEqual(['app-main/from-panel']);
    expect(panelGot.map((m) => m.topic)).toEqual(['panel-main/from-app']);
    expect(wx.requests).toHaveLength(1);
    expect(wx.sockets.size).toBe(1);
    expect(errors).toEqual([]);

    // The App ends its client: the panel follows it to closed.
    await app.end();
    await until(() => panel(comp).getState().status === 'closed', 'the panel to follow the client to closed');
    expect(comp.data.status).toBe('closed');
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected', 'closed']);
    await until(() => wx.sockets.size === 0, 'the socket to close');
  });

  it('<mqtt-panel client="cred-main"> on a client with a credentials function just works, and renders none of it', async () => {
    const reasons: string[] = [];
    const credentials: ClientOptions['credentials'] = ({ reason }) => (reasons.push(reason), { username: 'panel-user', password: 'panel-secret-42' });
    const options = optionsFor(aedes, { name: 'cred-main', clientId: 'cred_main_app', credentials });
    const app = made.create(options);
    // the name is taken by a client with this very function: another function is other options
    expect(createClient(options)).toBe(app);
    await expectRejection(() => createClient({ ...options, credentials: () => ({}) }).connect(), { code: 'INVALID_OPTION', field: 'name' });
    const comp = show(panelId, { client: 'cred-main', topic: 'cred-panel/#' });
    const connects = listen<ConnectEventDetail>(comp, 'connect');
    await app.connect();
    await until(() => connects.length === 1, "the panel's connect event");
    expect(reasons).toEqual(['connect']);
    expect(panel(comp).getState().status).toBe('connected');
    const got = listen<{ payload: string }>(comp, 'message');
    await until(() => panel(comp).getState().subscriptions.length === 1, "the panel's auto-subscribe");
    await app.publish('cred-panel/x', 'through the panel', { qos: 1 });
    await until(() => got.length === 1, 'the message at the panel');
    expect(JSON.stringify(comp.toJSON())).not.toContain('panel-secret-42');
    expect(JSON.stringify(comp.data)).not.toContain('panel-secret-42');
  });

  it('<mqtt-panel client="nope"> emits NO_CLIENT, then attaches when createClient({name: "nope"}) is called', async () => {
    const comp = show(panelId, { client: 'nope', headless: true, topic: 'nope/#' });
    const errors = listen<MqttErrorDetail>(comp, 'error');
    const statuses = listen<StatusEventDetail>(comp, 'status');
    const connects = listen<ConnectEventDetail>(comp, 'connect');
    const messages = listen<{ topic: string; payload: string }>(comp, 'message');
    await until(() => errors.length === 1, 'the NO_CLIENT error event');
    expect(errors[0]).toMatchObject({ code: 'NO_CLIENT', field: 'nope' });
    expect(errors[0].message).toContain('nope');
    expect(Object.getPrototypeOf(errors[0])).toBe(Object.prototype);
    await expectRejection(() => panel(comp).connect(), { code: 'NO_CLIENT', field: 'nope' });
    expect(wx.requests).toHaveLength(0);

    const client = made.create(optionsFor(aedes, { name: 'nope', clientId: 'nope_app' }));
    expect(panel(comp).getState()).toMatchObject({ status: 'idle', clientId: 'nope_app' });
    await client.connect();
    await until(() => connects.length === 1, "the panel's connect event");
    expect(statuses.map((s) => s.status)).toEqual(['connecting', 'connected']);
    expect(connects).toEqual([{ clientId: 'nope_app', url: urlOf(aedes), sessionPresent: false }]);
    await until(() => panel(comp).getState().subscriptions.length === 1, "the panel's auto-subscribe");
    const peer = await peerOn(aedes);
    await peer.publish('nope/x', 'flowing', { qos: 1 });
    await until(() => messages.length === 1, 'a message to the panel');
    expect(messages[0]).toMatchObject({ topic: 'nope/x', payload: 'flowing' });
    expect(wx.sockets.size).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['NO_CLIENT', 'NO_CLIENT']);
  });

  // Regression (fixed in 8314a4b): a panel attaching to a client that was already connected emitted
  // no `connect` event. Issue 12: a joiner reports the real sessionPresent in its connect event.
  it('a panel attached after its named client connected emits connect with the real sessionPresent (mosquitto)', async () => {
    const options = optionsFor(mosquitto, { name: 'late-panel', clientId: 'late_panel_app', clean: false });
    const prime = made.create(options);
    await prime.connect();
    await prime.end();
    const app = made.create(options);
    expect(app).toBe(prime);
    await expect(app.connect()).resolves.toMatchObject({ sessionPresent: true });
    const comp = show(panelId, { client: 'late-panel', headless: true, topic: 'late/#' });
    const connects = listen<ConnectEventDetail>(comp, 'connect');
    await until(() => panel(comp).getState().subscriptions.length === 1, "the panel's auto-subscribe");
    expect(panel(comp).getState().status).toBe('connected');
    expect(connects).toEqual([{ clientId: 'late_panel_app', url: urlOf(mosquitto), sessionPresent: true }]);
  });
});

describe.each(['aedes', 'mosquitto'] as const)('subscribing from a connect listener on %s', (brokerName) => {
  // Regression (fixed in 8314a4b): a subscribe() made inside a `connect` listener went out twice
  // (the listener's own SUBSCRIBE, then the resubscribe of unconfirmed filters), and MQTT 3.1.1
  // §3.8.4 makes the broker re-send retained messages for a repeated SUBSCRIBE: the retained
  // message arrived twice. <mqtt-panel>'s autoSubscribe takes this path on every connect.
  it('one SUBSCRIBE per filter: a retained message arrives once', async () => {
    const broker = brokerOf(brokerName);
    const topic = `retained-${brokerName}/one`;
    const peer = await peerOn(broker);
    await peer.publish(topic, 'kept', { qos: 1, retain: true });
    try {
      const client = made.create(optionsFor(broker));
      const got: string[] = [];
      client.on('message', (m) => got.push(`${m.topic}=${m.payload}`));
      const subscribed: Promise<SubscribeEventDetail>[] = [];
      client.on('connect', () => subscribed.push(client.subscribe(`retained-${brokerName}/#`, { qos: 1 })));
      await client.connect();
      await Promise.all(subscribed);
      await until(() => got.length >= 1, 'the retained message');
      await sleep(300);
      expect(got).toEqual([`${topic}=kept`]);
      expect(tap.countSince(0, SUBACK)).toBe(1);
    } finally {
      await peer.publish(topic, '', { qos: 1, retain: true });
    }
  });
});

describe.each(['aedes', 'mosquitto'] as const)('scopes on %s', (brokerName) => {
  it('two scopes on one filter: releasing one keeps delivery to the other; releasing both removes the broker subscription', async () => {
    const broker = brokerOf(brokerName);
    const client = made.create(optionsFor(broker, { clientId: `scopes_${brokerName}` }));
    await client.connect();
    const control: string[] = [];
    client.on('message', (m) => {
      if (m.topic.startsWith('control/')) control.push(m.topic);
    });
    await client.subscribe('control/#', { qos: 1 });
    const s1 = client.scope();
    const s2 = client.scope();
    const got1: string[] = [];
    const got2: string[] = [];
    s1.on('message', (m) => got1.push(m.topic));
    s2.on('message', (m) => got2.push(m.topic));
    await expect(s1.subscribe('shared/+', { qos: 1 })).resolves.toEqual({ topic: 'shared/+', qos: 1, granted: 1 });
    const subacks = tap.countSince(0, SUBACK);
    await expect(s2.subscribe('shared/+', { qos: 1 })).resolves.toEqual({ topic: 'shared/+', qos: 1, granted: 1 });
    expect(tap.countSince(0, SUBACK)).toBe(subacks); // held already at that QoS: the broker is not asked again
    expect(s1.subscriptions).toEqual([{ topic: 'shared/+', qos: 1 }]);
    expect(s2.subscriptions).toEqual([{ topic: 'shared/+', qos: 1 }]);
    expect(client.subscriptions).toEqual(expect.arrayContaining([{ topic: 'control/#', qos: 1 }, { topic: 'shared/+', qos: 1 }]));

    const peer = await peerOn(broker);
    await peer.publish('shared/1', 'one', { qos: 1 });
    await until(() => got1.length === 1 && got2.length === 1, 'both scopes to hear shared/1');

    let mark = tap.packets.length;
    await s1.release();
    expect(s1.isReleased).toBe(true);
    expect(s1.subscriptions).toEqual([]);
    expect(tap.countSince(mark, UNSUBACK)).toBe(0); // s2 still holds it: no UNSUBSCRIBE
    mark = tap.packets.length;
    await peer.publish('shared/2', 'two', { qos: 1 });
    await until(() => got2.length === 2, 's2 to hear shared/2');
    expect(tap.publishesSince(mark)).toEqual(['shared/2']);
    expect(got1).toEqual(['shared/1']);

    mark = tap.packets.length;
    await s2.release();
    expect(tap.countSince(mark, UNSUBACK)).toBe(1);
    expect(client.subscriptions).toEqual([{ topic: 'control/#', qos: 1 }]);
    await provesNothingArrives(peer, 'shared/3', 'control/after-both', () => control.includes('control/after-both'));
    expect(got1).toEqual(['shared/1']);
    expect(got2).toEqual(['shared/1', 'shared/2']);
  });
});

describe('scope and client listeners', () => {
  it('after release the scope hears nothing more and its methods reject DESTROYED; client.on returns a working off()', async () => {
    const client = made.create(optionsFor(aedes));
    const scope = client.scope();
    const heard: string[] = [];
    for (const event of ['status', 'connect', 'message', 'publish', 'subscribe', 'unsubscribe', 'error', 'warning'] as const) {
      scope.on(event, () => heard.push(event));
    }
    await client.connect();
    await scope.subscribe('gone/#');
    await scope.publish('gone/1', 'x', { qos: 1 });
    await until(() => heard.includes('message'), 'the scope to hear its own message');
    // (the echo of a QoS 1 publish may arrive before its PUBACK: compare without order)
    expect([...heard].sort()).toEqual(['connect', 'message', 'publish', 'status', 'status', 'subscribe']);

    await expect(scope.release()).resolves.toBeUndefined();
    await expect(scope.release()).resolves.toBeUndefined();
    heard.length = 0;
    await expectRejection(() => scope.subscribe('gone/#'), { code: 'DESTROYED' });
    await expectRejection(() => scope.unsubscribe('gone/#'), { code: 'DESTROYED' });
    await expectRejection(() => scope.publish('gone/2', 'x'), { code: 'DESTROYED' });

    // The client subscribes the same filter itself: messages reach the socket, not the released scope.
    const viaOn: string[] = [];
    const all: string[] = [];
    const off = client.on('message', (m) => viaOn.push(m.topic));
    client.on('message', (m) => all.push(m.topic));
    await client.subscribe('gone/#', { qos: 1 });
    await client.publish('gone/3', 'y', { qos: 1 });
    await until(() => all.includes('gone/3'), 'gone/3');
    off();
    expect(() => off()).not.toThrow();
    await client.publish('gone/4', 'z', { qos: 1 });
    await until(() => all.includes('gone/4'), 'gone/4');
    expect(viaOn).toEqual(['gone/3']);
    await client.end();
    expect(client.status).toBe('closed');
    await sleep(50);
    expect(heard).toEqual([]);
  });
});

describe('joining an open socket', () => {
  it('a second client with the same options gets the real sessionPresent in connect() and in its connect event (mosquitto, clean: false)', async () => {
    const options = optionsFor(mosquitto, { clientId: 'join_persist', clean: false });
    const prime = made.create(options);
    await expect(prime.connect()).resolves.toMatchObject({ sessionPresent: false });
    await prime.subscribe('join/#', { qos: 1 });
    await prime.end();

    const first = made.create(options);
    await expect(first.connect()).resolves.toEqual({ clientId: 'join_persist', url: urlOf(mosquitto), sessionPresent: true });
    const requests = wx.requests.length;

    const second = made.create(options);
    expect(second).not.toBe(first);
    const statuses: StatusEventDetail[] = [];
    const connects: ConnectEventDetail[] = [];
    second.on('status', (s) => statuses.push(s));
    second.on('connect', (c) => connects.push(c));
    const detail = await second.connect();
    expect(detail).toEqual({ clientId: 'join_persist', url: urlOf(mosquitto), sessionPresent: true });
    expect(connects).toEqual([detail]);
    expect(statuses).toEqual([
      { status: 'connecting', previous: 'idle' },
      { status: 'connected', previous: 'connecting' },
    ]);
    expect(second.status).toBe('connected');
    expect(wx.requests).toHaveLength(requests);
    expect(wx.sockets.size).toBe(1);
  });
});

interface HostPage {
  scope: MqttScope;
  again: MqttScope;
  byClient?: MqttScope;
  subscribed: Promise<SubscribeEventDetail>;
  messages: string[];
}

describe('mqttBehavior', () => {
  const pages: HostPage[] = [];
  let hostId: string;
  let plainId: string;
  type Host = WechatMiniprogram.Component.TrivialInstance & MqttBehaviorMethods;

  beforeAll(() => {
    expect(typeof mqttBehavior).toBe('string'); // registered through the global Behavior
    const load = simulate.load as unknown as (definition: object) => string;
    hostId = load({
      template: '<view class="count">{{count}}</view>',
      data: { count: 0 },
      behaviors: [mqttBehavior],
      lifetimes: {
        attached(this: Host) {
          const scope = this.mqttScope('main');
          const client = getClient('main');
          const page: HostPage = { scope, again: this.mqttScope('main'), byClient: client && this.mqttScope(client), subscribed: scope.subscribe('page/#', { qos: 1 }), messages: [] };
          page.subscribed.catch(() => undefined);
          scope.on('message', (m) => {
            page.messages.push(m.topic);
            this.setData({ count: page.messages.length });
          });
          pages.push(page);
        },
      },
    });
    plainId = load({ template: '<view></view>', behaviors: [mqttBehavior] });
  });

  it('mqttScope returns one scope per client per component; detaching releases it, and the broker subscription goes with the last one', async () => {
    const app = made.create(MAIN());
    await app.connect();
    const control: string[] = [];
    app.on('message', (m) => {
      if (m.topic.startsWith('control/')) control.push(m.topic);
    });
    await app.subscribe('control/#', { qos: 1 });

    const first = show(hostId);
    const second = show(hostId);
    const [p1, p2] = pages.slice(-2);
    expect(p1.again).toBe(p1.scope);
    expect(p1.byClient).toBe(p1.scope);
    expect(p2.scope).not.toBe(p1.scope);
    await expect(p1.subscribed).resolves.toEqual({ topic: 'page/#', qos: 1, granted: 1 });
    await expect(p2.subscribed).resolves.toEqual({ topic: 'page/#', qos: 1, granted: 1 });

    const peer = await peerOn(aedes);
    await peer.publish('page/a', 'a', { qos: 1 });
    await until(() => p1.messages.length === 1 && p2.messages.length === 1, 'both components to hear page/a');
    expect(first.querySelector('.count')!.dom!.textContent).toBe('1');

    let mark = tap.packets.length;
    detach(first);
    expect(p1.scope.isReleased).toBe(true);
    await peer.publish('page/b', 'b', { qos: 1 });
    await until(() => p2.messages.length === 2, 'the second component to hear page/b');
    expect(p1.messages).toEqual(['page/a']);
    expect(tap.countSince(mark, UNSUBACK)).toBe(0);

    mark = tap.packets.length;
    detach(second);
    expect(p2.scope.isReleased).toBe(true);
    await until(() => tap.countSince(mark, UNSUBACK) === 1, 'UNSUBACK for page/#');
    expect(app.subscriptions).toEqual([{ topic: 'control/#', qos: 1 }]);
    await provesNothingArrives(peer, 'page/c', 'control/after-detach', () => control.includes('control/after-detach'));
    expect(p2.messages).toEqual(['page/a', 'page/b']);
    await expectRejection(() => p2.scope.subscribe('page/#'), { code: 'DESTROYED' });
  });

  it("mqttScope('missing') returns a scope whose calls reject NO_CLIENT; once the client exists the component gets a working scope", async () => {
    const comp = show(plainId);
    const host = comp.instance as unknown as MqttBehaviorMethods;
    const scope = host.mqttScope('missing');
    expect(host.mqttScope('missing')).toBe(scope);
    await expectRejection(() => scope.subscribe('missing/#'), { code: 'NO_CLIENT', field: 'missing' });
    await expectRejection(() => scope.unsubscribe('missing/#'), { code: 'NO_CLIENT', field: 'missing' });
    await expectRejection(() => scope.publish('missing/x', 'x'), { code: 'NO_CLIENT', field: 'missing' });
    expect(wx.requests).toHaveLength(0);

    const client = made.create(optionsFor(aedes, { name: 'missing' }));
    await client.connect();
    const live = host.mqttScope('missing');
    expect(live).not.toBe(scope);
    expect(host.mqttScope(client)).toBe(live);
    await roundTrip(live);
    detach(comp);
    expect(live.isReleased).toBe(true);
  });
});

describe.each(['aedes', 'mosquitto'] as const)('end() on %s', (brokerName) => {
  it('the broker reports 0 clients afterwards', async () => {
    const broker = brokerOf(brokerName);
    await until(async () => (await broker.clientCount()) === 0, 'no clients left from earlier tests', 15000);
    const client = made.create(optionsFor(broker));
    await client.connect();
    await client.subscribe('end/#', { qos: 1 });
    expect(await broker.clientCount()).toBe(1);
    await client.end();
    expect(client.status).toBe('closed');
    expect(client.subscriptions).toEqual([]);
    await until(() => wx.sockets.size === 0, 'the socket to close');
    await until(async () => (await broker.clientCount()) === 0, 'the broker to see no client', 5000);
  });
});

describe('end() with clean: false (mosquitto)', () => {
  it('the broker keeps the subscription: messages published while away arrive after connecting again (sessionPresent true)', async () => {
    const options = optionsFor(mosquitto, { clientId: 'away_client', clean: false });
    const client = made.create(options);
    await expect(client.connect()).resolves.toMatchObject({ sessionPresent: false });
    await client.subscribe('away/#', { qos: 1 });
    await client.end();
    await until(() => wx.sockets.size === 0, 'the socket to close');

    const peer = await peerOn(mosquitto);
    await peer.publish('away/1', 'one', { qos: 1 });
    await peer.publish('away/2', 'two', { qos: 1 });

    const got: string[] = [];
    const connects: ConnectEventDetail[] = [];
    client.on('message', (m) => got.push(`${m.topic}=${m.payload}`));
    client.on('connect', (c) => connects.push(c));
    const detail = await client.connect();
    expect(detail).toEqual({ clientId: 'away_client', url: urlOf(mosquitto), sessionPresent: true });
    expect(connects).toEqual([detail]);
    await client.subscribe('away/#', { qos: 1 });
    await until(() => got.length === 2, 'the two messages queued while away');
    expect(got).toEqual(['away/1=one', 'away/2=two']);
  });
});
