/**
 * A mini-program launch for relaunch tests: a fresh module registry (no client, pool or named
 * client survives), a fresh Node `wx`, and the device's storage carried over. `relaunch()` kills
 * this runtime first (sockets vanish, writes under way are lost, nothing it does later lands).
 */
import type * as Library from '../../src/index';
import type { MqttClient } from '../../src/client/client';
import type { ClientOptions } from '../../src/types';
import { MosquittoBroker, startMosquitto } from './brokers';
import { until } from './harness';
import { connectPeer, Peer } from './peer';
import { StorageArea } from './storage';
import { NodeWx, NodeWxOptions } from './wx';

export interface Runtime {
  readonly wx: NodeWx;
  readonly lib: typeof Library;
  readonly storage: StorageArea;
  /** createClient on this runtime's platform. */
  client(options: ClientOptions): MqttClient;
  /** Kills this runtime and launches the next one on the same storage. */
  relaunch(): Runtime;
}

export function launch(storage: StorageArea = new StorageArea(), options: Omit<NodeWxOptions, 'storage'> = {}): Runtime {
  let lib: typeof Library | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh registry needs require inside isolateModules
    lib = require('../../src/index') as typeof Library;
  });
  const wx = new NodeWx({ ...options, storage });
  const runtime: Runtime = {
    wx,
    lib: lib!,
    storage,
    client: (o) => lib!.createClient({ ...o, platform: wx }),
    relaunch: () => {
      wx.kill();
      return launch(storage.revive(), options);
    },
  };
  return runtime;
}

/** The runtimes a test launched (relaunches included), killed after it, pass or fail, so none keeps a socket or reconnects. */
export class Launches {
  private readonly runtimes: Runtime[] = [];

  start(): Runtime {
    return this.track(launch());
  }

  relaunch(runtime: Runtime): Runtime {
    return this.track(runtime.relaunch());
  }

  killAll(): void {
    this.runtimes.splice(0).forEach((r) => r.wx.kill());
  }

  private track(runtime: Runtime): Runtime {
    this.runtimes.push(runtime);
    return runtime;
  }
}

/** The network goes away on this runtime; resolves once the client says it is offline. */
export async function goOffline(runtime: Runtime, client: MqttClient): Promise<void> {
  runtime.wx.setNetwork(false);
  await until(() => client.status === 'offline', 'offline');
}

/** What a persistence test file runs on (see persistedBroker). */
export interface PersistedBroker {
  readonly broker: MosquittoBroker;
  /** A TCP client on the broker, subscribed to `subscribe` at QoS 2 when given; what it received is cleared after each test. */
  readonly peer: Peer;
  /** The runtimes a test launched, killed after it. */
  readonly launches: Launches;
  /** A persist client's options on the broker, with a clientId of its own. */
  options(extra?: Partial<ClientOptions>): ClientOptions & { clientId: string };
}

/**
 * For a test file: a mosquitto that keeps sessions on disk, started before its tests and stopped
 * after, with a peer on it; registers its own hooks.
 */
export function persistedBroker(setup: { peerId: string; subscribe?: string; idPrefix: string; config?: string[] }): PersistedBroker {
  let broker: MosquittoBroker | undefined;
  let peer: Peer | undefined;
  let ids = 0;
  const launches = new Launches();
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('persistedBroker: used outside its tests');
    return value;
  };
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true, config: setup.config });
    peer = await connectPeer(broker.tcpPort, { clientId: setup.peerId, clean: true });
    if (setup.subscribe) await peer.subscribe(setup.subscribe, 2);
  });
  afterAll(async () => {
    await peer?.end();
    await broker?.stop();
  });
  afterEach(() => {
    launches.killAll();
    if (peer) peer.received.length = 0;
  });
  return {
    get broker() {
      return ready(broker);
    },
    get peer() {
      return ready(peer);
    },
    launches,
    options(extra = {}) {
      const { host, wsPort, path } = ready(broker);
      return { host, port: wsPort, path, secure: false, reconnectPeriod: 200, clientId: `${setup.idPrefix}-${process.pid}-${++ids}`, persist: true, ...extra };
    },
  };
}
