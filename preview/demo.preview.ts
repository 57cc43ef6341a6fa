/**
 * npm run preview: each demo page, connected to a real broker with a few messages, rendered by the
 * components in miniprogram-simulate, drawn by headless Chromium into docs/demo-<page>.png.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEMO, DEMO_NPM, DemoEnv, launchDemoApp, loadDemoPage, startDemoEnv } from '../test/support/demo';
import { sleep, until } from '../test/support/harness';
import { page, TreeNode } from './to-html';

const OUT = path.resolve(__dirname, '..', 'docs');
let env: DemoEnv;

beforeAll(async () => {
  env = await startDemoEnv();
});
afterAll(() => env.stop());

type Api = { connect(): Promise<unknown>; publish(t: string, p: unknown, o?: object): Promise<unknown>; getState(): { subscriptions: unknown[] } };
const wxss = (...files: string[]) => [path.join(DEMO, 'app.wxss'), path.join(DEMO_NPM, 'mqtt-panel', 'index.wxss'), path.join(DEMO_NPM, 'message-list', 'index.wxss'), ...files];

const scenes: Record<string, (p: ReturnType<typeof loadDemoPage>) => Promise<void>> = {
  index: async (p) => {
    const panel = p.querySelector('#panel')!.instance as unknown as Api;
    await panel.connect();
    await until(() => panel.getState().subscriptions.length === 1, 'subscribed');
    await panel.publish('testtopic/miniprogram/demo', { temperature: 21.5, unit: '°C' }, { qos: 1 });
    await env.peer.publish('testtopic/miniprogram/sensor', 'hello from mosquitto_pub', { qos: 1, retain: false });
  },
  shared: async (p) => {
    const panels = p.querySelectorAll('.card').map((c) => c.instance as unknown as Api);
    await until(() => panels.every((x) => x.getState().subscriptions.length === 1), 'subscribed');
    await env.peer.publish('demo/kitchen/t', 'kitchen 21.5°C', { qos: 1 });
    await env.peer.publish('demo/garden/t', 'garden 14.0°C', { qos: 1 });
  },
  headless: async (p) => {
    const panel = p.querySelector('#mqtt')!.instance as unknown as Api;
    await until(() => panel.getState().subscriptions.length === 1, 'subscribed');
    for (const [name, value] of [['temperature', '21.5'], ['humidity', '48'], ['co2', '612'], ['lux', '320']]) {
      await env.peer.publish(`demo/sensors/${name}`, JSON.stringify({ value: Number(value) }), { qos: 1 });
    }
  },
  brokers: async (p) => {
    const local = p.querySelector('.card')!.instance as unknown as Api;
    await until(() => local.getState().subscriptions.length === 1, 'subscribed');
    await env.peer.publish('demo/local/x', 'from the local broker', { qos: 1 });
  },
};

/** The pages/app-client flow: the App's client "main", the device list, one device, the panel on "main". */
async function appClientScenes(draw: (route: string, png: string, rendered: ReturnType<typeof loadDemoPage>) => void): Promise<void> {
  const demo = launchDemoApp(env.wx, env.broker);
  const main = demo.library.getClient('main')!;
  await until(() => main.status === 'connected', 'main connected');
  const list = demo.open('/pages/app-client/index');
  await until(() => main.subscriptions.length === 1, 'the list subscribed');
  for (const [id, status] of [['lamp-1', 'online'], ['fan-2', 'offline'], ['sensor-3', 'online']]) {
    await env.peer.publish(`demo/devices/${id}/status`, status, { qos: 1 });
  }
  await sleep(300);
  draw('pages/app-client/index', 'app-client', list);

  const detail = demo.open('/pages/app-client/detail?id=lamp-1');
  await until(() => main.subscriptions.length === 2, 'the detail page subscribed');
  for (const [temperature, humidity] of [[21.2, 47], [21.4, 48], [21.5, 48]]) {
    await env.peer.publish('demo/devices/lamp-1/telemetry', JSON.stringify({ temperature, humidity }), { qos: 1 });
  }
  detail.querySelector('.detail__command')!.dispatchEvent('tap');
  await sleep(300);
  draw('pages/app-client/detail', 'app-client-detail', detail);
  demo.unload(detail);

  const panelPage = demo.open('/pages/app-client/panel');
  const panel = panelPage.querySelector('#panel')!.instance as unknown as Api;
  await until(() => panel.getState().subscriptions.length === 1, 'the panel subscribed');
  await env.peer.publish('demo/devices/fan-2/status', 'online', { qos: 1 });
  await env.peer.publish('demo/devices/sensor-3/telemetry', JSON.stringify({ lux: 320 }), { qos: 1 });
  await sleep(300);
  draw('pages/app-client/panel', 'app-client-panel', panelPage);
  demo.unload(panelPage);
  demo.unload(list);
  await main.end();
}

it('draws every demo page without page errors', async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const pages: { html: string; png: string }[] = [];
  const draw = (route: string, name: string, rendered: ReturnType<typeof loadDemoPage>): void => {
    const own = path.join(DEMO, `${route}.wxss`);
    pages.push({ html: page(rendered.toJSON() as unknown as TreeNode, wxss(...(fs.existsSync(own) ? [own] : []))), png: path.join(OUT, `demo-${name}.png`) });
  };
  for (const [name, scene] of Object.entries(scenes)) {
    const rendered = loadDemoPage(name, env.wx, env.broker);
    await scene(rendered);
    await sleep(300);
    draw(`pages/${name}/index`, name, rendered);
    (rendered as unknown as { detach(): void }).detach();
  }
  await appClientScenes(draw);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-preview-'));
  const jobs = pages.map((p, i) => {
    const html = path.join(tmp, `page-${i}.html`);
    fs.writeFileSync(html, p.html);
    return { html, png: p.png };
  });
  fs.writeFileSync(path.join(tmp, 'jobs.json'), JSON.stringify(jobs));
  const drawn = spawnSync(process.execPath, [path.join(__dirname, 'draw.mjs'), path.join(tmp, 'jobs.json')], { encoding: 'utf8' });
  if (drawn.status !== 0) throw new Error(`Chromium failed: ${drawn.stderr}`);
  expect(JSON.parse(drawn.stdout.trim().split('\n').pop()!)).toEqual([]);
  for (const { png } of pages) expect(fs.statSync(png).size).toBeGreaterThan(5000);
});
