/**
 * @jest-environment node
 *
 * examples/taro as the Taro CLI builds it for weapp (`npm run examples:taro`): dist/app.js,
 * comp.js and pages/index/index.js — Taro's runtime, React 18 and the page's bundle with
 * miniprogram-mqtt inside — run as WeChat's app service runs them, with the Node wx routed to a
 * real mosquitto. The page connects, subscribes, shows a message mosquitto_pub sends, and its
 * QoS 2 publish button sends one that comes back. The README's quick start is
 * pages/quickstart/index.js of the same build, run the same way; a source-only test (run without
 * the build) checks that the README's code is that page's source.
 *
 * Not rendered in miniprogram-simulate: simulate defines only Component() and Behavior(), and
 * Taro's page calls Page(); and its template engine (j-component) returns nothing for <import>,
 * <template is> and <wxs> nodes (virtualnode.js), while Taro's page WXML is only
 * `<import src="../../base.wxml"/><template is="taro_tmpl" …/>` with template names computed by
 * utils.wxs. So the page's view is read where Taro's runtime puts it: the page data (`root.cn`
 * tree) that it sends through the page's setData, applied here path by path as WeChat applies it.
 *
 * A project of its own (test/examples/jest.config.js), run by `npm run examples:taro` after the
 * build; without examples/taro/dist it fails and says how to build. The README-equals-page check
 * needs only the sources and lives in `npm test` (test/examples-readme.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { hasMosquitto, MosquittoBroker, mosquittoPub, startMosquitto } from '../support/brokers';
import { NodeWx } from '../support/wx';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'taro');
const DIST = path.join(EXAMPLE, 'dist');
const BUILT = fs.existsSync(path.join(DIST, 'pages', 'index', 'index.js'));
/** The broker port the example's page uses (the root `npm start` broker); routed to the test's mosquitto. */
const EXAMPLE_PORT = 8083;
const TOPIC = 'taro/demo';



type Hooks = Record<string, (this: unknown, ...args: unknown[]) => unknown>;
interface TaroNode {
  nn?: string | number;
  v?: string;
  sid?: string;
  uid?: string;
  cn?: TaroNode[];
}
type PageDefinition = Hooks & { data?: unknown };
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

describe('examples/taro (Taro CLI weapp build) on mosquitto', () => {
  beforeAll(() => {
    if (!BUILT) throw new Error(`${DIST} does not exist: run \`npm run examples:taro\`, which installs and builds examples/taro with the Taro CLI and runs this`);
    if (!hasMosquitto()) throw new Error('mosquitto is missing: `npm run examples:taro` installs it (scripts/ensure-system-deps.mjs)');
  });

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

  /**
   * Loads the build as WeChat's app service does — app.js (requires vendors, taro, runtime), comp.js,
   * then the page's file — with `wx` routed to the test's mosquitto, and opens the page at `route`
   * (onLoad, onShow, onReady). Returns the page (its `data.root` is Taro's tree), the page
   * definition (its hooks and Taro's event handler `eh`) and the socket URLs the page asked for.
   */
  function openPage(route: string): { page: PageHost; definition: PageDefinition; urls: string[] } {
    wx = new NodeWx();
    let appDefinition: Hooks | undefined;
    let pageDefinition: PageDefinition | undefined;
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
      require(path.join(DIST, ...route.split('/')) + '.js');
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    expect(appDefinition).toBeDefined();
    expect(pageDefinition).toBeDefined();
    expect(components).toHaveLength(1); // Taro's recursive `comp`
    const app = Object.create(appDefinition!) as Hooks;
    appDefinition!.onLaunch.call(app, { path: route, query: {}, scene: 1001 });

    const page: PageHost = {
      route,
      __route__: route,
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
    return { page, definition: pageDefinition!, urls };
  }

  /** Sends `text` with mosquitto_pub until the page shows it (retried until the page's SUBACK has come). */
  async function publishUntilShown(shown: () => string[], text: string): Promise<void> {
    const deadline = Date.now() + 10000;
    while (!shown().includes(text)) {
      if (Date.now() > deadline) throw new Error(`no message shown; page text: ${JSON.stringify(shown())}`);
      mosquittoPub(broker, TOPIC, text, ['-q', '1']);
      await waitFor('the message', () => shown().includes(text), 1000).catch(() => undefined);
    }
  }

  /** Taps the element whose text is `text` through Taro's event handler `eh`, as WeChat's view layer does. */
  function tap({ page, definition }: { page: PageHost; definition: PageDefinition }, text: string): void {
    const button = nodeWithText(page.data.root, text);
    expect(button).toBeDefined();
    const id = button!.uid ?? button!.sid!;
    const target = { id, dataset: { sid: button!.sid } };
    definition.eh.call(page, { type: 'tap', timeStamp: Date.now(), target, currentTarget: target, detail: {} });
  }

  it('connects, subscribes, shows a message from mosquitto_pub and gets its own QoS 2 publish back', async () => {
    const opened = openPage('pages/index/index');
    const { page, definition, urls } = opened;
    try {
      const shown = () => texts(page.data.root);
      await waitFor('status "connected"', () => shown()[0] === 'connected');
      expect(urls).toEqual([`ws://127.0.0.1:${EXAMPLE_PORT}/mqtt`]);

      // subscribed: mosquitto_pub's message reaches the list
      await publishUntilShown(shown, 'from mosquitto_pub');
      expect(shown()).toEqual(expect.arrayContaining(['connected', TOPIC, 'from mosquitto_pub']));

      // the page's button: a tap through Taro's event handler publishes the input's text at QoS 2
      tap(opened, 'QoS 2 发布 · Publish');
      await waitFor('the QoS 2 publish back', () => shown().includes('hello from Taro'));
      const list = shown().slice(shown().indexOf(TOPIC));
      expect(list.slice(0, 2)).toEqual([TOPIC, 'hello from Taro']); // newest first
    } finally {
      definition.onUnload.call(page); // React unmounts: the effect's cleanup ends the client
    }
    await waitFor('the socket closed', () => wx.sockets.size === 0);
  });

  it("the README's quick start page (pages/quickstart) connects, shows mosquitto_pub's message and its own QoS 2 publish", async () => {
    const opened = openPage('pages/quickstart/index');
    const { page, definition, urls } = opened;
    try {
      const shown = () => texts(page.data.root);
      await waitFor('status "connected"', () => shown()[0] === 'connected');
      expect(urls).toEqual([`ws://127.0.0.1:${EXAMPLE_PORT}/mqtt`]);

      await publishUntilShown(shown, 'hello quick start');
      expect(shown().slice(0, 4)).toEqual(['connected', 'QoS 2 发布 · Publish', TOPIC, 'hello quick start']);

      tap(opened, 'QoS 2 发布 · Publish');
      await waitFor('the QoS 2 publish back', () => shown().includes('hello from Taro'));
      expect(shown().slice(2, 6)).toEqual([TOPIC, 'hello from Taro', TOPIC, 'hello quick start']); // newest first
    } finally {
      definition.onUnload.call(page); // React unmounts: the effect's cleanup ends the client
    }
    await waitFor('the socket closed', () => wx.sockets.size === 0);
  });
});

