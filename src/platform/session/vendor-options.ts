/**
 * The options mqtt.js gets for one CONNECT, built anew each time from the frozen config and what
 * the reconnect policy planned (credentials), with the session's stores. mqtt.js copies CONNACK's
 * limits into its options; nothing of that survives to the next CONNECT.
 */
import { assign } from '../../core/errors';
import type { ConnectionConfig } from '../../core/options';
import { joinRepeated } from '../../core/user-properties';
import type { VendorClientOptions, VendorStore } from '../../vendor/mqtt';
import type { ConnectPlan } from '../reconnect-policy';

export function vendorOptions(c: Readonly<ConnectionConfig>, plan: ConnectPlan | undefined, stores: { incomingStore: VendorStore; outgoingStore: VendorStore }): VendorClientOptions {
  const username = plan?.username ?? c.username;
  const password = plan?.password ?? c.password;
  let properties: VendorClientOptions['properties'];
  if (c.protocolVersion === 5) {
    properties = joinRepeated(assign<NonNullable<VendorClientOptions['properties']>, object>({}, c.connectProperties));
    if (c.sessionExpiryInterval !== undefined) properties.sessionExpiryInterval = c.sessionExpiryInterval;
  }
  return assign(
    {
      clientId: c.clientId,
      username: username || undefined,
      password: password || undefined,
      protocolVersion: c.protocolVersion,
      clean: c.clean,
      keepalive: c.keepalive,
      // mqtt.js must not reconnect or time out on its own: the connection does both.
      reconnectPeriod: 0,
      connectTimeout: c.connectTimeout + 60000,
      resubscribe: false,
      queueQoSZero: false,
    },
    stores,
    { will: c.will && assign({}, c.will, { properties: joinRepeated(c.will.properties) }), properties },
  );
}
