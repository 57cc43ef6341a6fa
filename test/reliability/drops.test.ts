/**
 * Drops without loss: a proxy between <mqtt-panel> and the broker is cut 20 times while another
 * client publishes; clean: false, fixed clientId. Every payload must arrive; QoS 2 exactly once.
 */
import type { MessageEventDetail, MqttPanelMethods } from '../../src/types';
import { setPlatformWx } from '../../src/platform/index';
import { Broker, startAedes, startMosquitto } from '../support/brokers';
import { sleep, until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { startProxy } from '../support/proxy';
import { listen, loadComponent, render } from '../support/simulate';
import { NodeWx } from '../support/wx';

const CUTS = 20;
const RECONNECT_MS = 50;
/** Sessions shorter than 1.5 × reconnectPeriod + 1 s count towards CLIENT_ID_CONFLICT: cut later than that. */
const MIN_SESSION_MS = 1.5 * RECONNECT_MS + 1000 + 100;

export interface DropReport {
  broker: string;
  protocolVersion: number;
  qos: number;
  sent: number;
  received: number;
  distinct: number;
  duplicates: number;
  lost: number;
  cuts: number;
}

export const reports: DropReport[] = [];

async function run(panelId: string, broker: Broker, version: 4 | 5, qos: 1 | 2, count: number): Promise<DropReport> {
  const proxy = await startProxy(broker.wsPort);
  const panel = render(panelId, {
    headless: true,
    host: '127.0.0.1',
    port: proxy.port,
    secure: false,
    clientId: `drops_v${version}_q${qos}_${broker.name}`,
    protocolVersion: version,
    clean: false,
    topic: `drops/q${qos}/#`,
    qos,
    reconnectPeriod: RECONNECT_MS,
  });
  const api = panel.instance as unknown as MqttPanelMethods;
  const messages = listen<MessageEventDetail>(panel, 'message');
  const errors = listen(panel, 'error');
  const statuses = listen<{ status: string; reason?: string }>(panel, 'status');
  try {
    return await cutAndCount(api, proxy, broker, version, qos, count, messages, errors, statuses);
  } finally {
    // also when an assertion failed: a proxy left listening keeps jest from exiting
    (panel as unknown as { detach(): void }).detach();
    await proxy.close();
  }
}

async function cutAndCount(
  api: MqttPanelMethods,
  proxy: Awaited<ReturnType<typeof startProxy>>,
  broker: Broker,
  version: 4 | 5,
  qos: 1 | 2,
  count: number,
  messages: MessageEventDetail[],
  errors: unknown[],
  statuses: { status: string; reason?: string }[],
): Promise<DropReport> {
  await api.connect();
  await until(() => api.getState().subscriptions.length === 1, 'the subscription');

  let cutting = true;
  const cutter = (async () => {
    while (cutting && proxy.cuts < CUTS) {
      await until(() => api.getState().status === 'connected', 'a connection to cut', 20000).catch((error: Error) => {
        console.log(JSON.stringify({ stuck: { broker: broker.name, version, qos, cuts: proxy.cuts, statuses: statuses.slice(-8), errors } }));
        throw error;
      });
      await sleep(MIN_SESSION_MS + Math.random() * 300);
      proxy.cut();
    }
  })();

  // A control subscriber on TCP, never cut: what the broker accepted and delivers.
  const control = await connectPeer(broker.tcpPort, { clientId: `drops_ctl_q${qos}_${broker.name}` });
  await control.subscribe(`drops/q${qos}/#`, qos);
  const peer = await connectPeer(broker.tcpPort, { clientId: `drops_pub_q${qos}_${broker.name}` });
  // At most 10 in flight: mosquitto silently drops QoS 2 publishes beyond max_inflight_messages (20).
  const burst = 10;
  const spread = (CUTS * (MIN_SESSION_MS + 300)) / count;
  for (let i = 0; i < count; i += burst) {
    await Promise.all(Array.from({ length: Math.min(burst, count - i) }, (_, k) => peer.publish(`drops/q${qos}/m`, String(i + k), { qos })));
    await sleep(spread * burst);
  }
  await cutter;
  cutting = false;
  const seen = (): Set<string> => new Set(messages.map((m) => m.payload));
  await control.waitFor(count, 60000);
  await until(() => seen().size === count, `all ${count} messages (have ${seen().size})`, 60000).catch((error) => {
    const missing = [...Array(count).keys()].filter((i) => !seen().has(String(i)));
    console.log(JSON.stringify({ broker: broker.name, qos, control: control.received.length, missing: missing.slice(0, 40) }));
    throw error;
  });
  await control.end();
  await sleep(300);
  await peer.end();
  await api.disconnect();
  expect(errors).toEqual([]);
  const distinct = seen().size;
  return {
    broker: broker.name,
    protocolVersion: version,
    qos,
    sent: count,
    received: messages.length,
    distinct,
    duplicates: messages.length - distinct,
    lost: count - distinct,
    cuts: proxy.cuts,
  };
}

let panelId: string;
beforeAll(() => {
  panelId = loadComponent('mqtt-panel');
});

// aedes 1.2 does not speak MQTT 5 (it refuses the CONNECT with return code 1).
describe.each([
  ['aedes', 4],
  ['mosquitto', 4],
  ['mosquitto', 5],
] as const)('drops on %s at MQTT %s', (name, version) => {
  let broker: Broker;
  let wx: NodeWx;
  beforeAll(async () => {
    broker = name === 'aedes' ? await startAedes() : await startMosquitto();
    wx = new NodeWx();
    setPlatformWx(wx);
  });
  afterAll(async () => {
    wx.dispose();
    await broker.stop();
  });

  // aedes 1.2.0 loses about 1 in 12 QoS 2 messages to any clean: false subscriber, even a plain TCP
  // mqtt.js client with no drops at all (measured 2026-11-23); mosquitto loses none. So the QoS 2
  // run is against mosquitto only.
  const runs: [1 | 2, number][] = name === 'aedes' ? [[1, 5000]] : [[1, 5000], [2, 2000]];

  it(`${runs.map(([q, n]) => `QoS ${q} (${n})`).join(' and ')} survive 20 cuts: nothing lost, QoS 2 without duplicates`, async () => {
    const results = await Promise.all(runs.map(([qos, count]) => run(panelId, broker, version, qos, count)));
    reports.push(...results);
    console.log(JSON.stringify({ drops: results }));
    for (const r of results) {
      expect(r).toMatchObject({ lost: 0, distinct: r.sent });
      expect(r.cuts).toBeGreaterThanOrEqual(CUTS);
      if (r.qos === 2) expect(r.duplicates).toBe(0);
    }
  }, 120000);
});
