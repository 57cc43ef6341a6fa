/**
 * What the suites on a scripted peer share, per test: a fresh Node `wx` as the platform, clients
 * on the peer (MQTT 5, reconnectPeriod 50 ms, messages in English), and afterwards every client
 * ended and every peer closed, whether the test passed or not.
 */
import type { MqttClient } from '../../src/client/client';
import { setPlatformWx } from '../../src/platform/index';
import type { ClientOptions } from '../../src/types';
import { clientFor } from './harness';
import { Script, ScriptedBroker, startScriptedBroker } from './scripted-broker';
import { NodeWx } from './wx';

export interface ScriptedTests {
  start(script: Script): Promise<ScriptedBroker>;
  client(port: number, overrides?: Partial<ClientOptions>): MqttClient;
}

export function scriptedTests(): ScriptedTests {
  let wx: NodeWx;
  let clients: MqttClient[] = [];
  let peers: ScriptedBroker[] = [];
  beforeEach(() => {
    wx = new NodeWx();
    setPlatformWx(wx);
  });
  afterEach(async () => {
    // The scripted peers never answer UNSUBSCRIBE: end() waits for the UNSUBACKs until the socket goes.
    const ending = clients.map((c) => c.end().catch(() => undefined));
    clients = [];
    wx.dispose();
    await Promise.all(ending);
    await Promise.all(peers.map((p) => p.close()));
    peers = [];
  });
  return {
    async start(script) {
      const peer = await startScriptedBroker(script);
      peers.push(peer);
      return peer;
    },
    client(port, overrides = {}) {
      const client = clientFor({ host: '127.0.0.1', wsPort: port, path: '/mqtt' }, { protocolVersion: 5, reconnectPeriod: 50, locale: 'en', ...overrides });
      clients.push(client);
      return client;
    },
  };
}
