import * as fs from 'fs';
import * as path from 'path';
import { Broker, startAedes } from './brokers';
import { connectPeer, Peer } from './peer';
import type { Rendered } from './simulate';
import { NodeWx } from './wx';

const ROOT = path.resolve(__dirname, '..', '..');
export const DEMO = path.join(ROOT, 'demo');
export const DEMO_NPM = path.join(DEMO, 'miniprogram_npm', 'miniprogram-mqtt');
/** The port the demo expects (`npm start`'s broker); tests route it to their own broker. */
export const DEMO_PORT = 8083;

type Library = typeof import('../../src/index');
type Simulate = typeof import('miniprogram-simulate');

/** What demo/app.js passes to App(): getApp() returns it, as WeChat returns the App instance. */
export interface DemoAppDefinition {
  globalData: { local: { host: string; port: number; path: string; secure: boolean }; emqx: { host: string; port: number; path: string; secure: boolean } };
  onLaunch?(this: DemoAppDefinition, options: Record<string, unknown>): void;
}

// The demo's JS requires the package by name, as DevTools resolves it after 构建 npm: here that
// name is the built dist in demo/miniprogram_npm (the same module instance the components load).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the current module registry's dist
jest.doMock('miniprogram-mqtt', () => require(path.join(DEMO_NPM, 'index.js')), { virtual: true });

/**
 * Runs demo/app.js with a global App() that keeps its definition; getApp() returns it. Does not
 * launch it. Call it in a fresh module registry (after jest.resetModules()): app.js runs once per registry.
 */
function defineDemoApp(): DemoAppDefinition {
  let definition: DemoAppDefinition | undefined;
  const globals = global as unknown as { App: (d: DemoAppDefinition) => void; getApp: () => DemoAppDefinition };
  globals.App = (d) => (definition = d);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- app.js as WeChat's app service runs it
  require(path.join(DEMO, 'app.js'));
  if (!definition) throw new Error('demo/app.js did not call App()');
  const app = definition;
  globals.getApp = () => app;
  return app;
}

/** getApp() for pages that only read globalData: demo/app.js's definition, not launched. */
export function installDemoApp(): void {
  jest.resetModules();
  defineDemoApp();
}

/** A fresh dist and simulate (the components' wx routed to the test broker), in that order so mqttBehavior is simulate's Behavior. */
function freshModules(wx: NodeWx, broker: Broker): { library: Library; simulate: Simulate } {
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh instance after jest.resetModules(); defines Component and Behavior
  const simulate = require('miniprogram-simulate') as Simulate;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the instance pages get from require('miniprogram-mqtt')
  const library = require('miniprogram-mqtt') as Library;
  library.setPlatformWx({ ...wx, connectSocket: (o) => wx.connectSocket({ ...o, url: o.url.replace(`:${DEMO_PORT}/`, `:${broker.wsPort}/`) }) });
  return { library, simulate };
}

/**
 * Loads, renders and attaches a page file (`pages/x/index`) in simulate. The page's npm component
 * paths (`miniprogram-mqtt/mqtt-panel/index`) resolve into miniprogram_npm as DevTools resolves
 * them. A component's JS runs once per module registry, so within one registry only the first page
 * that uses a component can render it.
 */
function renderPage(simulate: Simulate, route: string): Rendered {
  const file = path.join(DEMO, route);
  const json = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as { usingComponents?: Record<string, string> };
  const usingComponents = Object.fromEntries(
    Object.entries(json.usingComponents ?? {}).map(([tag, target]) => [tag, target.startsWith('miniprogram-mqtt/') ? `/miniprogram_npm/${target}` : target]),
  );
  const id = simulate.load(file, `page-${route.replace(/\W+/g, '-')}`, { rootPath: DEMO, usingComponents });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  return page;
}

/** Loads a demo page as DevTools would: through miniprogram_npm (the built dist). */
export function loadDemoPage(name: string, wx: NodeWx, broker: Broker): Rendered {
  // Each page loads the dist afresh (simulate renders nothing for a component path loaded twice).
  const { simulate } = freshModules(wx, broker);
  return renderPage(simulate, path.join('pages', name, 'index'));
}

interface PageInstance {
  onLoad?(query: Record<string, string>): void;
  onUnload?(): void;
}

/** The demo app launched as WeChat launches it, and its pages opened and closed as WeChat routes them. */
export interface LaunchedDemo {
  app: DemoAppDefinition;
  /** The dist that app.js and the pages got from require('miniprogram-mqtt'). */
  library: Library;
  /** Every url the pages passed to wx.navigateTo. */
  navigations: string[];
  /** Opens a page (`pages/app-client/detail?id=x`): render, attach, then its onLoad(query). */
  open(url: string): Rendered;
  /** Closes a page: onUnload, then detached (which WeChat runs for a page's behaviors on unload). */
  unload(page: Rendered): void;
}

/**
 * A fresh dist and simulate; demo/app.js's App() definition, its onLaunch run with the Node wx.
 * Every page opened afterwards shares that one library instance (one client registry), as the
 * pages of one mini-program do.
 */
export function launchDemoApp(wx: NodeWx, broker: Broker): LaunchedDemo {
  const { library, simulate } = freshModules(wx, broker);
  const navigations: string[] = [];
  const globalWx = (global as unknown as { wx: Record<string, unknown> }).wx;
  globalWx.navigateTo = (options: { url: string; success?: () => void }) => {
    navigations.push(options.url);
    options.success?.();
  };
  const app = defineDemoApp();
  app.onLaunch?.call(app, { path: 'pages/index/index', query: {}, scene: 1001 });
  return {
    app,
    library,
    navigations,
    open(url) {
      const [route, search = ''] = url.replace(/^\//, '').split('?');
      const query = Object.fromEntries(new URLSearchParams(search));
      const page = renderPage(simulate, route);
      (page.instance as unknown as PageInstance).onLoad?.(query);
      return page;
    },
    unload(page) {
      (page.instance as unknown as PageInstance).onUnload?.();
      (page as unknown as { detach(): void }).detach();
    },
  };
}

export interface DemoEnv {
  broker: Broker;
  /** Another client, over TCP, that publishes what the pages should show. */
  peer: Peer;
  wx: NodeWx;
  stop(): Promise<void>;
}

/** Built dist, an aedes broker, a peer, a Node wx and the demo's getApp(). */
export async function startDemoEnv(): Promise<DemoEnv> {
  const broker = await startAedes();
  const peer = await connectPeer(broker.tcpPort);
  // the brokers page's Discover finds this broker over mDNS, as on the phone's Wi-Fi
  const wx = new NodeWx({ services: [{ serviceType: '_mqtt._tcp.', serviceName: 'demo-broker', ip: '127.0.0.1', port: broker.tcpPort }] });
  installDemoApp();
  return {
    broker,
    peer,
    wx,
    async stop() {
      wx.dispose();
      await peer.end();
      await broker.stop();
    },
  };
}
