/**
 * examples/uni-app as the uni-app CLI built it for Alipay (`uni build -p mp-alipay`), Douyin
 * (`uni build -p mp-toutiao`) and Kuaishou (`uni build -p mp-kuaishou`): app.js, common/vendor.js (uni's runtime for that platform, Vue and
 * the bundled miniprogram-mqtt) and pages/{index,quickstart}/index.js exactly as emitted, run with
 * the platform's double as its global (`my`: test/support/platforms/alipay.ts, `tt`: douyin.ts,
 * `ks`: ks.ts).
 * The page connects to mosquitto, subscribes, shows a message mosquitto_pub sends, and its button's
 * QoS 2 publish comes back.
 *
 * miniprogram-simulate renders WeChat templates only, so the pages are not rendered: a small app
 * service below (App, Page, Component, setData) runs them, and what a person would see is read
 * through the built template — `<text class="status">{{a}}</text>` says the status is data `a`,
 * `<button class="publish" onTap="{{i}}">` says a tap calls the page method named by data `i`.
 *
 * A project of its own (test/examples/jest.config.js), run by `npm run examples:uni` after the
 * builds; without dist/build/<target> it fails and says how to build.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MosquittoBroker, mosquittoPub, startMosquitto } from '../support/brokers';
import { until } from '../support/harness';
import { NodeMy } from '../support/platforms/alipay';
import type { PlatformDouble } from '../support/platforms/common';
import { NodeTt } from '../support/platforms/douyin';
import { NodeKs } from '../support/platforms/ks';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'uni-app');
/** The broker the page's script connects to (`npm start`'s); the test routes it to its mosquitto. */
const PAGE_PORT = 8083;
const TOPIC = 'miniprogram-mqtt/uni-app';

type Data = Record<string, unknown>;
type Method = (this: PageInstance, ...args: unknown[]) => unknown;
interface Definition {
  data?: Data;
  methods?: Record<string, Method>;
  lifetimes?: Record<string, Method>;
  pageLifetimes?: Record<string, Method>;
  properties?: Record<string, { value?: unknown }>;
  [hook: string]: unknown;
}
interface PageInstance {
  data: Data;
  setData(changes: Data, callback?: () => void): void;
  [key: string]: unknown;
}
interface AppDefinition {
  onLaunch?(options: Record<string, unknown>): void;
  onShow?(options: Record<string, unknown>): void;
}

interface Target {
  /** uni's platform name (the build's folder). */
  name: 'mp-alipay' | 'mp-toutiao' | 'mp-kuaishou';
  /** The global the platform defines. */
  global: 'my' | 'tt' | 'ks';
  /** Template file extension, its directive prefix and its tap attribute. */
  template: { ext: string; prefix: string; tap: string };
  double(): PlatformDouble & { connectSocket: (options: { url: string }) => unknown };
  /**
   * What uni's runtime calls as vendor.js loads and the socket doubles do not model: my.canIUse and
   * my.getSystemInfoSync (Alipay), tt.getSystemInfoSync (Douyin). The library uses none of them
   * (isLark reads tt.getSystemInfoSync().appName: Douyin's).
   */
  runtime: Record<string, unknown>;
  /** How the connect shows the library took the platform's own global, not uni's wrapper of it. */
  direct(double: ReturnType<Target['double']>): void;
}

const systemInfo = { platform: 'devtools', pixelRatio: 2, windowWidth: 375, windowHeight: 667, screenWidth: 375, language: 'zh-CN', version: '1.0.0', SDKVersion: '3.0.0' };

const TARGETS: Target[] = [
  {
    name: 'mp-alipay',
    global: 'my',
    template: { ext: 'axml', prefix: 'a:', tap: 'onTap' },
    double: () => new NodeMy(),
    runtime: { canIUse: () => true, getSystemInfoSync: () => ({ ...systemInfo, app: 'alipay' }) },
    // the library's Alipay adapter asks my.connectSocket for a SocketTask (multiple: true); uni's
    // uni.connectSocket passes its caller's arguments, and the library's uni adapter sends no `multiple`
    direct: (double) => expect((double as NodeMy).requests).toEqual([expect.objectContaining({ protocols: ['mqtt'], multiple: true })]),
  },
  {
    name: 'mp-toutiao',
    global: 'tt',
    template: { ext: 'ttml', prefix: 'tt:', tap: 'bindtap' },
    double: () => new NodeTt(),
    runtime: { getSystemInfoSync: () => ({ ...systemInfo, appName: 'Douyin' }) },
    // tt comes first in the library's detection order; the Douyin adapter touches a SocketTask only after its success callback
    direct: (double) => expect((double as NodeTt).violations).toEqual([]),
  },
  {
    name: 'mp-kuaishou',
    global: 'ks',
    template: { ext: 'ksml', prefix: 'ks:', tap: 'bindtap' },
    double: () => new NodeKs(),
    runtime: {},
    // ks comes before uni in the library's detection order: the socket is asked of ks itself
    direct: (double) => expect((double as NodeKs).requests).toEqual([expect.objectContaining({ protocols: ['mqtt'] })]),
  },
];

/** Sets `a.b[2].c`-style paths, as setData does. */
function setPath(target: Data, keyPath: string, value: unknown): void {
  const parts = keyPath.match(/[^.[\]]+/g) ?? [];
  let node = target as Record<string, unknown>;
  parts.slice(0, -1).forEach((part, i) => {
    if (node[part] === null || typeof node[part] !== 'object') node[part] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    node = node[part] as Record<string, unknown>;
  });
  node[parts[parts.length - 1]] = value;
}

const lookup = (scope: Data, expression: string): unknown =>
  expression
    .trim()
    .split('.')
    .reduce<unknown>((v, k) => (v === null || v === undefined ? undefined : (v as Data)[k]), scope);

/** One element of a built template: its attributes and its own text. */
interface Element {
  attrs: Record<string, string>;
  text: string;
}

/** The built template of a page, read just enough to find what each class shows. */
class Template {
  readonly elements: Element[] = [];
  constructor(
    source: string,
    private readonly prefix: string,
  ) {
    for (const m of source.matchAll(/<([\w-]+)((?:\s+[\w:-]+="[^"]*")*)\s*\/?>([^<]*)/g)) {
      const attrs: Record<string, string> = {};
      for (const a of m[2].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
      this.elements.push({ attrs, text: m[3] });
    }
  }

  /** The element whose class list has `name` (a plain class or a quoted one in a {{…}} class). */
  find(name: string): Element {
    const found = this.elements.find((e) => new RegExp(`(^|[\\s'(])${name}([\\s')]|$)`).test(e.attrs.class ?? ''));
    if (!found) throw new Error(`no .${name} in the built template`);
    return found;
  }

  /** The data key of a list (`a:for="{{j}}" a:for-item="m"`): its key and item name. */
  list(): { key: string; item: string } {
    const e = this.elements.find((el) => el.attrs[`${this.prefix}for`]);
    if (!e) throw new Error(`no ${this.prefix}for in the built template`);
    return { key: e.attrs[`${this.prefix}for`].replace(/^\{\{|\}\}$/g, ''), item: e.attrs[`${this.prefix}for-item`] ?? 'item' };
  }

  /** The text an element shows, its {{…}} read from `scope`. */
  static render(text: string, scope: Data): string {
    return text.replace(/\{\{([^}]*)\}\}/g, (_, expression: string) => String(lookup(scope, expression) ?? '')).trim();
  }
}

describe.each(TARGETS)('examples/uni-app built for $name', (target) => {
  const BUILT = path.join(EXAMPLE, 'dist', 'build', target.name);
  const built = fs.existsSync(path.join(BUILT, 'app.json'));

  beforeAll(() => {
    if (!built) throw new Error(`${path.relative(process.cwd(), BUILT)} does not exist: run \`npm run examples:uni\`, which builds the example and runs this`);
  });

  const globals = global as unknown as Record<string, unknown>;
  const DEFINED = [target.global, 'App', 'Page', 'Component', 'getApp', 'getCurrentPages'];
  let broker: MosquittoBroker;
  let double: ReturnType<Target['double']>;

  beforeAll(async () => {
    broker = await startMosquitto();
  });

  afterAll(async () => {
    double?.dispose();
    DEFINED.forEach((name) => delete globals[name]);
    delete globals.createApp;
    delete globals.createSubpackageApp;
    delete globals.createPluginApp;
    await broker?.stop();
  });

  /** A page as the platform's app service holds it: its instance, and its built template. */
  interface Opened {
    instance: PageInstance;
    template: Template;
    unload(): void;
  }
  let definitions: Record<string, { kind: 'Page' | 'Component'; definition: Definition }>;
  let loading = '';
  const pages: PageInstance[] = [];

  /**
   * The platform's app service: its global API (the double, page port routed to mosquitto, plus
   * `runtime`), App/Page/Component/getApp/getCurrentPages, then app.js and its onLaunch.
   */
  function launch(): void {
    jest.resetModules();
    double?.dispose();
    double = target.double();
    const api = double as unknown as Record<string, unknown>;
    const connect = double.connectSocket;
    api.connectSocket = (o: { url: string }) => connect({ ...o, url: o.url.replace(`:${PAGE_PORT}/`, `:${broker.wsPort}/`) });
    Object.assign(api, target.runtime);
    globals[target.global] = api;
    definitions = {};
    pages.length = 0;
    let app: AppDefinition | undefined;
    globals.App = (definition: AppDefinition) => (app = definition);
    globals.Page = (definition: Definition) => (definitions[loading] = { kind: 'Page', definition });
    globals.Component = (definition: Definition) => (definitions[loading] = { kind: 'Component', definition });
    globals.getApp = () => app;
    globals.getCurrentPages = () => pages;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- app.js as the platform's app service runs it
    require(path.join(BUILT, 'app.js'));
    if (!app) throw new Error('the built app.js did not call App()');
    const launchOptions = { path: 'pages/index/index', query: {}, scene: 1001 };
    app.onLaunch?.call(app, launchOptions);
    app.onShow?.call(app, launchOptions);
  }

  /**
   * Opens a page as the platform does: Alipay pages (uni: my.createPage → Page) get onLoad, onShow,
   * onReady; Douyin pages (uni: tt.createPage → Component) get created, attached, onLoad, show,
   * ready, with __nodeId__ 0 (how uni's Douyin runtime tells a page).
   */
  function open(route: string): Opened {
    loading = route;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the page's script as the app service runs it
    require(path.join(BUILT, `${route}.js`));
    const registered = definitions[route];
    if (!registered) throw new Error(`${route}.js registered no page`);
    const { kind, definition } = registered;
    const instance = Object.create(null) as PageInstance;
    const data: Data = JSON.parse(JSON.stringify(definition.data ?? {}));
    const properties: Data = {};
    for (const [name, spec] of Object.entries(definition.properties ?? {})) properties[name] = spec?.value;
    Object.assign(instance, {
      data,
      properties,
      props: {},
      route,
      __route__: route,
      __nodeId__: 0,
      __webviewId__: 1,
      setData(changes: Data, callback?: () => void) {
        for (const [key, value] of Object.entries(changes)) setPath(this.data as Data, key, JSON.parse(JSON.stringify(value ?? null)));
        if (callback) setTimeout(callback, 0);
      },
      triggerEvent: () => undefined,
      createSelectorQuery: () => ({}),
      selectComponent: () => null,
      selectAllComponents: () => [],
    });
    const call = (hook: unknown, ...args: unknown[]): unknown => (typeof hook === 'function' ? (hook as Method).apply(instance, args) : undefined);
    if (kind === 'Page') {
      for (const [key, value] of Object.entries(definition)) if (typeof value === 'function') instance[key] = value;
      pages.push(instance);
      call(definition.onLoad, {});
      call(definition.onShow);
      call(definition.onReady);
    } else {
      Object.assign(instance, definition.methods ?? {});
      const lifetimes = definition.lifetimes ?? {};
      call(lifetimes.created ?? definition.created);
      call(lifetimes.attached ?? definition.attached);
      pages.push(instance);
      call(instance.onLoad, {});
      call(definition.pageLifetimes?.show);
      call(instance.onShow);
      call(lifetimes.ready ?? definition.ready);
    }
    const source = fs.readFileSync(path.join(BUILT, `${route}.${target.template.ext}`), 'utf8');
    const template = new Template(source, target.template.prefix);
    const unload = (): void => {
      if (kind === 'Page') call(definition.onUnload);
      else {
        call(instance.onUnload);
        call((definition.lifetimes ?? {}).detached ?? definition.detached);
      }
    };
    return { instance, template, unload };
  }

  let page: Opened;

  /**
   * What the element with `className` shows: '' under a false `a:if` / `tt:if`; for a class inside
   * the list, every item's text, joined by \n.
   */
  function text(className: string): string {
    const { instance, template } = page;
    const element = template.find(className);
    const condition = element.attrs[`${target.template.prefix}if`];
    if (condition !== undefined && !lookup(instance.data, condition.replace(/^\{\{|\}\}$/g, ''))) return '';
    const { key, item } = template.list();
    if (element.text.includes(`{{${item}.`)) {
      const items = (instance.data[key] as Data[] | undefined) ?? [];
      return items.map((entry) => Template.render(element.text, { [item]: entry })).join('\n');
    }
    return Template.render(element.text, instance.data);
  }

  /** Taps the element with `className`: its tap attribute names (through data) the page's handler. */
  function tap(className: string): void {
    const { instance, template } = page;
    const handlerExpression = template.find(className).attrs[target.template.tap];
    if (!handlerExpression) throw new Error(`.${className} has no ${target.template.tap}`);
    const name = Template.render(handlerExpression, instance.data);
    const handler = instance[name];
    if (typeof handler !== 'function') throw new Error(`.${className}'s ${target.template.tap} names "${name}", which the page does not have`);
    const node = { id: '', dataset: {} };
    (handler as Method).call(instance, { type: 'tap', timeStamp: Date.now(), target: node, currentTarget: node, detail: { x: 0, y: 0 } });
  }

  const messageCount = (): number => ((page.instance.data[page.template.list().key] as unknown[] | undefined) ?? []).length;

  it(`connects through ${target.global} and subscribes on load, shows the status`, async () => {
    launch();
    page = open('pages/index/index');
    await until(() => text('status') === 'connected', `status "connected" (shows "${text('status')}", error "${text('error')}")`);
    await until(() => text('subscribed').includes(`${TOPIC} (QoS 2)`), `the subscription (shows "${text('subscribed')}")`);
    expect(double.requests.map((r) => r.url)).toEqual([`ws://127.0.0.1:${broker.wsPort}/mqtt`]);
    target.direct(double);
    expect(text('error')).toBe('');
  });

  it('shows a message mosquitto_pub sends', async () => {
    mosquittoPub(broker, TOPIC, 'hello from mosquitto_pub', ['-q', '1']);
    await until(() => text('payload').includes('hello from mosquitto_pub'), 'the message in the list');
    expect(text('topic')).toContain(`${TOPIC} · QoS 1`);
  });

  it('publishes with QoS 2 on tap and shows it coming back', async () => {
    tap('publish');
    await until(() => text('payload').includes('hello from uni-app #1'), 'its own QoS 2 message');
    expect(text('payload').split('\n').slice(0, 2)).toEqual(['hello from uni-app #1', 'hello from mosquitto_pub']);
    expect(text('topic').split('\n')[0]).toBe(`${TOPIC} · QoS 2`);
  });

  it('keeps at most 50 messages', async () => {
    for (let i = 0; i < 60; i++) mosquittoPub(broker, TOPIC, `burst ${i}`);
    await until(() => text('payload').includes('burst 59'), 'the last message');
    expect(messageCount()).toBe(50);
    expect(text('payload').split('\n')[0]).toBe('burst 59');
  });

  it('leaves the broker when the page unloads', async () => {
    page.unload();
    await until(() => double.openSockets() === 0, 'the socket to close');
  });

  it("the README's quick start page (pages/quickstart) connects, shows mosquitto_pub's message and its own QoS 2 publish", async () => {
    launch();
    page = open('pages/quickstart/index');
    await until(() => text('status') === 'connected', `status "connected" (shows "${text('status')}")`);
    // The page shows no SUBACK, so publish (every 200 ms) until one message arrives after it.
    let last = 0;
    await until(() => {
      if (Date.now() - last > 200) {
        mosquittoPub(broker, TOPIC, 'hello quick start', ['-q', '1']);
        last = Date.now();
      }
      return text('payload').includes('hello quick start');
    }, 'the message in the list');
    tap('publish');
    await until(() => text('payload').split('\n').includes('hello from uni-app'), 'its own QoS 2 message');
    page.unload();
    await until(() => double.openSockets() === 0, 'the socket to close');
  });
});
