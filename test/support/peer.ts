import * as mqtt from 'mqtt';

/** A separate MQTT client over TCP (Node's mqtt, not the code under test) acting as the other party. */
export interface Peer {
  client: mqtt.MqttClient;
  received: { topic: string; payload: Buffer; qos: number; retain: boolean }[];
  publish(topic: string, payload: string | Buffer, options?: mqtt.IClientPublishOptions): Promise<void>;
  subscribe(topic: string, qos?: 0 | 1 | 2): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  end(): Promise<void>;
}

export async function connectPeer(tcpPort: number, options: mqtt.IClientOptions = {}): Promise<Peer> {
  const client = mqtt.connect({ host: '127.0.0.1', port: tcpPort, protocol: 'mqtt', reconnectPeriod: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const received: Peer['received'] = [];
  let notify: (() => void) | undefined;
  client.on('message', (topic, payload, packet: mqtt.IPublishPacket) => {
    received.push({ topic, payload, qos: packet.qos, retain: packet.retain });
    notify?.();
  });
  return {
    client,
    received,
    publish: (topic, payload, opts = {}) =>
      new Promise((resolve, reject) => client.publish(topic, payload, opts, (err) => (err ? reject(err) : resolve()))),
    subscribe: (topic, qos = 0) =>
      new Promise((resolve, reject) => client.subscribe(topic, { qos }, (err) => (err ? reject(err) : resolve()))),
    waitFor: (count, timeoutMs = 10000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`peer got ${received.length}/${count} messages`)), timeoutMs);
        notify = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            notify = undefined;
            resolve();
          }
        };
        notify();
      }),
    end: () => new Promise((resolve) => client.end(true, {}, () => resolve())),
  };
}

/**
 * Connected clients as mosquitto reports them in $SYS, not counting the asking peer. mosquitto
 * republishes the retained count only when it changes, at most every sys_interval (1 s here, in
 * whole-second ticks): the retained value may predate this peer, and this peer's arrival changes
 * it, so the count is the last value seen within 2.5 s.
 */
export async function sysConnectedClients(tcpPort: number): Promise<number> {
  const peer = await connectPeer(tcpPort, { clientId: `sys_${Math.random().toString(16).slice(2, 10)}` });
  try {
    await peer.subscribe('$SYS/broker/clients/connected');
    await peer.waitFor(1, 5000);
    await peer.waitFor(2, 2500).catch(() => undefined);
    return Number(peer.received[peer.received.length - 1].payload.toString()) - 1;
  } finally {
    await peer.end();
  }
}
