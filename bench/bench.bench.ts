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
import { Registry } from '../src/platform/registry';
import { setPlatformWx } from '../src/platform/index';
import type { MessageEventDetail, MqttPanelMethods } from '../src/types';
import { Broker, startAedes, startMosquitto } from '../test/support/brokers';
import { configFor, sleep, until } from '../test/support/harness';
import { connectPeer } from '../test/support/peer';
import * as simulate from 'miniprogram-simulate';
import { loadComponent, loadHost, render, spySetData, SetDataCall } from '../test/support/simulate';
import { NodeWx } from '../test/support/wx';

const SMOKE = process.env.BENCH_SMOKE === '1';
const N = SMOKE ? 300 : 20000;
const VIEW_N = SMOKE ? 300 : 10000;
const MEM_N = SMOKE ? 500 : 100000;
const RUNS = SMOKE ? 1 : 5;
const LAT_N = SMOKE ? 20 : 200;
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

interface Contender {
  name: string;
  /** Subscribes to `topic`; resolves once ready; `count()` tells messages received so far. */
  start(broker: Broker, topic: string): Promise<{ count(): number; stop(): Promise<void>; renderMs?(): number }>;
}

const raw: Contender = {
  name: '(a) mqtt.min.js alone',
  async start(broker, topic) {
    const wx = new NodeWx();
    const client: VendorClient = createMqtt(withArray(wx)).connect(`wx://127.0.0.1:${broker.wsPort}/mqtt`, { clientId: `bench_raw_${Date.now()}`, protocolVersion: 4, clean: true, keepalive: 60, reconnectPeriod: 0, connectTimeout: 10000, resubscribe: false, queueQoSZero: false });
    await new Promise((resolve) => client.on('connect', resolve));
    let n = 0;
    client.on('message', () => n++);
    await new Promise((resolve) => client.subscribe({ [topic]: { qos: 0 } }, resolve));
    return { count: () => n, stop: async () => { client.end(true); wx.dispose(); } };
  },
};

const platform: Contender = {
  name: '(b) src/platform connection',
  async start(broker, topic) {
    const wx = new NodeWx();
    const lease = new Registry(wx).acquire(configFor(broker));
    let n = 0;
    lease.on('message', () => n++);
    await lease.connect();
    await lease.subscribe(topic, 0);
    return { count: () => n, stop: async () => { await lease.release(); wx.dispose(); } };
  },
};

let hostId = '';
let panelOnlyCount = 0;
const component: Contender = {
  name: '(c) <mqtt-panel headless> + <message-list>',
  async start(broker, topic) {
    const wx = new NodeWx();
    setPlatformWx(wx);
    panelOnlyCount = 0;
    const page = render(hostId);
    page.setData({ host: broker.host, port: broker.wsPort, topic });
    const panel = page.querySelector('#p')!;
    await (panel.instance as unknown as MqttPanelMethods).connect();
    await until(() => (panel.instance as unknown as MqttPanelMethods).getState().subscriptions.length === 1, 'subscribed');
    const renderMs = timeSetData(page.querySelector('#l')!.instance);
    return { count: () => panelOnlyCount, renderMs, stop: async () => { (page as unknown as { detach(): void }).detach(); await sleep(50); wx.dispose(); } };
  },
};

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
  const topic = `bench/${contender.name.slice(1, 2)}/${run}`;
  const sub = await contender.start(broker, topic);
  const first = { at: 0 };
  const poll = setInterval(() => { if (!first.at && sub.count() > 0) first.at = performance.now(); }, 1);
  const started = performance.now();
  await flood(broker, topic, N);
  await until(() => sub.count() >= N, `${contender.name}: ${N} messages`, 120000);
  const elapsed = (performance.now() - started) / 1000;
  const renderMs = sub.renderMs?.() ?? 0;
  clearInterval(poll);
  await sub.stop();
  return { rate: N / elapsed, renderMs };
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
        panelOnlyCount++;
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
  if (!SMOKE) fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
});

test('1. inbound throughput', async () => {
  const rows: (string | number)[][] = [];
  for (const broker of [mosquitto, aedes]) {
    const rates: Record<string, number[]> = {};
    const renders: Record<string, number[]> = {};
    const withoutRender: Record<string, number[]> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const c of [raw, platform, component]) {
        const { rate, renderMs } = await throughput(broker, c, run);
        (rates[c.name] ??= []).push(rate);
        (renders[c.name] ??= []).push(renderMs);
        (withoutRender[c.name] ??= []).push(N / (N / rate - renderMs / 1000));
        (results.runs as unknown[]).push({ scenario: 'throughput', broker: broker.name, contender: c.name, run, msgPerSec: Math.round(rate), listRenderMs: Math.round(renderMs) });
      }
    }
    const a = median(rates[raw.name]);
    for (const c of [raw, platform, component]) {
      const m = median(rates[c.name]);
      const rendered = c === component;
      rows.push([broker.name, c.name, Math.round(m), (m / a).toFixed(2), rendered ? Math.round(median(renders[c.name])) : '', rendered ? (median(withoutRender[c.name]) / a).toFixed(2) : '']);
    }
  }
  table(`Inbound throughput: ${N} × 64 B QoS 0, median of ${RUNS}`, ['broker', 'contender', 'msg/s', 'ratio to (a)', 'list setData+render ms', 'ratio without it'], rows);
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
    panelOnlyCount = 0;
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
    await until(() => panelOnlyCount >= VIEW_N && tutorialCount >= VIEW_N, 'all messages in both', 300000);
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
  panelOnlyCount = 0;
  const page = render(hostId);
  page.setData({ host: mosquitto.host, port: mosquitto.wsPort, topic: 'mem/#' });
  const panel = page.querySelector('#p')!;
  const api = panel.instance as unknown as MqttPanelMethods;
  await api.connect();
  await until(() => api.getState().subscriptions.length === 1, 'subscribed');
  const heap = async (n: number) => {
    await flood(mosquitto, 'mem/x', n - panelOnlyCount);
    await until(() => panelOnlyCount >= n, `${n} messages`, 300000);
    // past the list's burst draw interval (500 ms): both samples see the same, fully drawn list
    await sleep(700);
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const h1 = await heap(1000);
  const h2 = await heap(MEM_N + 1000);
  results.memory = { after1000MB: h1, afterMB: h2, messages: MEM_N + 1000 };
  table('Memory (heap after forced GC, whole test process)', ['after', 'heap MB'], [['1,000 messages', h1.toFixed(1)], [`${MEM_N + 1000} messages`, h2.toFixed(1)], ['growth', (h2 - h1).toFixed(2)]]);

  // latency: publish → message event round trip, QoS 0 and 1, (c) vs (a)
  const rows: (string | number)[][] = [];
  const rwx = new NodeWx();
  const client = createMqtt(withArray(rwx)).connect(`wx://127.0.0.1:${mosquitto.wsPort}/mqtt`, { clientId: 'lat_raw', protocolVersion: 4, clean: true, keepalive: 60, reconnectPeriod: 0, connectTimeout: 10000, resubscribe: false, queueQoSZero: false });
  await new Promise((r) => client.on('connect', r));
  await new Promise((r) => client.subscribe({ 'lat/raw': { qos: 1 } }, r));
  let rawWaiter: (() => void) | undefined;
  client.on('message', () => rawWaiter?.());
  let panelWaiter: (() => void) | undefined;
  panel.instance.triggerEvent = ((orig) => function (this: unknown, name: string, detail: unknown) {
    if (name === 'message') panelWaiter?.();
    return orig.call(this, name, detail);
  })(panel.instance.triggerEvent) as typeof panel.instance.triggerEvent;
  await api.subscribe('lat/c', 1);
  for (const qos of [0, 1] as const) {
    const samples: Record<string, number[]> = { a: [], c: [] };
    for (let i = 0; i < LAT_N; i++) {
      let t = performance.now();
      await new Promise<void>((r) => { rawWaiter = r; client.publish('lat/raw', payload64, { qos, retain: false }, () => undefined); });
      samples.a.push(performance.now() - t);
      t = performance.now();
      await new Promise<void>((r) => { panelWaiter = r; api.publish('lat/c', payload64, { qos }).catch(() => undefined); });
      samples.c.push(performance.now() - t);
    }
    for (const [k, name] of [['a', raw.name], ['c', component.name]] as const) rows.push([`QoS ${qos}`, name, pct(samples[k], 50).toFixed(2), pct(samples[k], 99).toFixed(2)]);
    results[`latency_qos${qos}`] = { a: { p50: pct(samples.a, 50), p99: pct(samples.a, 99) }, c: { p50: pct(samples.c, 50), p99: pct(samples.c, 99) } };
  }
  table(`Latency: publish → message event, ${LAT_N} samples, mosquitto`, ['QoS', 'contender', 'p50 ms', 'p99 ms'], rows);
  client.end(true);
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
    ['own code (all: js, wxml, wxss, json)', ...size(own)],
    ['vendored mqtt.min.js (+ licence, factory)', ...size(vendor)],
    ['whole dist (without .d.ts)', ...size(shipped)],
  ].map(([name, rawB, gz]) => [name as string, ((rawB as number) / 1024).toFixed(1), ((gz as number) / 1024).toFixed(1)]);
  results.size = rows;
  table('Size of miniprogram_dist (own JS minified by the build)', ['part', 'KB', 'gzip KB'], rows);
});
