/**
 * A mini-program launch on any platform double, for relaunch tests (as test/support/relaunch.ts
 * does for NodeWx): a fresh module registry (no client, pool or named client survives), a fresh
 * double made on the device's storage, and the storage carried over. `relaunch()` kills this
 * runtime's double first (sockets vanish, writes under way are lost, nothing it does later lands or
 * calls back) and makes the next one with `make` on `storage.revive()`.
 */
import type * as Library from '../../../src/index';
import type { MqttClient } from '../../../src/client/client';
import type { ClientOptions } from '../../../src/types';
import type { StorageArea } from '../storage';
import type { Double } from './run';

export interface PlatformRuntime<D extends Double = Double> {
  readonly double: D;
  readonly lib: typeof Library;
  readonly storage: StorageArea;
  /** createClient on this runtime's double (locale 'en', as the platform kit's clients). */
  client(options: ClientOptions): MqttClient;
  /** Kills this runtime and launches the next one, made by the same `make`, on the same storage. */
  relaunch(): PlatformRuntime<D>;
}

/**
 * Launches on `make(storage)`: the double (and whatever globals `make` installs) exists before the
 * library's modules load, as on a device. Without `storage`, the double's own new one (with its
 * platform's limits) is the device's.
 */
export function launchOn<D extends Double>(make: (storage?: StorageArea) => D, given?: StorageArea): PlatformRuntime<D> {
  const double = make(given);
  if (given && double.storage !== given) throw new Error('the double must use the storage it was made on');
  const storage = double.storage;
  let lib: typeof Library | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh registry needs require inside isolateModules
    lib = require('../../../src/index') as typeof Library;
  });
  return {
    double,
    lib: lib!,
    storage,
    client: (options) => lib!.createClient({ locale: 'en', ...options, platform: double.api }),
    relaunch: () => {
      double.kill();
      return launchOn(make, storage.revive());
    },
  };
}
