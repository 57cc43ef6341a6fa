/**
 * SUBSCRIBE out, SUBACK in: one SUBSCRIBE per set of SUBSCRIBE properties (they belong to the
 * packet, not the filter); each grant confirms or drops its filter in the table and settles who waits.
 */
import { CodedError, ErrorInfo } from '../../core/errors';
import type { VendorProperties } from '../../core/properties';
import { joinRepeated } from '../../core/user-properties';
import type { VendorClient, VendorSubscription } from '../../vendor/mqtt';
import type { SubscriptionTable } from '../subscriptions';

export interface SubscribeContext {
  client: VendorClient;
  table: SubscriptionTable;
  protocolVersion: 4 | 5;
  /** The SUBACK's properties, read while mqtt.js calls back for it. */
  takeAckProperties(): Record<string, unknown> | undefined;
  /** A refusal nobody waits for. */
  report(error: ErrorInfo): void;
  /** mqtt.js threw while writing: the socket is done. */
  writeFailed(error: unknown): void;
}

export function sendSubscribe(ctx: SubscribeContext, filters: string[]): void {
  const packets = new Map<string, { request: Record<string, VendorSubscription>; properties?: VendorProperties; filters: string[] }>();
  filters.forEach((f) => {
    const entry = ctx.table.get(f);
    if (!entry) return;
    const { nl, rap, rh, userProperties, subscriptionIdentifier } = entry.options;
    // only keys with a value: mqtt.js's property writer fails on an undefined one
    const given: VendorProperties = {};
    if (userProperties) given.userProperties = userProperties;
    if (subscriptionIdentifier) given.subscriptionIdentifier = subscriptionIdentifier;
    const properties = Object.keys(given).length > 0 ? joinRepeated(given) : undefined;
    const key = JSON.stringify(properties ?? null);
    let packet = packets.get(key);
    if (!packet) packets.set(key, (packet = { request: {}, properties, filters: [] }));
    packet.request[f] = ctx.protocolVersion === 5 ? { qos: entry.qos, nl: nl ?? false, rap: rap ?? false, rh: rh ?? 0 } : { qos: entry.qos };
    packet.filters.push(f);
  });
  packets.forEach(({ request, properties, filters: sent }) => {
    try {
      ctx.client.subscribe(request, properties ? { properties } : {}, (error, granted) => onSuback(ctx, sent, error, granted));
    } catch (error) {
      ctx.writeFailed(error);
      sent.forEach((f) => ctx.table.get(f)?.waiters.splice(0).forEach((w) => w.reject(new CodedError({ code: 'INTERNAL', topic: f, reason: String(error) }))));
    }
  });
}

function onSuback(ctx: SubscribeContext, filters: string[], error: Error | null, granted: { topic?: string; qos: number }[] | undefined): void {
  const reasonString = ctx.takeAckProperties()?.reasonString;
  if (error || !Array.isArray(granted)) return; // connection lost: resubscribed after reconnect
  granted.forEach((grant, i) => {
    const filter = grant?.topic ?? filters[i];
    const subscription = ctx.table.get(filter);
    if (!subscription) return;
    const waiters = subscription.waiters;
    subscription.waiters = [];
    if (grant.qos === 0x80 || grant.qos > 2) {
      ctx.table.delete(filter);
      const rejected: ErrorInfo = { code: 'SUBSCRIBE_REJECTED', topic: filter, returnCode: grant.qos };
      if (typeof reasonString === 'string') rejected.reasonString = rejected.reason = reasonString;
      waiters.forEach((w) => w.reject(new CodedError(rejected)));
      if (waiters.length === 0) ctx.report(rejected);
    } else {
      subscription.confirmed = true;
      subscription.granted = grant.qos;
      waiters.forEach((w) => w.resolve(grant.qos));
    }
  });
}
