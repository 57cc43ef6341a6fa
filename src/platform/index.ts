import { Registry, RegistryOptions } from './registry';
import { globalWx, PlatformWx } from './wx';

export { Connection, DEFAULT_LIMITS } from './connection';
export type { ConnectionEventMap, ConnectionLimits, InboundMessage } from './connection';
export { Lease, Registry } from './registry';
export type { LeaseEventMap, RegistryOptions } from './registry';
export { SocketCounter, WECHAT_SOCKET_LIMIT } from './socket';
export type { PlatformWx, WxSocketTask } from './wx';

let shared: Registry | undefined;

/** The registry every component uses: one per mini-program, on the global `wx` unless one was set. */
export function getRegistry(): Registry | undefined {
  if (!shared) {
    const wx = globalWx();
    if (wx) shared = new Registry(wx);
  }
  return shared;
}

/** Uses another `wx` (a test double, or a wrapped one) for connections made from now on. */
export function setPlatformWx(wx: PlatformWx, options?: RegistryOptions): Registry {
  shared = new Registry(wx, options);
  return shared;
}
