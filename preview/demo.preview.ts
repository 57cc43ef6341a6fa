/**
 * npm run preview: each demo page and each designed state of the components, connected to a real
 * broker, rendered by the components in miniprogram-simulate and drawn by headless Chromium into
 * docs/, in light and dark (prefers-color-scheme) at 375 and 320 px. Then every drawing is compared
 * with its baseline in preview/baselines/ (pixelmatch) and every drawn text is checked for WCAG 2.x
 * contrast (preview/contrast.mjs); the minimum ratios go to preview/contrast.json.
 *
 * `npm run preview -- --update` (PREVIEW_UPDATE=1) rewrites the baselines from the drawings.
 *
 * Deterministic drawings: the clock (Date.now) is fixed at T0 and moved only by the scenes, Math.random
 * is seeded per scene (generated clientIds), fonts are Debian's WenQuanYi Micro Hei, nothing animates.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEMO, DEMO_NPM, DEMO_PORT, DemoEnv, launchDemoApp, loadDemoPage, startDemoEnv } from '../test/support/demo';
import { seeded } from '../test/support/random';
import { BASELINES, compareWithBaseline, MAX_DIFF_SHARE, PIXEL_THRESHOLD } from './compare';
import { page, TreeNode, WIDTHS } from './to-html';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'docs');
const CONTRAST_JSON = path.join(__dirname, 'contrast.json');
const UPDATE = process.env.PREVIEW_UPDATE === '1';
const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

/** The demo pages (docs/demo-<page>…) and the components' designed states. */
const DEMO_PAGES = ['index', 'shared', 'headless', 'brokers', 'app-client', 'app-client-detail', 'app-client-panel', 'skyline'].map((p) => `demo-${p}`);
const STATES = ['panel-idle', 'panel-connected', 'panel-error', 'panel-long', 'list-empty', 'list-1000'];
const DRAWINGS = [...DEMO_PAGES, ...STATES];

/** docs/<name>.png is light at 375 px (the names README uses); other variants add -dark and/or -320. */
const fileOf = (name: string, scheme: Scheme, width: number): string =>
  `${name}${scheme === 'dark' ? '-dark' : ''}${width === 375 ? '' : `-${width}`}.png`;
const VARIANTS = DRAWINGS.flatMap((name) => SCHEMES.flatMap((scheme) => WIDTHS.map((width) => ({ name, scheme, width, file: fileOf(name, scheme, width) }))));

// ---------------------------------------------------------------------------------------------
// A fixed clock and seeded randomness: the same pixels on every run.

/** 2026-11-23 09:00:00.000 UTC (jest's global setup sets TZ=UTC): the list shows 09:00:0x.xxx. */
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0, 0);
let clock = T0;
/** Moves the fixed clock on, so that successive messages show successive times. */
const tick = (ms = 1000): void => {
  clock += ms;
};
const realRandom = Math.random;
/** Restarts Math.random from a seed: a scene's generated clientIds are the same on every run. */
const seed = (n: number): void => {
  Math.random = seeded(n);
};

/** until() with a real-time deadline: Date.now is frozen here. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let env: DemoEnv;
beforeAll(async () => {
  env = await startDemoEnv();
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterAll(async () => {
  Math.random = realRandom;
  jest.restoreAllMocks();
  await env.stop();
});

// ---------------------------------------------------------------------------------------------
// Scenes: what each drawing shows.

type Rendered = ReturnType<typeof loadDemoPage>;
type Api = {
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  publish(t: string, p: unknown, o?: object): Promise<unknown>;
  getState(): { status: string; subscriptions: unknown[] };
};
interface Shot {
  tree: TreeNode;
  wxss: string[];
  /** CSS after the WXSS, in rpx like WXSS. */
  css?: string;
}
const shots = new Map<string, Shot>();

const COMPONENT_WXSS = [path.join(DEMO_NPM, 'mqtt-panel', 'index.wxss'), path.join(DEMO_NPM, 'message-list', 'index.wxss')];
const demoWxss = (...files: string[]) => [path.join(DEMO, 'app.wxss'), ...COMPONENT_WXSS, ...files];

function shootPage(name: string, route: string, rendered: Rendered, css?: string): void {
  const own = path.join(DEMO, `${route}.wxss`);
  shots.set(name, { tree: rendered.toJSON() as unknown as TreeNode, wxss: demoWxss(...(fs.existsSync(own) ? [own] : [])), css });
}

/** A bare component on a page of its own: page background only (no demo app.wxss), 24 rpx around it. */
function shootComponent(name: string, rendered: Rendered): void {
  const tree: TreeNode = { tagName: 'wx-view', attrs: [{ name: 'class', value: 'preview-page' }], children: [rendered.toJSON() as unknown as TreeNode] };
  shots.set(name, { tree, wxss: COMPONENT_WXSS, css: '.preview-page { padding: 24rpx; }' });
}

const detach = (rendered: Rendered): void => (rendered as unknown as { detach(): void }).detach();
const api = (rendered: Rendered | undefined): Api => rendered!.instance as unknown as Api;
const subscribed = (panel: Api, n = 1) => waitFor(() => panel.getState().subscriptions.length === n, 'subscribed');

/** Waits for the list's batched setData (50 ms) to reach the view, then a little more. */
const settle = () => sleep(300);
/**
 * Waits until `count` messages stamped with the current clock show on the page (every list and
 * device row shows its time as HH:mm:ss…): only then may the clock move on, or a message still in
 * flight would be stamped with the next second on a slower run.
 */
async function stamped(rendered: Rendered, count = 1): Promise<void> {
  const time = new Date(clock).toISOString().slice(11, 19);
  await waitFor(() => JSON.stringify(rendered.toJSON()).split(time).length - 1 >= count, `${count} message(s) stamped ${time}`);
}

const demoScenes: Record<string, (p: Rendered) => Promise<void>> = {
  index: async (p) => {
    const panel = api(p.querySelector('#panel'));
    await panel.connect();
    await subscribed(panel);
    tick();
    // QoS 0: 'publish' is emitted as it is written, before the broker's echo to the panel's own
    // subscription arrives (a QoS 1 PUBACK races that echo, and the list order would change run to run).
    await panel.publish('testtopic/miniprogram/demo', { temperature: 21.5, unit: '°C' }, { qos: 0 });
    await stamped(p, 2); // sent, and the broker's echo
    tick();
    await env.peer.publish('testtopic/miniprogram/sensor', 'hello from mosquitto_pub', { qos: 1, retain: false });
    await stamped(p);
  },
  shared: async (p) => {
    const panels = p.querySelectorAll('.card').map((c) => c.instance as unknown as Api);
    await waitFor(() => panels.every((x) => x.getState().subscriptions.length === 1), 'subscribed');
    tick();
    await env.peer.publish('demo/kitchen/t', 'kitchen 21.5°C', { qos: 1 });
    await stamped(p);
    tick();
    await env.peer.publish('demo/garden/t', 'garden 14.0°C', { qos: 1 });
    await stamped(p);
  },
  headless: async (p) => {
    const panel = api(p.querySelector('#mqtt'));
    await subscribed(panel);
    for (const [name, value] of [['temperature', '21.5'], ['humidity', '48'], ['co2', '612'], ['lux', '320']]) {
      tick();
      await env.peer.publish(`demo/sensors/${name}`, JSON.stringify({ value: Number(value) }), { qos: 1 });
      await stamped(p);
    }
  },
  brokers: async (p) => {
    const local = api(p.querySelector('.card'));
    await subscribed(local);
    tick();
    await env.peer.publish('demo/local/x', 'from the local broker', { qos: 1 });
    await stamped(p);
  },
};

/** The pages/app-client flow: the App's client "main", the device list, one device, the panel on "main". */
async function appClientScenes(): Promise<void> {
  const demo = launchDemoApp(env.wx, env.broker);
  const main = demo.library.getClient('main')!;
  await waitFor(() => main.status === 'connected', 'main connected');
  const list = demo.open('/pages/app-client/index');
  await waitFor(() => main.subscriptions.length === 1, 'the list subscribed');
  for (const [id, status] of [['lamp-1', 'online'], ['fan-2', 'offline'], ['sensor-3', 'online']]) {
    tick();
    await env.peer.publish(`demo/devices/${id}/status`, status, { qos: 1 });
    await stamped(list);
  }
  await settle();
  shootPage('demo-app-client', 'pages/app-client/index', list);

  const detail = demo.open('/pages/app-client/detail?id=lamp-1');
  await waitFor(() => main.subscriptions.length === 2, 'the detail page subscribed');
  for (const [temperature, humidity] of [[21.2, 47], [21.4, 48], [21.5, 48]]) {
    tick();
    await env.peer.publish('demo/devices/lamp-1/telemetry', JSON.stringify({ temperature, humidity }), { qos: 1 });
    await stamped(detail);
  }
  tick();
  detail.querySelector('.detail__command')!.dispatchEvent('tap');
  await settle();
  shootPage('demo-app-client-detail', 'pages/app-client/detail', detail);
  demo.unload(detail);

  const panelPage = demo.open('/pages/app-client/panel');
  const panel = api(panelPage.querySelector('#panel'));
  await subscribed(panel);
  tick();
  await env.peer.publish('demo/devices/fan-2/status', 'online', { qos: 1 });
  await stamped(panelPage);
  tick();
  await env.peer.publish('demo/devices/sensor-3/telemetry', JSON.stringify({ lux: 320 }), { qos: 1 });
  await stamped(panelPage);
  await settle();
  shootPage('demo-app-client-panel', 'pages/app-client/panel', panelPage);
  demo.unload(panelPage);
  demo.unload(list);
  await main.end();
}

/**
 * pages/skyline (its own launch: simulate renders a component for the first page that uses it). Drawn
 * by Chromium like every page here, so it shows the page's own layout (its title bar in place of the
 * native one Skyline lacks) under WebView's rules, not Skyline's renderer.
 */
async function skylineScene(): Promise<void> {
  const demo = launchDemoApp(env.wx, env.broker);
  const main = demo.library.getClient('main')!;
  await waitFor(() => main.status === 'connected', 'main connected');
  const page = demo.open('/pages/skyline/index');
  await waitFor(() => main.subscriptions.length === 2, 'the panel and the list subscribed');
  for (const [id, status] of [['lamp-1', 'online'], ['fan-2', 'offline']]) {
    tick();
    await env.peer.publish(`demo/devices/${id}/status`, status, { qos: 1 });
    await stamped(page, 2);
  }
  await settle();
  // the whole page in one drawing: its scroll-view (one screen tall on a phone) as tall as what it holds
  shootPage('demo-skyline', 'pages/skyline/index', page, '.sk { height: auto; }');
  demo.unload(page);
  await main.end();
}

type Simulate = typeof import('miniprogram-simulate');
type Library = typeof import('../src/index');

/** A fresh dist (as demo pages get it) with its wx routed to the test broker; the component loaded from demo/miniprogram_npm. */
function renderComponent(component: 'mqtt-panel' | 'message-list', properties: Record<string, unknown>): Rendered {
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh instance after jest.resetModules(); defines Component and Behavior
  const simulate = require('miniprogram-simulate') as Simulate;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the dist the component requires (mocked in test/support/demo)
  const library = require('miniprogram-mqtt') as Library;
  const { wx, broker } = env;
  library.setPlatformWx({ ...wx, connectSocket: (o) => wx.connectSocket({ ...o, url: o.url.replace(`:${DEMO_PORT}/`, `:${broker.wsPort}/`) }) });
  const id = simulate.load(path.join(DEMO_NPM, component, 'index'), component, { rootPath: DEMO });
  const rendered = simulate.render(id, properties);
  rendered.attach(document.createElement('parent-wrapper'));
  return rendered;
}

const PANEL = {
  host: '127.0.0.1',
  port: DEMO_PORT,
  path: '/mqtt',
  secure: false,
  topic: 'testtopic/miniprogram/#',
  pubTopic: 'testtopic/miniprogram/demo',
  payload: 'hello from the panel',
};

/** 200 characters, under the panel's filter. */
const LONG_TOPIC = (() => {
  let topic = 'testtopic/miniprogram';
  for (let i = 1; topic.length < 200; i++) topic += `/building-${String(i).padStart(2, '0')}-floor-${i % 7}-sensor-array`;
  return topic.slice(0, 200);
})();
/** 4,000 characters of JSON telemetry. */
const LONG_PAYLOAD = (() => {
  const rows: string[] = [];
  for (let i = 0; rows.join(',').length < 4000; i++) rows.push(JSON.stringify({ seq: i, t: 20 + (i % 40) / 10, rh: 40 + (i % 13) }));
  return `[${rows.join(',')}]`.slice(0, 3999) + ']';
})();

/** Run after a state's scene is drawn and its panel disconnected (e.g. clearing a retained message). */
const afterScene: (() => Promise<unknown>)[] = [];
const stateScenes: Record<string, () => Promise<Rendered>> = {
  'panel-idle': async () => renderComponent('mqtt-panel', PANEL),
  'panel-connected': async () => {
    // Retained before the panel subscribes: it arrives flagged retained (the 保留 badge).
    await env.peer.publish('testtopic/miniprogram/status', 'online', { qos: 1, retain: true });
    afterScene.push(() => env.peer.publish('testtopic/miniprogram/status', '', { qos: 1, retain: true }));
    const rendered = renderComponent('mqtt-panel', PANEL);
    const panel = api(rendered);
    tick();
    await panel.connect();
    await subscribed(panel);
    await stamped(rendered);
    tick();
    // Outside the panel's filter: no echo to race the PUBACK (see index above).
    await panel.publish('cmd/light', '{"on":true}', { qos: 1 });
    await stamped(rendered);
    tick();
    await env.peer.publish('testtopic/miniprogram/sensor', '21.5', { qos: 0 });
    await stamped(rendered);
    return rendered;
  },
  // A host with a scheme: INVALID_OPTION, the error line under the connection form.
  'panel-error': async () => {
    const rendered = renderComponent('mqtt-panel', { ...PANEL, host: 'wss://broker.emqx.io' });
    await api(rendered).connect().catch(() => undefined);
    return rendered;
  },
  'panel-long': async () => {
    const rendered = renderComponent('mqtt-panel', PANEL);
    const panel = api(rendered);
    await panel.connect();
    await subscribed(panel);
    tick();
    await env.peer.publish(LONG_TOPIC, LONG_PAYLOAD, { qos: 1 });
    await stamped(rendered);
    return rendered;
  },
  'list-empty': async () => renderComponent('message-list', { messages: [] }),
  'list-1000': async () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      id: `m${i}`,
      topic: `testtopic/miniprogram/sensor/${i % 4}`,
      payload: JSON.stringify({ seq: i, t: 20 + (i % 40) / 10 }),
      qos: i % 3,
      retain: false,
      direction: i % 5 === 0 ? 'out' : 'in',
      time: T0 + i * 250,
    }));
    return renderComponent('message-list', { messages, maxItems: 1000 });
  },
};

// ---------------------------------------------------------------------------------------------
// Drawing, then baseline and contrast checks per drawing.

interface Measured {
  selector: string;
  text: string;
  kind: 'text' | 'placeholder';
  color: string;
  shown: string;
  background: string;
  ratio: number;
  required: number;
  fontSize: number;
  bold: boolean;
}
let drawn: { errors: string[]; contrast: Record<string, { texts: Measured[]; clipped: number }> } | undefined;

it('draws every demo page and state, light and dark, at 375 and 320 px, without page errors', async () => {
  const started = performance.now();
  for (const [name, scene] of Object.entries(demoScenes)) {
    seed(1);
    const rendered = loadDemoPage(name, env.wx, env.broker);
    await scene(rendered);
    await settle();
    shootPage(`demo-${name}`, `pages/${name}/index`, rendered);
    detach(rendered);
  }
  seed(2);
  await appClientScenes();
  seed(4);
  await skylineScene();
  for (const [name, scene] of Object.entries(stateScenes)) {
    seed(3);
    const rendered = await scene();
    await settle();
    shootComponent(name, rendered);
    const instance = rendered.instance as unknown as Partial<Api>;
    await instance.disconnect?.().catch(() => undefined);
    detach(rendered);
    for (const undo of afterScene.splice(0)) await undo();
  }
  expect([...shots.keys()].sort()).toEqual([...DRAWINGS].sort());

  const renderedAt = performance.now();
  fs.mkdirSync(OUT, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-preview-'));
  const jobs = VARIANTS.map(({ name, scheme, width, file }) => {
    const shot = shots.get(name)!;
    const html = path.join(tmp, `${name}-${width}.html`);
    if (!fs.existsSync(html)) fs.writeFileSync(html, page(shot.tree, shot.wxss, { width, css: shot.css }));
    return { html, png: path.join(OUT, file), width, colorScheme: scheme };
  });
  fs.writeFileSync(path.join(tmp, 'jobs.json'), JSON.stringify(jobs));
  const results = path.join(tmp, 'results.json');
  const run = spawnSync(process.execPath, [path.join(__dirname, 'draw.mjs'), path.join(tmp, 'jobs.json'), results], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`Chromium failed: ${run.stderr}`);
  drawn = JSON.parse(fs.readFileSync(results, 'utf8'));
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (process.env.PREVIEW_TIMING) process.stdout.write(`${JSON.stringify((drawn as unknown as { timings: unknown[] }).timings, null, 0)}\n`);
  process.stdout.write(`\nRendered ${shots.size} scenes in ${seconds(renderedAt - started)}; Chromium drew ${jobs.length} PNGs in ${seconds(performance.now() - renderedAt)}.\n`);
  // PREVIEW_KEEP_HTML=1 keeps the HTML pages (to open in a browser, or to draw by hand with draw.mjs).
  if (process.env.PREVIEW_KEEP_HTML) process.stdout.write(`HTML pages kept in ${tmp}\n`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  expect(drawn!.errors).toEqual([]);
}, 300000); // ~35 s here (scenes ~12 s, Chromium ~24 s); room for a slower machine

describe(`each drawing matches preview/baselines/ (pixelmatch threshold ${PIXEL_THRESHOLD}, at most ${MAX_DIFF_SHARE * 100}% of pixels differ)`, () => {
  it.each(VARIANTS.map((v) => v.file))('%s', (file) => {
    expect(drawn).toBeDefined();
    const png = path.join(OUT, file);
    if (UPDATE) {
      fs.mkdirSync(BASELINES, { recursive: true });
      fs.copyFileSync(png, path.join(BASELINES, file));
      return;
    }
    const result = compareWithBaseline(png, path.join(BASELINES, file));
    if (!result.ok) throw new Error(result.message);
  });
});

/** A row per drawing of the table and contrast.json: the lowest text ratio and where it is. */
interface Summary {
  min: number;
  at: string;
  /** Texts below their required ratio (4.5, or 3 for large text). */
  failures: string[];
  /** Input placeholders, reported apart: WCAG does not count a placeholder as the field's text, and placeholders do not fail the check. */
  placeholderMin: number | null;
  placeholderAt: string | null;
  texts: number;
}
const describeText = (t: Measured): string =>
  `${t.selector} "${t.text}" ${t.ratio}:1 (text ${t.color} drawn ${t.shown} on ${t.background}, ${t.fontSize}px${t.bold ? ' bold' : ''}, needs ${t.required}:1)`;

function summarize(file: string): Summary {
  const measured = drawn!.contrast[path.join(OUT, file)];
  const texts = measured.texts.filter((t) => t.kind === 'text');
  const placeholders = measured.texts.filter((t) => t.kind === 'placeholder');
  const lowest = (list: Measured[]) => list.reduce<Measured | undefined>((low, t) => (!low || t.ratio < low.ratio ? t : low), undefined);
  const low = lowest(texts);
  const lowPlaceholder = lowest(placeholders);
  return {
    min: low?.ratio ?? Infinity,
    at: low ? describeText(low) : '',
    failures: texts.filter((t) => t.ratio < t.required).map(describeText),
    placeholderMin: lowPlaceholder?.ratio ?? null,
    placeholderAt: lowPlaceholder ? describeText(lowPlaceholder) : null,
    texts: texts.length,
  };
}

describe('every drawn text has WCAG 2.x contrast ≥ 4.5:1 (≥ 3:1 at ≥ 24 px, or ≥ 18.66 px bold)', () => {
  it.each(VARIANTS.map((v) => v.file))('%s', (file) => {
    expect(drawn).toBeDefined();
    const summary = summarize(file);
    expect(summary.texts).toBeGreaterThan(0);
    expect(summary.failures).toEqual([]);
  });
});

it('writes the minimum contrast per drawing to preview/contrast.json and prints it', () => {
  expect(drawn).toBeDefined();
  const report: Record<string, Record<string, Summary>> = {};
  for (const { name, scheme, width, file } of VARIANTS) (report[name] ??= {})[`${scheme}-${width}`] = summarize(file);
  const json = {
    rule: 'WCAG 2.x contrast ratio of each drawn text against its composited background: at least 4.5:1, or 3:1 for large text (>= 24 px, or >= 18.66 px bold). Placeholders reported apart, not checked.',
    drawings: report,
  };
  fs.writeFileSync(CONTRAST_JSON, `${JSON.stringify(json, null, 2)}\n`);
  const columns = SCHEMES.flatMap((s) => WIDTHS.map((w) => `${s}-${w}`));
  const cell = (s: Summary) => `${s.min.toFixed(2)}${s.failures.length ? ` ✗${s.failures.length}` : ''}`.padEnd(10);
  const lines = [
    `Minimum text contrast per drawing (✗n: n texts below 4.5:1 / 3:1 large); placeholders apart`,
    `${'drawing'.padEnd(24)}${columns.map((c) => c.padEnd(10)).join('')}placeholder min`,
    ...Object.entries(report).map(([name, row]) => {
      const placeholders = Object.values(row).map((s) => s.placeholderMin).filter((n): n is number => n !== null);
      return `${name.padEnd(24)}${columns.map((c) => cell(row[c])).join('')}${placeholders.length ? Math.min(...placeholders).toFixed(2) : '-'}`;
    }),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
});
