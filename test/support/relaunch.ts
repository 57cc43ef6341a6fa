/**
 * A mini-program launch for relaunch tests: a fresh module registry (no client, pool or named
 * client survives), a fresh Node `wx`, and the device's storage carried over. `relaunch()` kills
 * this runtime first (sockets vanish, writes under way are lost, nothing it does later lands).
 */
import type * as Library from '../../src/index';
import type { MqttClient } from '../../src/client/client';
import type { ClientOptions } from '../../src/types';
import { until } from './harness';
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
