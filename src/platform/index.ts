import { Pool, PoolOptions } from './pool';
import { globalWx, PlatformWx } from './wx';

export { Connection } from './connection';
export type { ConnectionEventMap, Delivery, InboundMessage, SessionLost } from './connection';
export { Pool } from './pool';
export type { PoolOptions } from './pool';
export type { Holder } from './subscriptions';
export type { PlatformWx } from './wx';

let shared: Pool | undefined;

/** The pool every client uses: one per mini-program, on the global `wx` unless one was set. */
export function getPool(): Pool | undefined {
  if (!shared) {
    const wx = globalWx();
    if (wx) shared = new Pool(wx);
  }
  return shared;
}

/** Uses another `wx` (a test double, or a wrapped one) for connections made from now on. */
export function setPlatformWx(wx: PlatformWx, options?: PoolOptions): Pool {
  shared = new Pool(wx, options);
  return shared;
}
