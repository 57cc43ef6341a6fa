/**
 * The components on a named client through ClientBinding: <message-list client filter> subscribes
 * its filter through a scope of its own and keeps no copy of it (the client's table is the one
 * owner), <mqtt-panel client> reads its subscriptions view from its scope after a resubscribe,
 * and both release only what they alone held. Also: components reach runtime code only through
 * src/index or src/ui, and never throw or reject a plain object.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MessageListMethods, MqttPanelMethods } from '../../src/types';
import { createClient, MqttClient } from '../../src/index';
import { setPlatformWx } from '../../src/platform/index';
import { Broker, startAedes } from '../support/brokers';
import { until } from '../support/harness';
import { connectPeer } from '../support/peer';
import { listen, loadComponent, render, sleep } from '../support/simulate';
import { NodeWx } from '../support/wx';

const ROOT = path.resolve(__dirname, '..', '..');
let listId: string;
let panelId: string;
let wx: NodeWx;
let aedes: Broker;
let seq = 0;

beforeAll(async () => {
  listId = loadComponent('message-list');
  panelId = loadComponent('mqtt-panel');
  aedes = await startAedes();
});
afterAll(() => aedes.stop());
beforeEach(() => {
  wx = new NodeWx();
  setPlatformWx(wx, { limits: { disconnectGraceMs: 100 } });
});
afterEach(() => wx.dispose());

async function namedClient(): Promise<{ name: string; client: MqttClient }> {
  const name = `binding-${process.pid}-${++seq}`;
  const client = createClient({ name, host: aedes.host, port: aedes.wsPort, secure: false, reconnectPeriod: 200 });
  await client.connect();
  return { name, client };
}
const topics = (client: MqttClient) => client.subscriptions.map((s) => s.topic).sort();

describe('<message-list client filter>', () => {
  it('subscribes its filter through its own scope, moves it when filter changes, and releases it on detach', async () => {
    const { name, client } = await namedClient();
    const comp = render(listId, { client: name, filter: 'bind/a/#' });
    await until(() => topics(client).includes('bind/a/#'), 'the filter subscribed');
    const peer = await connectPeer(aedes.tcpPort);
    try {
      await peer.publish('bind/a/1', 'one', { qos: 1 });
      const list = comp.instance as unknown as MessageListMethods;
      await until(() => list.getMessages().length === 1, 'the message listed');
      comp.setData({ filter: 'bind/b/#' });
      await until(() => topics(client).join() === 'bind/b/#', 'the subscription moved');
      await peer.publish('bind/b/1', 'two', { qos: 1 });
      await until(() => list.getMessages().length === 2, 'the second message listed');
      (comp as unknown as { detach(): void }).detach();
      await until(() => topics(client).length === 0, 'the scope released');
      expect(client.status).toBe('connected');
    } finally {
      await peer.end();
      await client.end();
    }
  });

  it('a filter changed while the client is offline is the one subscribed when it is back (the old one goes)', async () => {
    const { name, client } = await namedClient();
    const comp = render(listId, { client: name, filter: 'away/a/#' });
    await until(() => topics(client).includes('away/a/#'), 'the first filter subscribed');
    wx.setNetwork(false);
    await until(() => client.status === 'offline', 'offline');
    comp.setData({ filter: 'away/b/#' });
    wx.setNetwork(true);
    await until(() => client.status === 'connected' && topics(client).join() === 'away/b/#', 'the new filter, alone, after the reconnect');
    const peer = await connectPeer(aedes.tcpPort);
    try {
      await peer.publish('away/b/1', 'after', { qos: 1 });
      const list = comp.instance as unknown as MessageListMethods;
      await until(() => list.getMessages().length === 1, 'the message on the new filter listed');
    } finally {
      await peer.end();
      (comp as unknown as { detach(): void }).detach();
      await client.end();
    }
  });

  it('waits for a client that does not exist yet, then follows it', async () => {
    const name = `binding-late-${process.pid}-${++seq}`;
    const comp = render(listId, { client: name, filter: 'late/#' });
    await sleep(10);
    const client = createClient({ name, host: aedes.host, port: aedes.wsPort, secure: false });
    await client.connect();
    await until(() => topics(client).includes('late/#'), 'the filter subscribed once the client exists');
    (comp as unknown as { detach(): void }).detach();
    await client.end();
  });
});

describe('<mqtt-panel client>', () => {
  it('its subscriptions view is read from its scope, also after the connection comes back', async () => {
    const { name, client } = await namedClient();
    const comp = render(panelId, { client: name, topic: 'bind/panel/#' });
    const panel = comp.instance as unknown as MqttPanelMethods;
    await until(() => panel.getState().subscriptions.length === 1, 'the auto-subscription');
    await panel.subscribe('bind/panel/extra', 1);
    expect(comp.instance.data.subscriptions).toEqual(panel.getState().subscriptions);
    await (aedes as unknown as { kick(id: string): Promise<void> }).kick(client.clientId);
    await until(() => client.status === 'connected' && comp.instance.data.status === 'connected', 'reconnected', 15000);
    await sleep(50);
    expect(comp.instance.data.subscriptions).toEqual(panel.getState().subscriptions);
    expect(panel.getState().subscriptions.map((s) => s.topic).sort()).toEqual(['bind/panel/#', 'bind/panel/extra']);
    // disconnect on the App's client: only the panel's subscriptions go
    await panel.disconnect();
    expect(comp.instance.data.subscriptions).toEqual([]);
    expect(topics(client)).toEqual([]);
    expect(client.status).not.toBe('closed');
    await client.end();
  });

  it('a missing client: NO_CLIENT once at attach, and connect() rejects with an MqttError', async () => {
    const comp = render(panelId, { client: `nobody-${process.pid}-${++seq}`, locale: 'en' });
    const errors = listen<{ code: string }>(comp, 'error');
    await sleep(0);
    expect(errors.map((e) => e.code)).toEqual(['NO_CLIENT']);
    const error = await (comp.instance as unknown as MqttPanelMethods).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'NO_CLIENT' });
    // the failed call is shown and emitted as every failed call is
    expect(errors.map((e) => e.code)).toEqual(['NO_CLIENT', 'NO_CLIENT']);
  });
});

describe('component sources', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const files = [...sources(path.join(ROOT, 'components')), path.join(ROOT, 'src', 'client', 'binding.ts')];

  it('import runtime code from src/ only through src/index or src/ui (types aside)', () => {
    const found: string[] = [];
    for (const file of sources(path.join(ROOT, 'components'))) {
      for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*? from '([^']+)'/gm)) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
        if (target.startsWith('src/') && target !== 'src/index' && target !== 'src/ui') found.push(`${path.relative(ROOT, file)} → ${spec}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('never throw or reject a plain object', () => {
    for (const file of files) {
      const code = fs.readFileSync(file, 'utf8');
      expect({ file: path.relative(ROOT, file), plain: code.match(/(throw|reject\()\s*\{/g) }).toEqual({ file: path.relative(ROOT, file), plain: null });
    }
  });
});
