/**
 * npm run bench: every contender in the same run, interleaved, repeated; medians and ratios.
 * BENCH_SMOKE=1 runs a few hundred messages (CI keeps the bench from rotting).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import createMqtt = require('../src/vendor/mqtt.js');
import type { VendorClient } from '../src/vendor/mqtt';
import { createClient, setPlatformWx } from '../src/index';
import { Connection, Pool } from '../src/platform/index';
import type { MessageEventDetail, MqttPanelMethods } from '../src/types';
import { Broker, startAedes, startMosquitto } from '../test/support/brokers';
import { configFor, sleep, until } from '../test/support/harness';
import { connectPeer } from '../test/support/peer';
import * as simulate from 'miniprogram-simulate';
import { loadComponent, loadHost, render, spySetData, SetDataCall } from '../test/support/simulate';
import { NodeWx } from '../test/support/wx';
import { coldStart, ColdSample, entrySizes } from './children';

/** What mqtt.js hands over with each PUBLISH it parsed (the fields the platform reads). */
type Delivery = (topic: string, payload: Uint8Array, packet: { qos: number; retain: boolean; dup: boolean }) => void;

/**
 * Platform internals, in ONE place (test 1b only): the function mqtt.js calls with each PUBLISH it
 * parsed, for one platform connection. Today that is the connection's private
 * `onMessage(client, topic, payload, packet)` with its current vendor client (read per call, as
 * mqtt.js would pass it). The platform is being refactored: when that entry point moves, this
 * function is the one line to change. Fails loudly rather than measuring something else.
 */
function deliveryEntry(connection: unknown): Delivery {
  const c = connection as { client?: unknown; onMessage?: (client: unknown, ...rest: Parameters<Delivery>) => void };
  if (typeof c.onMessage !== 'function') throw new Error('bench: the platform connection has no onMessage(client, topic, payload, packet) any more: update deliveryEntry() at the top of bench/bench.bench.ts');
  const onMessage = c.onMessage;
  return (topic, payload, packet) => onMessage.call(c, c.client, topic, payload, packet);
}

/**
 * One user of a platform connection, for (b) and 1b: `join(user)` … `leave(user)` on the connection
 * where it counts its users itself, plain `connect()` where the pool does (pool.release ends it).
 */
function useConnection(connection: Connection, user: object): { ready: Promise<unknown>; leave(): Promise<void> } {
  const c = connection as unknown as { join?: (user: object) => Promise<unknown>; leave?: (user: object) => Promise<void>; connect(): Promise<unknown> };
  const ready = c.join ? c.join(user) : c.connect();
  return { ready, leave: async () => { await c.leave?.(user); } };
}

/** The platform connection under a client (the client's private `connection` field). */
function connectionOf(client: object): unknown {
  const connection = (client as { connection?: unknown }).connection;
  if (!connection) throw new Error('bench: the client has no `connection` field any more: update connectionOf() at the top of bench/bench.bench.ts');
  return connection;
}

const SMOKE = process.env.BENCH_SMOKE === '1';
const N = SMOKE ? 300 : 20000;
const VIEW_N = SMOKE ? 300 : 10000;
const MEM_N = SMOKE ? 500 : 100000;
const RUNS = SMOKE ? 1 : 5;
const LAT_N = SMOKE ? 20 : 2000;
const COLD_N = SMOKE ? 2 : 20;
const ROOT = path.resolve(__dirname, '..');
const results: Record<string, unknown> = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30) }, node: process.version, date: new Date().toISOString(), smoke: SMOKE, runs: [] };
const lines: string[] = [];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const payload64 = 'x'.repeat(64);

function table(title: string, head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  lines.push('', `## ${title}`, ...cells.map((r, k) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |${k === 0 ? `\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : ''}`));
}

/** A separate process floods the broker over TCP: mosquitto_pub -l sends one message per line. */
function flood(broker: Broker, topic: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.tcpPort), '-t', topic, '-l', '-q', '0']);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mosquitto_pub ${code}`))));
    child.stdin.end(`${payload64}\n`.repeat(count));
  });
}

const withArray = (wx: NodeWx) => ({ connectSocket: (o: { url: string; protocols?: string | string[] }) => wx.connectSocket({ ...o, protocols: [String(o.protocols)] }) });

/** The messages a contender received, and when the first and the latest arrived (performance.now()). */
class Arrivals {
  count = 0;
  first = 0;
  last = 0;
  readonly hit = (): void => {
    const t = performance.now();
    if (this.count++ === 0) this.first = t;
    this.last = t;
  };
}

interface Started {
  arrivals: Arrivals;
  stop(): Promise<void>;
  renderMs?(): number;
}

interface Contender {
  name: string;
  /** Subscribes to `topic` over sockets of `wx` (the caller disposes it); resolves once ready. */
  start(broker: Broker, topic: string, wx: NodeWx): Promise<Started>;
}

const raw: Contender = {
  name: '(a) mqtt.min.js alone',
  async start(broker, topic, wx) {
    const client: VendorClient = createMqtt(withArray(wx)).connect(`wx://127.0.0.1:${broker.wsPort}/mqtt`, { clientId: `bench_raw_${Date.now()}`, protocolVersion: 4, clean: true, keepalive: 60, reconnectPeriod: 0, connectTimeout: 10000, resubscribe: false, queueQoSZero: false });
    await new Promise((resolve) => client.on('connect', resolve));
    const arrivals = new Arrivals();
    client.on('message', arrivals.hit);
    await new Promise((resolve) => client.subscribe({ [topic]: { qos: 0 } }, resolve));
    return { arrivals, stop: async () => { client.end(true); } };
  },
};

/** The platform layer without the client: a pool's connection, one user, one holder. */
const platform: Contender = {
  name: '(b) src/platform connection',
  async start(broker, topic, wx) {
    const pool = new Pool(wx);
    const connection = pool.acquire(configFor(broker));
    const user = {};
    const holder = {};
    const arrivals = new Arrivals();
    connection.on('message', arrivals.hit);
    const use = useConnection(connection, user);
    await use.ready;
    await connection.subscribe(holder, topic, 0);
    return {
      arrivals,
      stop: async () => {
        await connection.release(holder, false);
        await use.leave();
        await pool.release(connection);
      },
    };
  },
};

let hostId = '';
/** What the host page's message handler received (reset by each user of the host page). */
let panelArrivals = new Arrivals();
const component: Contender = {
  name: '(c) <mqtt-panel headless> + <message-list>',
  async start(broker, topic, wx) {
    setPlatformWx(wx);
    panelArrivals = new Arrivals();
    const page = render(hostId);
    page.setData({ host: broker.host, port: broker.wsPort, topic });
    const panel = page.querySelector('#p')!;
    await (panel.instance as unknown as MqttPanelMethods).connect();
    await until(() => (panel.instance as unknown as MqttPanelMethods).getState().subscriptions.length === 1, 'subscribed');
    const renderMs = timeSetData(page.querySelector('#l')!.instance);
    return { arrivals: panelArrivals, renderMs, stop: async () => { (page as unknown as { detach(): void }).detach(); await sleep(50); } };
  },
};

/** What app code does with the public API: createClient, on('message'), connect, subscribe. */
const client: Contender = {
  name: '(d) createClient + on(message)',
  async start(broker, topic, wx) {
    setPlatformWx(wx);
    const c = createClient({ host: broker.host, port: broker.wsPort, path: broker.path, secure: false, protocolVersion: 4, keepalive: 60 });
    const arrivals = new Arrivals();
    c.on('message', arrivals.hit);
    await c.connect();
    await c.subscribe(topic, { qos: 0 });
    return { arrivals, stop: () => c.end() };
  },
};

// BENCH_ONLY=ad (letters of the contenders): a partial run, for looking into one path
const CONTENDERS = [raw, platform, component, client].filter((c) => !process.env.BENCH_ONLY || process.env.BENCH_ONLY.includes(c.name.slice(1, 2)));

/** Time spent inside a component's setData: in simulate that includes rendering the view, synchronously. */
function timeSetData(instance: { setData: (data: Record<string, unknown>) => void }): () => number {
  let ms = 0;
  const original = instance.setData.bind(instance);
  instance.setData = (data) => {
    const t = performance.now();
    original(data);
    ms += performance.now() - t;
  };
  return () => ms;
}

async function throughput(broker: Broker, contender: Contender, run: number): Promise<{ rate: number; renderMs: number }> {
  const topic = `bench/${contender.name.slice(1, 2)}/${run < 0 ? 'warm' : run}`;
  const wx = new NodeWx();
  const sub = await contender.start(broker, topic, wx);
  await flood(broker, topic, N);
  const { arrivals } = sub;
  await until(() => arrivals.count >= N, `${contender.name}: ${N} messages`, 120000);
  // from the first message to the last: starting mosquitto_pub (tens of ms, varying from run to
  // run) is nobody's cost, and was up to a tenth of a run
  const elapsed = (arrivals.last - arrivals.first) / 1000;
  const renderMs = sub.renderMs?.() ?? 0;
  await sub.stop();
  wx.dispose();
  return { rate: (N - 1) / elapsed, renderMs };
}

let aedes: Broker;
let mosquitto: Broker;

beforeAll(async () => {
  // The list first: loading it again as the panel's child would break this standalone one (headless never renders that child).
  const listId = loadComponent('message-list');
  const panelId = loadComponent('mqtt-panel');
  hostId = loadHost(
    '<mqtt-panel id="p" headless host="{{host}}" port="{{port}}" secure="{{false}}" topic="{{topic}}" bind:message="onMessage" /><message-list id="l" max-items="100" />',
    { 'mqtt-panel': panelId, 'message-list': listId },
    { host: '', port: 0, topic: '' },
    {
      onMessage(this: WechatMiniprogram.Component.TrivialInstance & { list?: { append(m: unknown): void } }, event: never) {
        panelArrivals.hit();
        // A host page looks its list up once, as a mini-program page would in onLoad.
        this.list ??= this.selectComponent('#l') as unknown as { append(m: unknown): void };
        this.list.append((event as { detail: MessageEventDetail }).detail);
      },
    },
  );
  [aedes, mosquitto] = await Promise.all([startAedes(), startMosquitto()]);
});
afterAll(async () => {
  await Promise.all([aedes.stop(), mosquitto.stop()]);
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  // BENCH_OUT: somewhere else (a partial run, `-t …`, must not replace the full run's latest.json)
  if (!SMOKE) fs.writeFileSync(process.env.BENCH_OUT ?? path.join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
});

test('1. inbound throughput', async () => {
  const rows: (string | number)[][] = [];
  const summary: Record<string, Record<string, unknown>> = {};
  for (const broker of [mosquitto, aedes]) {
    const rates: Record<string, number[]> = {};
    const renders: Record<string, number[]> = {};
    const withoutRender: Record<string, number[]> = {};
    // A warm-up round first (not counted: aedes, a Node broker, and the client's JIT start cold),
    // then RUNS rounds, each starting with the next contender so none always runs first.
    for (const c of CONTENDERS) await throughput(broker, c, -1);
    for (let run = 0; run < RUNS; run++) {
      for (const c of [...CONTENDERS.slice(run % CONTENDERS.length), ...CONTENDERS.slice(0, run % CONTENDERS.length)]) {
        const { rate, renderMs } = await throughput(broker, c, run);
        (rates[c.name] ??= []).push(rate);
        (renders[c.name] ??= []).push(renderMs);
        (withoutRender[c.name] ??= []).push(N / (N / rate - renderMs / 1000));
        (results.runs as unknown[]).push({ scenario: 'throughput', broker: broker.name, contender: c.name, run, msgPerSec: Math.round(rate), listRenderMs: Math.round(renderMs) });
      }
    }
    const a = median(rates[raw.name]);
    for (const c of CONTENDERS) {
      const m = median(rates[c.name]);
      const rendered = c === component;
      // Wall time per message beyond (a)'s: what this contender adds to the whole path, broker included.
      const extraNs = c === raw ? '' : Math.round(1e9 / m - 1e9 / a);
      rows.push([broker.name, c.name, Math.round(m), (m / a).toFixed(2), extraNs, rendered ? Math.round(median(renders[c.name])) : '', rendered ? (median(withoutRender[c.name]) / a).toFixed(2) : '']);
      (summary[broker.name] ??= {})[c.name] = {
        msgPerSec: Math.round(m),
        ratio: Number((m / a).toFixed(3)),
        ...(rendered ? { listRenderMs: Math.round(median(renders[c.name])), ratioWithoutRender: Number((median(withoutRender[c.name]) / a).toFixed(3)) } : {}),
      };
    }
  }
  results.throughput = summary;
  table(`Inbound throughput: ${N} × 64 B QoS 0, median of ${RUNS}`, ['broker', 'contender', 'msg/s', 'ratio to (a)', 'ns/msg over (a)', 'list setData+render ms', 'ratio without it'], rows);
});

/** Calls `deliver` once per payload, as mqtt.js would, synchronously; returns ns per call. */
function timeDeliveries(deliver: Delivery, topic: string, payloads: Uint8Array[], count: () => number): number {
  // both paths start from a collected heap: garbage left by earlier tests is not charged to either
  (globalThis as { gc?: () => void }).gc?.();
  const before = count();
  const t = performance.now();
  for (const payload of payloads) deliver(topic, payload, { qos: 0, retain: false, dup: false });
  const ns = ((performance.now() - t) * 1e6) / payloads.length;
  if (count() - before !== payloads.length) throw new Error(`delivered ${count() - before} of ${payloads.length}`);
  return ns;
}

test('1b. per-message cost of the client path, in process', async () => {
  // The message path below mqtt.js, without broker, socket or stream: each call is what happens
  // after mqtt.js parsed one PUBLISH. (b) a bare platform connection (routing to its holder, one
  // 'message' listener); (d) a client's connection (the same, plus the client: the event detail,
  // whose payload and bytes are made only when read, the client's own scope, its 'message' listener);
  // (d′) the same with a listener that reads `payload`, as nearly every app's does.
  const COST_N = SMOKE ? 2000 : 200000;
  const wx = new NodeWx();
  setPlatformWx(wx);
  const pool = new Pool(wx);
  const bare = pool.acquire(configFor(mosquitto));
  let nb = 0;
  bare.on('message', () => nb++);
  const user = {};
  const holder = {};
  const use = useConnection(bare, user);
  await use.ready;
  await bare.subscribe(holder, 'cost/b', 0);
  const c = createClient({ host: mosquitto.host, port: mosquitto.wsPort, path: mosquitto.path, secure: false });
  let nd = 0;
  let reads = false;
  let chars = 0;
  c.on('message', (message) => {
    nd++;
    if (reads) chars += message.payload.length;
  });
  await c.connect();
  await c.subscribe('cost/d', { qos: 0 });
  const viaClient = deliveryEntry(connectionOf(c));
  const viaBare = deliveryEntry(bare);
  // mqtt.js hands out payloads as views into its parse buffer
  const big = new Uint8Array(COST_N * 80).fill(0x78);
  const payloads = Array.from({ length: COST_N }, (_, i) => big.subarray(i * 80, i * 80 + 64));
  const ns: Record<'b' | 'd' | 'read', number[]> = { b: [], d: [], read: [] };
  for (let run = 0; run < RUNS + 1; run++) {
    const b = timeDeliveries(viaBare, 'cost/b', payloads, () => nb);
    const d = timeDeliveries(viaClient, 'cost/d', payloads, () => nd);
    reads = true;
    const read = timeDeliveries(viaClient, 'cost/d', payloads, () => nd);
    reads = false;
    // run 0 warms the JIT up and is left out
    if (run > 0) {
      ns.b.push(b);
      ns.d.push(d);
      ns.read.push(read);
    }
  }
  if (chars !== (RUNS + 1) * COST_N * 64) throw new Error(`read ${chars} characters`);
  const b = median(ns.b);
  const d = median(ns.d);
  const read = median(ns.read);
  results.perMessage = { deliveries: COST_N, runs: RUNS, platformNs: Math.round(b), clientNs: Math.round(d), clientLayerNs: Math.round(d - b), readingPayloadNs: Math.round(read) };
  table(`Per-message cost below mqtt.js, in process: ${COST_N} deliveries of 64 B, median of ${RUNS}`, ['path', 'ns/msg'], [
    ['(b) platform connection → listener', Math.round(b)],
    ['(d) platform connection → client → listener', Math.round(d)],
    ['the client layer alone (d − b)', Math.round(d - b)],
    ["(d′) the same, the listener reading `payload`", Math.round(read)],
    ['reading `payload` (d′ − d)', Math.round(read - d)],
  ]);
  await c.end();
  await bare.release(holder, false);
  await use.leave();
  await pool.release(bare);
  wx.dispose();
});

interface ViewCost { calls: number; bytes: number; maxBytes: number; maxPerSecond: number }

function summarize(calls: (SetDataCall & { at: number })[]): ViewCost {
  let maxPerSecond = 0;
  for (let i = 0, j = 0; i < calls.length; i++) {
    while (calls[i].at - calls[j].at > 1000) j++;
    maxPerSecond = Math.max(maxPerSecond, i - j + 1);
  }
  return { calls: calls.length, bytes: calls.reduce((s, c) => s + c.bytes, 0), maxBytes: Math.max(0, ...calls.map((c) => c.bytes)), maxPerSecond };
}

function timed(instance: Parameters<typeof spySetData>[0], into: (SetDataCall & { at: number })[]): void {
  const calls = spySetData(instance);
  const push = calls.push.bind(calls);
  calls.push = (...items: SetDataCall[]) => {
    items.forEach((c) => into.push({ ...c, at: performance.now() }));
    return push(...items);
  };
}

test('2. view cost: component vs the tutorial pattern', async () => {
  const tutorial = simulate.load(path.join(ROOT, 'bench', 'tutorial', 'index'), 'tutorial-page', { rootPath: ROOT });
  const rows: (string | number)[][] = [];
  for (const mode of ['steady 1,000 msg/s', 'burst'] as const) {
    // (c): the host page with the headless panel feeding the list
    const wx = new NodeWx();
    setPlatformWx(wx);
    panelArrivals = new Arrivals();
    const topic = `view/${mode === 'burst' ? 'b' : 's'}`;
    const page = render(hostId);
    page.setData({ host: mosquitto.host, port: mosquitto.wsPort, topic });
    const panel = page.querySelector('#p')!;
    const list = page.querySelector('#l')!;
    const ours: (SetDataCall & { at: number })[] = [];
    await (panel.instance as unknown as MqttPanelMethods).connect();
    await until(() => (panel.instance as unknown as MqttPanelMethods).getState().subscriptions.length === 1, 'subscribed');
    timed(panel.instance, ours);
    timed(list.instance, ours);

    // tutorial: the raw client, setData of the whole history per message
    const twx = new NodeWx();
    const tut = render(tutorial);
    const theirs: (SetDataCall & { at: number })[] = [];
    timed(tut.instance, theirs);
    const client = createMqtt(withArray(twx)).connect(`wx://127.0.0.1:${mosquitto.wsPort}/mqtt`, { clientId: `tut_${mode.length}`, protocolVersion: 4, clean: true, keepalive: 60, reconnectPeriod: 0, connectTimeout: 10000, resubscribe: false, queueQoSZero: false });
    await new Promise((r) => client.on('connect', r));
    let tutorialCount = 0;
    client.on('message', (t: string, p: Uint8Array) => {
      tutorialCount++;
      (tut.instance as unknown as { onMessage(t: string, p: string): void }).onMessage(t, Buffer.from(p).toString());
    });
    await new Promise((r) => client.subscribe({ [topic]: { qos: 0 } }, r));

    if (mode === 'burst') await flood(mosquitto, topic, VIEW_N);
    else {
      const peer = await connectPeer(mosquitto.tcpPort);
      for (let i = 0; i < VIEW_N; i += 10) {
        for (let k = 0; k < 10; k++) peer.client.publish(topic, payload64);
        await sleep(10);
      }
      await peer.end();
    }
    await until(() => panelArrivals.count >= VIEW_N && tutorialCount >= VIEW_N, 'all messages in both', 300000);
    await sleep(200);
    const a = summarize(ours);
    const b = summarize(theirs);
    results[`view_${mode}`] = { component: a, tutorial: b };
    rows.push([mode, 'component (c)', a.calls, a.maxPerSecond, (a.bytes / 1024).toFixed(0), (a.maxBytes / 1024).toFixed(1)]);
    rows.push([mode, 'tutorial pattern', b.calls, b.maxPerSecond, (b.bytes / 1024).toFixed(0), (b.maxBytes / 1024).toFixed(1)]);
    rows.push([mode, 'tutorial ÷ component', (b.calls / a.calls).toFixed(0), '', (b.bytes / a.bytes).toFixed(0), '']);
    client.end(true);
    (page as unknown as { detach(): void }).detach();
    (tut as unknown as { detach(): void }).detach();
    wx.dispose();
    twx.dispose();
  }
  table(`View cost: ${VIEW_N} messages of 64 B into the view`, ['rate', 'contender', 'setData calls', 'max calls/s', 'total KB', 'largest call KB'], rows);
});

test('3. memory and 4. latency', async () => {
  const gc = (global as { gc?: () => void }).gc!;
  const wx = new NodeWx();
  setPlatformWx(wx);
  panelArrivals = new Arrivals();
  const page = render(hostId);
  page.setData({ host: mosquitto.host, port: mosquitto.wsPort, topic: 'mem/#' });
  const panel = page.querySelector('#p')!;
  const api = panel.instance as unknown as MqttPanelMethods;
  await api.connect();
  await until(() => api.getState().subscriptions.length === 1, 'subscribed');
  const heap = async (n: number) => {
    await flood(mosquitto, 'mem/x', n - panelArrivals.count);
    await until(() => panelArrivals.count >= n, `${n} messages`, 300000);
    // past the list's burst draw interval (500 ms): both samples see the same, fully drawn list
    await sleep(700);
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const h1 = await heap(1000);
  const h2 = await heap(MEM_N + 1000);
  results.memory = { after1000MB: h1, afterMB: h2, messages: MEM_N + 1000 };
  table('Memory (heap after forced GC, whole test process)', ['after', 'heap MB'], [['1,000 messages', h1.toFixed(1)], [`${MEM_N + 1000} messages`, h2.toFixed(1)], ['growth', (h2 - h1).toFixed(2)]]);

  // latency: publish → message event round trip, QoS 0 and 1, (c) and (d) vs (a), interleaved
  const rows: (string | number)[][] = [];
  const rwx = new NodeWx();
  const rawClient = createMqtt(withArray(rwx)).connect(`wx://127.0.0.1:${mosquitto.wsPort}/mqtt`, { clientId: 'lat_raw', protocolVersion: 4, clean: true, keepalive: 60, reconnectPeriod: 0, connectTimeout: 10000, resubscribe: false, queueQoSZero: false });
  await new Promise((r) => rawClient.on('connect', r));
  await new Promise((r) => rawClient.subscribe({ 'lat/raw': { qos: 1 } }, r));
  let rawWaiter: (() => void) | undefined;
  rawClient.on('message', () => rawWaiter?.());
  let panelWaiter: (() => void) | undefined;
  panel.instance.triggerEvent = ((orig) => function (this: unknown, name: string, detail: unknown) {
    if (name === 'message') panelWaiter?.();
    return orig.call(this, name, detail);
  })(panel.instance.triggerEvent) as typeof panel.instance.triggerEvent;
  await api.subscribe('lat/c', 1);
  const dwx = new NodeWx();
  const dc = createClient({ host: mosquitto.host, port: mosquitto.wsPort, path: mosquitto.path, secure: false, protocolVersion: 4, keepalive: 60, platform: dwx });
  let clientWaiter: (() => void) | undefined;
  dc.on('message', () => clientWaiter?.());
  await dc.connect();
  await dc.subscribe('lat/d', { qos: 1 });
  const roundTrips: Record<'a' | 'c' | 'd', (qos: 0 | 1) => Promise<void>> = {
    a: (qos) => new Promise<void>((r) => { rawWaiter = r; rawClient.publish('lat/raw', payload64, { qos, retain: false }, () => undefined); }),
    c: (qos) => new Promise<void>((r) => { panelWaiter = r; api.publish('lat/c', payload64, { qos }).catch(() => undefined); }),
    d: (qos) => new Promise<void>((r) => { clientWaiter = r; dc.publish('lat/d', payload64, { qos }).catch(() => undefined); }),
  };
  const latNames = { a: raw.name, c: component.name, d: client.name };
  const order = ['a', 'c', 'd'] as const;
  for (const qos of [0, 1] as const) {
    const samples: Record<'a' | 'c' | 'd', number[]> = { a: [], c: [], d: [] };
    for (let i = 0; i < LAT_N; i++) {
      // each sample round starts with the next contender, so none always follows the same one
      for (const k of [...order.slice(i % 3), ...order.slice(0, i % 3)]) {
        const t = performance.now();
        await roundTrips[k](qos);
        samples[k].push(performance.now() - t);
      }
    }
    const summary: Record<string, Record<string, number>> = {};
    for (const k of order) {
      const [p50, p99, p999] = [50, 99, 99.9].map((p) => pct(samples[k], p));
      const ratio = (p: number, v: number) => (k === 'a' ? '' : (v / pct(samples.a, p)).toFixed(2));
      rows.push([`QoS ${qos}`, latNames[k], p50.toFixed(2), p99.toFixed(2), p999.toFixed(2), ratio(50, p50), ratio(99, p99), ratio(99.9, p999)]);
      summary[k] = { p50, p99, p999, samples: LAT_N };
    }
    results[`latency_qos${qos}`] = summary;
  }
  table(`Latency: publish → message event, ${LAT_N} samples per contender, interleaved, mosquitto`, ['QoS', 'contender', 'p50 ms', 'p99 ms', 'p99.9 ms', 'p50 ÷ (a)', 'p99 ÷ (a)', 'p99.9 ÷ (a)'], rows);
  rawClient.end(true);
  await dc.end();
  dwx.dispose();
  (page as unknown as { detach(): void }).detach();
  rwx.dispose();
  wx.dispose();
});

test('5. size', () => {
  const dist = path.join(ROOT, 'miniprogram_dist');
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const shipped = files(dist).filter((f) => !f.endsWith('.d.ts'));
  const size = (fs_: string[]) => {
    const buf = Buffer.concat(fs_.map((f) => fs.readFileSync(f)));
    return [buf.length, zlib.gzipSync(buf).length];
  };
  const vendor = shipped.filter((f) => f.includes(`${path.sep}vendor${path.sep}`));
  const own = shipped.filter((f) => !vendor.includes(f));
  const ownJs = own.filter((f) => f.endsWith('.js'));
  const rows = [
    ['own code (.js)', ...size(ownJs)],
    ...ownJs.map((f) => [`  ${path.relative(dist, f).split(path.sep).join('/')}`, ...size([f])]),
    ['own code (all: js, wxml, wxss, json)', ...size(own)],
    ['vendored mqtt.min.js (+ licence, factory)', ...size(vendor)],
    ['whole dist (without .d.ts)', ...size(shipped)],
  ].map(([name, rawB, gz]) => [name as string, ((rawB as number) / 1024).toFixed(1), ((gz as number) / 1024).toFixed(1)]);
  table('Size of miniprogram_dist (own JS minified by the build)', ['part', 'KB', 'gzip KB'], rows);

  // Where the bytes are: the dist's entries bundled again as gulpfile.ts's bundleScript does
  // (minified CJS, ES2017, the same boundary), with esbuild's metafile: bytesInOutput per input
  // file, summed per source folder. From the sources in the working tree (the dist may be older),
  // minified by esbuild (the build uses terser), so the sum is close to, not equal to, the dist's.
  const entries = entrySizes();
  const folderOf = (file: string) => (/^[a-z-]+:/.test(file) ? '(stubs requiring the shared runtime)' : !file.includes('/') ? '(generated entry)' : /^src\/[^/]+$/.test(file) ? 'src (index.ts, ui.ts, types.ts…)' : file.slice(0, file.lastIndexOf('/')));
  const fileBytes = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);
  const perFolder = new Map<string, Record<string, number>>();
  for (const entry of entries) {
    for (const [file, bytes] of Object.entries(entry.inputs)) {
      const row = perFolder.get(folderOf(file)) ?? {};
      row[entry.out] = (row[entry.out] ?? 0) + bytes;
      perFolder.set(folderOf(file), row);
    }
  }
  const glue = Object.fromEntries(entries.map((e) => [e.out, e.bytes - Object.values(e.inputs).reduce((x, y) => x + y, 0)]));
  const kb = (b: number | undefined) => (b ? (b / 1024).toFixed(1) : '');
  const sum = (row: Record<string, number>) => Object.values(row).reduce((x, y) => x + y, 0);
  const folders = [...perFolder.entries()].sort((x, y) => sum(y[1]) - sum(x[1]));
  const totals = Object.fromEntries(entries.map((e) => [e.out, e.bytes]));
  const folderRows = [
    ...folders.map(([folder, row]) => [folder, ...entries.map((e) => kb(row[e.out])), kb(sum(row))]),
    ['(esbuild wrappers and helpers)', ...entries.map((e) => kb(glue[e.out])), kb(sum(glue))],
    ['own JS, esbuild-minified', ...entries.map((e) => kb(e.bytes)), kb(sum(totals))],
    // for scale: the same files in the dist as last built (terser, 3 passes, drops more)
    ['the dist as built (terser)', ...entries.map((e) => kb(fileBytes(path.join(dist, e.out)))), kb(entries.reduce((t, e) => t + fileBytes(path.join(dist, e.out)), 0))],
  ];
  const ownJsKB = Number(rows[0][1]);
  const distKB = Number(rows[rows.length - 1][1]);
  const targets = { ownJsKB: { value: ownJsKB, target: 100, met: ownJsKB <= 100 }, distKB: { value: distKB, target: 300, met: distKB <= 300 } };
  results.size = {
    files: rows,
    byFolder: Object.fromEntries(folders.map(([folder, row]) => [folder, { ...row, total: sum(row) }])),
    esbuildGlue: glue,
    esbuildTotal: totals,
    targets,
  };
  table('Size: where the bytes are (esbuild-minified, bytes in each bundle per source folder, KB)', ['folder', ...entries.map((e) => e.out), 'all'], folderRows);
  table('Size targets (the dist as built, terser-minified)', ['target', 'KB', 'met'], [
    ['own JS ≤ 100 KB', ownJsKB.toFixed(1), targets.ownJsKB.met ? '✓' : '✗'],
    ['whole dist (without .d.ts) ≤ 300 KB', distKB.toFixed(1), targets.distKB.met ? '✓' : '✗'],
  ]);
});

test('7. cold start: fresh process, require → CONNACK', async () => {
  // One Node process per sample, ours and raw interleaved (a warm-up pair first, not counted):
  // (e) requires the built package and connects with createClient({ platform: NodeWx });
  // (a) requires mqtt.min.js (the dist's vendor/mqtt.js) and connects as (a) does above.
  const dist = path.join(ROOT, 'miniprogram_dist');
  const cold = coldStart();
  const contenders = [
    { kind: 'raw' as const, name: '(a) mqtt.min.js alone', module: path.join(dist, 'vendor', 'mqtt.js') },
    { kind: 'ours' as const, name: '(e) miniprogram_dist: createClient + connect', module: path.join(dist, 'index.js') },
  ];
  const samples: Record<string, ColdSample[]> = { raw: [], ours: [] };
  try {
    for (let i = -1; i < COLD_N; i++) {
      for (const c of i % 2 === 0 ? [...contenders].reverse() : contenders) {
        const s = await cold.sample(c.kind, c.module, mosquitto.wsPort, mosquitto.path);
        if (i >= 0) samples[c.kind].push(s);
      }
    }
  } finally {
    cold.dispose();
  }
  const med = (kind: string, key: keyof ColdSample) => median(samples[kind].map((s) => s[key]));
  const summary: Record<string, unknown> = { samples: COLD_N };
  const rows = contenders.map((c) => {
    const [ms, socketMs, wallMs] = (['ms', 'socketMs', 'wallMs'] as const).map((k) => med(c.kind, k));
    summary[c.kind] = { ms, socketMs, wallMs };
    const ratio = (k: keyof ColdSample, v: number) => (c.kind === 'raw' ? '1.00' : (v / med('raw', k)).toFixed(2));
    return [c.name, ms.toFixed(1), ratio('ms', ms), socketMs.toFixed(1), ratio('socketMs', socketMs), wallMs.toFixed(0), ratio('wallMs', wallMs)];
  });
  summary.ratio = Number((med('ours', 'ms') / med('raw', 'ms')).toFixed(3));
  summary.target = 1.2;
  results.coldStart = summary;
  table(`Cold start: fresh Node process, require → CONNACK, mosquitto, median of ${COLD_N}, interleaved`, ['contender', 'ms to CONNACK', 'ratio to (a)', 'ms to connectSocket', 'ratio to (a)', 'process wall ms', 'ratio to (a)'], rows);
});

const PERSIST_N = SMOKE ? 300 : 20000;
const PERSIST_QOS2_N = SMOKE ? 50 : 500;
/** Publishes outstanding at once (publish() called, promise not settled): the app's own bound. */
const PERSIST_WINDOW = 100;
const STEADY_SECONDS = SMOKE ? 1 : 5;

/**
 * A Node wx for `persist`, with every storage call timed: the StorageArea's writeTimes has the sets
 * (setStorage when it lands, setStorageSync); removals, which it only counts, are timed here.
 */
function timedStorageWx(): { wx: NodeWx; callTimes: (since: number) => number[] } {
  const wx = new NodeWx();
  const removals: number[] = [];
  const { removeStorage, removeStorageSync } = wx;
  wx.removeStorage = (options) => {
    removeStorage({ ...options, success: (res) => { removals.push(Date.now()); options.success?.(res); } });
  };
  wx.removeStorageSync = (key) => {
    removeStorageSync(key);
    removals.push(Date.now());
  };
  return { wx, callTimes: (since) => [...wx.storage.writeTimes, ...removals].filter((t) => t >= since).sort((a, b) => a - b) };
}

/** The most calls in any 1-s window [t, t + 1000 ms). */
function maxPerSecond(times: number[]): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

const persistClient = (wx: NodeWx, persist: boolean, protocolVersion: 4 | 5 = 4) =>
  createClient({ host: mosquitto.host, port: mosquitto.wsPort, path: mosquitto.path, secure: false, keepalive: 60, persist, protocolVersion, platform: wx });

/**
 * `count` publishes of 64 B at `qos` through createClient, as fast as the client takes them with
 * PERSIST_WINDOW outstanding (each settled promise lets the next publish go), timed from the first
 * publish() to the last acknowledgement. Storage calls over the same time: StorageArea.writes per
 * second, and the most in any 1-s window.
 */
async function publishThroughput(qos: 1 | 2, persist: boolean, count: number, tag: string, protocolVersion: 4 | 5): Promise<{ rate: number; storagePerSec: number; storageMaxPerSec: number }> {
  const { wx, callTimes } = timedStorageWx();
  const c = persistClient(wx, persist, protocolVersion);
  await c.connect();
  const topic = `bench/persist/${tag}`;
  let next = 0;
  const writesBefore = wx.storage.writes;
  const t0 = Date.now();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PERSIST_WINDOW }, async () => {
      while (next < count) {
        next++;
        await c.publish(topic, payload64, { qos });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const storagePerSec = (wx.storage.writes - writesBefore) / seconds;
  const storageMaxPerSec = maxPerSecond(callTimes(t0));
  if (c.pending().length !== 0) throw new Error(`${c.pending().length} publishes still pending after their acknowledgements`);
  await c.end();
  wx.dispose();
  return { rate: count / seconds, storagePerSec, storageMaxPerSec };
}

/**
 * QoS 1 at a steady `rate` for STEADY_SECONDS with persist (the publishes due are sent every 10 ms),
 * then until every PUBACK is in and flush() resolved. Storage calls: the most in any 1-s window
 * (the whole time), the mean while publishing, and how many came after the last publish.
 */
async function steadyStorage(rate: number): Promise<{ messages: number; calls: number; maxPerSec: number; meanPerSec: number; drainCalls: number; drainMs: number }> {
  const { wx, callTimes } = timedStorageWx();
  const c = persistClient(wx, true);
  await c.connect();
  const total = rate * STEADY_SECONDS;
  const acks: Promise<unknown>[] = [];
  const t0 = Date.now();
  while (acks.length < total) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) * rate) / 1000) + 1);
    while (acks.length < due) acks.push(c.publish(`bench/steady/${rate}`, payload64, { qos: 1 }));
    await sleep(10);
  }
  const lastPublish = Date.now();
  await Promise.all(acks);
  await c.flush();
  const drainMs = Date.now() - lastPublish;
  const times = callTimes(t0);
  const during = times.filter((t) => t < t0 + STEADY_SECONDS * 1000).length;
  await c.end();
  wx.dispose();
  return { messages: total, calls: times.length, maxPerSec: maxPerSecond(times), meanPerSec: during / STEADY_SECONDS, drainCalls: times.filter((t) => t > lastPublish).length, drainMs };
}

test('6. persist: outgoing QoS 1/2 throughput and storage calls', async () => {
  const rows: (string | number)[][] = [];
  const summary: Record<string, unknown> = {};
  const modes = [false, true];
  const name = (persist: boolean) => `createClient, persist: ${persist}`;
  // QoS 2 with persist waits for two writes per message (its packet id before PUBLISH, the PUBREL
  // stage before PUBREL), so it moves as many messages per write as are in flight: 10 at MQTT 3.1.1
  // (the library's limit), the broker's Receive Maximum at MQTT 5 (mosquitto: 20)
  for (const [qos, count, protocolVersion] of [[1, PERSIST_N, 4], [2, PERSIST_QOS2_N, 4], [2, PERSIST_QOS2_N, 5]] as const) {
    const label = protocolVersion === 5 ? `QoS ${qos}, MQTT 5` : `QoS ${qos}`;
    const tag = `q${qos}v${protocolVersion}`;
    const rates: Record<string, number[]> = {};
    const storage: number[] = [];
    const storageMax: number[] = [];
    // a warm-up round, then RUNS rounds, each started by the other contender
    for (const persist of modes) await publishThroughput(qos, persist, count, `${tag}/${persist}/warm`, protocolVersion);
    for (let run = 0; run < RUNS; run++) {
      for (const persist of run % 2 === 0 ? modes : [...modes].reverse()) {
        const r = await publishThroughput(qos, persist, count, `${tag}/${persist}/${run}`, protocolVersion);
        (rates[name(persist)] ??= []).push(r.rate);
        if (persist) {
          storage.push(r.storagePerSec);
          storageMax.push(r.storageMaxPerSec);
        }
        (results.runs as unknown[]).push({ scenario: 'persist throughput', broker: mosquitto.name, qos, protocolVersion, contender: name(persist), run, msgPerSec: Math.round(r.rate), storageCallsPerSec: Number(r.storagePerSec.toFixed(1)), storageMaxCallsIn1s: r.storageMaxPerSec });
      }
    }
    const off = median(rates[name(false)]);
    const on = median(rates[name(true)]);
    rows.push([label, name(false), Math.round(off), '1.00', '', '']);
    rows.push([label, name(true), Math.round(on), (on / off).toFixed(2), median(storage).toFixed(1), Math.max(...storageMax)]);
    summary[protocolVersion === 5 ? `qos${qos}mqtt5` : `qos${qos}`] = { messages: count, window: PERSIST_WINDOW, msgPerSec: Math.round(off), persistMsgPerSec: Math.round(on), ratio: Number((on / off).toFixed(3)), persistStorageCallsPerSec: Number(median(storage).toFixed(1)), persistStorageMaxCallsIn1s: Math.max(...storageMax) };
  }
  table(`Persist: outgoing publish throughput, ${PERSIST_N} (QoS 1) / ${PERSIST_QOS2_N} (QoS 2) × 64 B, ${PERSIST_WINDOW} outstanding, mosquitto, median of ${RUNS}`, ['QoS', 'contender', 'msg/s', 'ratio to persist: false', 'storage calls/s', 'max calls in any 1 s (all rounds)'], rows);

  const steadyRows: (string | number)[][] = [];
  const steady: Record<string, unknown> = {};
  for (const rate of [100, 1000]) {
    const s = await steadyStorage(rate);
    steady[`${rate}msgPerSec`] = { ...s, seconds: STEADY_SECONDS };
    steadyRows.push([`${rate.toLocaleString('en-US')} msg/s`, s.messages, s.calls, s.maxPerSec, s.meanPerSec.toFixed(1), `${s.drainCalls} in ${s.drainMs} ms`]);
  }
  summary.steadyQos1 = steady;
  results.persist = summary;
  table(`Persist: storage calls at a steady QoS 1 rate, ${STEADY_SECONDS} s each, mosquitto`, ['rate', 'messages', 'storage calls', 'max calls in any 1 s', 'mean calls/s while publishing', 'calls after the last publish (to PUBACK + flush)'], steadyRows);
});
