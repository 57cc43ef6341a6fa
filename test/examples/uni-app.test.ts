/**
 * examples/uni-app as the uni-app CLI built it for WeChat (`uni build -p mp-weixin`), run in
 * miniprogram-simulate: app.js, common/vendor.js (uni's runtime, Vue and the bundled
 * miniprogram-mqtt) and pages/index/index.{js,wxml} exactly as emitted. The page connects to
 * mosquitto through the Node wx, subscribes, shows a message mosquitto_pub sends, and shows its
 * own QoS 2 publish coming back; so does pages/quickstart, the README's quick start.
 *
 * A project of its own (test/examples/jest.config.js), run by `npm run examples:uni` after the
 * build; without dist/build/mp-weixin it fails and says how to build. The README-equals-page check
 * needs only the sources and lives in `npm test` (test/examples-readme.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { MosquittoBroker, mosquittoPub, startMosquitto } from '../support/brokers';
import { until } from '../support/harness';
import { NodeWx } from '../support/wx';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'uni-app');
const BUILT = path.join(EXAMPLE, 'dist', 'build', 'mp-weixin');
const built = fs.existsSync(path.join(BUILT, 'app.json'));
/** The broker the page's script connects to (`npm start`'s); the test routes it to its mosquitto. */
const PAGE_PORT = 8083;
const TOPIC = 'miniprogram-mqtt/uni-app';

type Simulate = typeof import('miniprogram-simulate');
type Rendered = ReturnType<Simulate['render']>;
interface AppDefinition {
  onLaunch?(options: Record<string, unknown>): void;
}
interface PageInstance {
  onLoad?(query: Record<string, string>): void;
  onUnload?(): void;
}

describe('examples/uni-app built for mp-weixin', () => {
  beforeAll(() => {
    if (!built) throw new Error(`${path.relative(process.cwd(), BUILT)} does not exist: run \`npm run examples:uni\`, which builds the example and runs this`);
  });

  let broker: MosquittoBroker;
  let nodeWx: NodeWx;
  let page: Rendered;

  beforeAll(async () => {
    broker = await startMosquitto();
    nodeWx = new NodeWx();
  });

  afterAll(async () => {
    nodeWx?.dispose();
    await broker?.stop();
  });

  /**
   * A WeChat app service for the built files: simulate's wx (Component, the API stubs) with the
   * Node wx's sockets and app/network events. uni's vendor.js copies the global wx when it loads,
   * so it is complete before app.js runs.
   */
  function launch(): { simulate: Simulate; app: AppDefinition } {
    jest.resetModules();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh instance: defines Component, Behavior and wx
    const simulate = require('miniprogram-simulate') as Simulate;
    const globals = global as unknown as Record<string, unknown>;
    const wx = globals.wx as Record<string, unknown>;
    Object.assign(wx, {
      connectSocket: (o: { url: string }) => nodeWx.connectSocket({ ...o, url: o.url.replace(`:${PAGE_PORT}/`, `:${broker.wsPort}/`) }),
      onAppShow: nodeWx.onAppShow,
      offAppShow: nodeWx.offAppShow,
      onAppHide: nodeWx.onAppHide,
      offAppHide: nodeWx.offAppHide,
      onNetworkStatusChange: nodeWx.onNetworkStatusChange,
      offNetworkStatusChange: nodeWx.offNetworkStatusChange,
      getNetworkType: nodeWx.getNetworkType,
    });
    let app: AppDefinition | undefined;
    const pages: unknown[] = [];
    globals.App = (definition: AppDefinition) => (app = definition);
    // uni's runtime wraps both constructors when it loads; its pages are Components.
    globals.Page = globals.Component;
    globals.getApp = () => app;
    globals.getCurrentPages = () => pages;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- app.js as WeChat's app service runs it
    require(path.join(BUILT, 'app.js'));
    if (!app) throw new Error('the built app.js did not call App()');
    app.onLaunch?.call(app, { path: 'pages/index/index', query: {}, scene: 1001 });
    return { simulate, app };
  }

  function open(simulate: Simulate, route: string): Rendered {
    const id = simulate.load(path.join(BUILT, route), 'page-index', { rootPath: BUILT });
    const rendered = simulate.render(id);
    rendered.attach(document.createElement('parent-wrapper'));
    (rendered.instance as unknown as PageInstance).onLoad?.({});
    return rendered;
  }

  const text = (selector: string): string =>
    page
      .querySelectorAll(selector)
      .map((n) => n.dom?.textContent ?? '')
      .join('\n');

  it('connects and subscribes on load, shows the status', async () => {
    const { simulate } = launch();
    page = open(simulate, 'pages/index/index');
    await until(() => text('.status') === 'connected', `status "connected" (shows "${text('.status')}", error "${text('.error')}")`);
    await until(() => text('.subscribed').includes(`${TOPIC} (QoS 2)`), `the subscription (shows "${text('.subscribed')}")`);
    expect(nodeWx.requests.map((r) => r.url)).toEqual([`ws://127.0.0.1:${broker.wsPort}/mqtt`]);
    expect(text('.error')).toBe('');
  });

  it('shows a message mosquitto_pub sends', async () => {
    mosquittoPub(broker, TOPIC, 'hello from mosquitto_pub', ['-q', '1']);
    await until(() => text('.payload').includes('hello from mosquitto_pub'), 'the message in the list');
    expect(text('.topic')).toContain(`${TOPIC} · QoS 1`);
  });

  it('publishes with QoS 2 on tap and shows it coming back', async () => {
    const button = page.querySelector('.publish');
    if (!button) throw new Error('no .publish button');
    button.dispatchEvent('tap');
    await until(() => text('.payload').includes('hello from uni-app #1'), 'its own QoS 2 message');
    expect(text('.payload').split('\n').slice(0, 2)).toEqual(['hello from uni-app #1', 'hello from mosquitto_pub']);
    expect(text('.topic').split('\n')[0]).toBe(`${TOPIC} · QoS 2`);
  });

  it('keeps at most 50 messages', async () => {
    for (let i = 0; i < 60; i++) mosquittoPub(broker, TOPIC, `burst ${i}`);
    await until(() => text('.payload').includes('burst 59'), 'the last message');
    expect(page.querySelectorAll('.message')).toHaveLength(50);
    expect(text('.payload').split('\n')[0]).toBe('burst 59');
  });

  it('leaves the broker when the page unloads', async () => {
    (page.instance as unknown as PageInstance).onUnload?.();
    await until(() => nodeWx.sockets.size === 0, 'the socket to close');
  });

  it("the README's quick start page (pages/quickstart) connects, shows mosquitto_pub's message and its own QoS 2 publish", async () => {
    const { simulate } = launch();
    page = open(simulate, 'pages/quickstart/index');
    await until(() => text('.status') === 'connected', `status "connected" (shows "${text('.status')}")`);
    // The page shows no SUBACK, so publish (every 200 ms) until one message arrives after it.
    let last = 0;
    await until(() => {
      if (Date.now() - last > 200) {
        mosquittoPub(broker, TOPIC, 'hello quick start', ['-q', '1']);
        last = Date.now();
      }
      return text('.payload').includes('hello quick start');
    }, 'the message in the list');
    page.querySelector('.publish')!.dispatchEvent('tap');
    await until(() => text('.payload').split('\n').includes('hello from uni-app'), 'its own QoS 2 message');
    (page.instance as unknown as PageInstance).onUnload?.();
    await until(() => nodeWx.sockets.size === 0, 'the socket to close');
  });
});

