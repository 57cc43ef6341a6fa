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

export function installDemoApp(): void {
  const app = { globalData: { local: { host: '127.0.0.1', port: DEMO_PORT, path: '/mqtt', secure: false }, emqx: { host: 'broker.emqx.io', port: 8084, path: '/mqtt', secure: true } } };
  (global as unknown as { getApp: () => typeof app }).getApp = () => app;
}

/** Loads a demo page as DevTools would: through miniprogram_npm (the built dist). */
export function loadDemoPage(name: string, wx: NodeWx, broker: Broker): Rendered {
  // Each page loads the dist afresh (simulate renders nothing for a component path loaded twice).
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh instance after jest.resetModules()
  const platform = require(path.join(DEMO_NPM, 'index.js')) as typeof import('../../src/index');
  platform.setPlatformWx({ ...wx, connectSocket: (o) => wx.connectSocket({ ...o, url: o.url.replace(`:${DEMO_PORT}/`, `:${broker.wsPort}/`) }) });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh instance after jest.resetModules()
  const simulate = require('miniprogram-simulate') as typeof import('miniprogram-simulate');
  const id = simulate.load(path.join(DEMO, 'pages', name, 'index'), `page-${name}`, {
    rootPath: DEMO,
    usingComponents: {
      'mqtt-panel': '/miniprogram_npm/miniprogram-mqtt/mqtt-panel/index',
      'message-list': '/miniprogram_npm/miniprogram-mqtt/message-list/index',
    },
  });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  return page;
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
  const wx = new NodeWx();
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
