/** discoverBrokers(): MQTT brokers announced over mDNS on the phone's LAN, for `transport: 'tcp'`. */
import { CodedError, normalizeLocale } from '../core/errors';
import { isObject } from '../core/options';
import type { DiscoveredBroker } from '../platform/discovery';
import { discoverServices, getPool } from '../platform/index';
import { rejectingMqttErrors } from './error';

export interface DiscoverOptions {
  /** mDNS service type (default '_mqtt._tcp.'). */
  serviceType?: string;
  /** How long to listen, ms (default 3000, at most 30000: the platform stops a search after 30 s). */
  timeout?: number;
  /** The mini-program API to use; detected when absent. */
  platform?: object;
  locale?: 'zh-CN' | 'en';
}

/** Resolves with the brokers found (`{ name, host, port }`, each once) when `timeout` passes; rejects with a coded MqttError. */
export function discoverBrokers(options: DiscoverOptions = {}): Promise<DiscoveredBroker[]> {
  const input: Record<string, unknown> = isObject(options) ? options : {};
  return rejectingMqttErrors(async () => {
    if (!isObject(options) && options !== undefined) throw new CodedError({ code: 'INVALID_OPTION', field: 'options', reason: `${typeof options}; expected { serviceType, timeout }` });
    const { serviceType = '_mqtt._tcp.', timeout = 3000 } = input;
    if (typeof serviceType !== 'string' || !/^_[\w-]+\._(tcp|udp)\.?$/.test(serviceType)) throw new CodedError({ code: 'INVALID_OPTION', field: 'serviceType', reason: `${String(serviceType)}; expected a service type such as '_mqtt._tcp.'` });
    if (typeof timeout !== 'number' || !(timeout >= 100 && timeout <= 30000)) throw new CodedError({ code: 'INVALID_OPTION', field: 'timeout', reason: `${String(timeout)}; expected ms from 100 to 30000` });
    const pool = getPool(input.platform);
    if (!pool) throw new CodedError({ code: 'UNSUPPORTED_PLATFORM', field: 'discoverBrokers', reason: 'not in a mini-program, and no platform option' });
    return discoverServices(pool.wx as object, serviceType, timeout);
  }, () => normalizeLocale(input.locale));
}
