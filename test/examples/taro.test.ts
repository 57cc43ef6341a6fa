/**
 * @jest-environment node
 *
 * examples/taro as the Taro CLI builds it for weapp (`npm run examples:taro`): dist/app.js,
 * comp.js and pages/index/index.js — Taro's runtime, React 18 and the page's bundle with
 * miniprogram-mqtt inside — run as WeChat's app service runs them, with the Node wx routed to a
 * real mosquitto. The page connects, subscribes, shows a message mosquitto_pub sends, and its
 * QoS 2 publish button sends one that comes back.
 *
 * Not rendered in miniprogram-simulate: simulate defines only Component() and Behavior(), and
 * Taro's page calls Page(); and its template engine (j-component) returns nothing for <import>,
 * <template is> and <wxs> nodes (virtualnode.js), while Taro's page WXML is only
 * `<import src="../../base.wxml"/><template is="taro_tmpl" …/>` with template names computed by
 * utils.wxs. So the page's view is read where Taro's runtime puts it: the page data (`root.cn`
 * tree) that it sends through the page's setData, applied here path by path as WeChat applies it.
 *
 * Skipped when examples/taro/dist does not exist: root `npm test` does not build the example.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hasMosquitto, MosquittoBroker, mosquittoPub, startMosquitto } from '../support/brokers';
import { NodeWx } from '../support/wx';

const DIST = path.resolve(__dirname, '..', '..', 'examples', 'taro', 'dist');
const BUILT = fs.existsSync(path.join(DIST, 'pages', 'index', 'index.js'));
/** The broker port the example's page uses (the root `npm start` broker); routed to the test's mosquitto. */
const EXAMPLE_PORT = 8083;
const TOPIC = 'taro/demo';

if (!BUILT) {
  console.warn(`SKIPPED test/examples/taro.test.ts: ${DIST} does not exist. Run \`npm run examples:taro\` (installs and builds examples/taro with the Taro CLI) first.`);
}
const suite = BUILT && hasMosquitto() ? describe : describe.skip;

type Hooks = Record<string, (this: unknown, ...args: unknown[]) => unknown>;
interface TaroNode {
  nn?: string | number;
  v?: string;
  sid?: string;
  uid?: string;
  cn?: TaroNode[];
}
interface PageHost {
  route: string;
  __route__: string;
  options: Record<string, string>;
  data: { root?: TaroNode };
  setData(data: Record<string, unknown>, cb?: () => void): void;
}

/** Applies a setData key (`root.cn.[0].cn.[1].v`) as WeChat does. */
function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.replace(/\[(\d+)\]/g, '$1').split('.').filter(Boolean);
  let node = target as Record<string, unknown>;
  parts.slice(0, -1).forEach((part, i) => {
    if (node[part] === undefined || node[part] === null) node[part] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    node = node[part] as Record<string, unknown>;
  });
  node[parts[parts.length - 1]] = value;
}

/** Text nodes of Taro's page tree, in document order. */
function texts(node: TaroNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  if (typeof node.v === 'string') out.push(node.v);
  (node.cn ?? []).forEach((child) => texts(child, out));
  return out;
}

/** The innermost element (a node with children, not a text node) whose subtree's text is exactly `text`. */
function nodeWithText(node: TaroNode | undefined, text: string): TaroNode | undefined {
  if (!node) return undefined;
  for (const child of node.cn ?? []) {
    const found = nodeWithText(child, text);
    if (found) return found;
  }
  return node.sid && node.cn?.length && texts(node).join('') === text ? node : undefined;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

suite('examples/taro (Taro CLI weapp build) on mosquitto', () => {
  let broker: MosquittoBroker;
  let wx: NodeWx;
  const globals = global as unknown as Record<string, unknown>;
  const installed = ['wx', 'App', 'Page', 'Component', 'getApp', 'getCurrentPages'];

  beforeAll(async () => {
    broker = await startMosquitto();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  afterEach(() => {
    wx?.dispose();
    installed.forEach((name) => delete globals[name]);
  });

  it('connects, subscribes, shows a message from mosquitto_pub and gets its own QoS 2 publish back', async () => {
    wx = new NodeWx();
    let appDefinition: Hooks | undefined;
    let pageDefinition: (Hooks & { data?: unknown }) | undefined;
    const components: unknown[] = [];
    const urls: string[] = [];
    globals.wx = {
      ...wx,
      connectSocket: (o: Parameters<NodeWx['connectSocket']>[0]) => {
        urls.push(o.url);
        return wx.connectSocket({ ...o, url: o.url.replace(`:${EXAMPLE_PORT}/`, `:${broker.wsPort}/`) });
      },
      getSystemInfoSync: () => ({ platform: 'devtools', SDKVersion: '3.0.0', windowWidth: 375, windowHeight: 667, pixelRatio: 2 }),
    };
    globals.App = (d: Hooks) => (appDefinition = d);
    globals.Page = (d: Hooks) => (pageDefinition = d);
    globals.Component = (d: unknown) => components.push(d);
    globals.getApp = () => appDefinition;
    const pages: unknown[] = [];
    globals.getCurrentPages = () => pages;

    // The order WeChat loads them: app.js (requires vendors, taro, runtime), comp.js, then the page.
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports -- the built files, as the app service runs them */
      require(path.join(DIST, 'app.js'));
      require(path.join(DIST, 'comp.js'));
      require(path.join(DIST, 'pages', 'index', 'index.js'));
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    expect(appDefinition).toBeDefined();
    expect(pageDefinition).toBeDefined();
    expect(components).toHaveLength(1); // Taro's recursive `comp`
    const app = Object.create(appDefinition!) as Hooks;
    appDefinition!.onLaunch.call(app, { path: 'pages/index/index', query: {}, scene: 1001 });

    const page: PageHost = {
      route: 'pages/index/index',
      __route__: 'pages/index/index',
      options: {},
      data: JSON.parse(JSON.stringify(pageDefinition!.data ?? {})),
      setData(data, cb) {
        Object.entries(data).forEach(([key, value]) => setPath(this.data as Record<string, unknown>, key, value));
        cb?.();
      },
    };
    Object.setPrototypeOf(page, pageDefinition!);
    pages.push(page);
    pageDefinition!.onLoad.call(page, {});
    pageDefinition!.onShow.call(page);
    pageDefinition!.onReady.call(page);

    try {
      const shown = () => texts(page.data.root);
      await waitFor('status "connected"', () => shown()[0] === 'connected');
      expect(urls).toEqual([`ws://127.0.0.1:${EXAMPLE_PORT}/mqtt`]);

      // subscribed: mosquitto_pub's message reaches the list (retried until the SUBACK has come)
      const deadline = Date.now() + 10000;
      while (!shown().includes('from mosquitto_pub')) {
        if (Date.now() > deadline) throw new Error(`no message shown; page text: ${JSON.stringify(shown())}`);
        mosquittoPub(broker, TOPIC, 'from mosquitto_pub', ['-q', '1']);
        await waitFor('the message', () => shown().includes('from mosquitto_pub'), 1000).catch(() => undefined);
      }
      expect(shown()).toEqual(expect.arrayContaining(['connected', TOPIC, 'from mosquitto_pub']));

      // the page's button: a tap through Taro's event handler publishes the input's text at QoS 2
      const button = nodeWithText(page.data.root, 'QoS 2 发布 · Publish');
      expect(button).toBeDefined();
      const id = button!.uid ?? button!.sid!;
      const target = { id, dataset: { sid: button!.sid } };
      pageDefinition!.eh.call(page, { type: 'tap', timeStamp: Date.now(), target, currentTarget: target, detail: {} });
      await waitFor('the QoS 2 publish back', () => shown().includes('hello from Taro'));
      const list = shown().slice(shown().indexOf(TOPIC));
      expect(list.slice(0, 2)).toEqual([TOPIC, 'hello from Taro']); // newest first
    } finally {
      pageDefinition!.onUnload.call(page); // React unmounts: the effect's cleanup ends the client
    }
    await waitFor('the socket closed', () => wx.sockets.size === 0);
  });
});
