import { platformOf } from './detect';
import { Pool, PoolOptions } from './pool';
import type { PlatformWx } from './wx';

export { Connection } from './connection';
export { discoverServices } from './discovery';
export type { DiscoveredBroker } from './discovery';
export type { Delivery, InboundMessage, OnAuth, SessionLost } from './connection-types';
export { Pool } from './pool';
export { hasExpired, keptClientId } from './session/persistence';
export { storedPending } from './session/outbox';
export { listQueues, outgoingOf, readQueue, removeQueue, storageFailure } from './session/stored-queues';
export type { QueueSummary } from './session/stored-queues';
export type { StorageNotice } from './session/persistence';
export { platformStorage } from './storage';
export type { KeyValueStorage } from './storage';
export type { BeforeConnect } from './reconnect-policy';
export type { PoolOptions } from './pool';

/** Set by setPlatformWx: used instead of the detected platform. */
let override: Pool | undefined;
const pools = new WeakMap<object, Pool>();

/**
 * The pool of a platform: of `platform` (any mini-program API object) when given, else the one
 * setPlatformWx set, else the detected global one. One pool per API, so one socket count each.
 */
export function getPool(platform?: unknown): Pool | undefined {
  if (platform === undefined && override) return override;
  const found = platformOf(platform);
  if (!found) return undefined;
  let pool = pools.get(found.source);
  if (!pool) pools.set(found.source, (pool = new Pool(found.api, { platform: found.name })));
  return pool;
}

/** Uses another WeChat-shaped API (a test double, or a wrapped `wx`) for connections made from now on. */
export function setPlatformWx(wx: PlatformWx, options?: PoolOptions): Pool {
  override = new Pool(wx, options);
  return override;
}
