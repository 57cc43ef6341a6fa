/**
 * mDNS discovery of brokers on the phone's LAN (wx.startLocalServiceDiscovery, base library 2.4.0:
 * developers.weixin.qq.com/miniprogram/dev/api/network/mdns/wx.startLocalServiceDiscovery.html).
 * Results come through wx.onLocalServiceFound ({ serviceType, serviceName, ip, port }); the platform
 * stops a search by itself after 30 s, and refuses a second one while one runs ('scan task already
 * exist'). iOS WeChat ≥ 7.0.18 has no mDNS at all (the page's note): the search finds nothing there.
 * Every ending (timeout, failure) stops the search and removes the listener.
 */
import { CodedError, errorText } from '../core/errors';

export interface DiscoveredBroker {
  name: string;
  host: string;
  port: number;
}

interface FoundService {
  serviceType?: string;
  serviceName?: string;
  ip?: string;
  port?: number;
}

export interface DiscoveryWx {
  startLocalServiceDiscovery?(options: { serviceType: string; success?: () => void; fail?: (res: { errMsg?: string }) => void }): void;
  stopLocalServiceDiscovery?(options?: { success?: () => void; fail?: () => void }): void;
  onLocalServiceFound?(listener: (res: FoundService) => void): void;
  offLocalServiceFound?(listener: (res: FoundService) => void): void;
}

/** The services of `serviceType` found within `timeoutMs`, each once. */
export function discoverServices(wx: DiscoveryWx, serviceType: string, timeoutMs: number): Promise<DiscoveredBroker[]> {
  const { startLocalServiceDiscovery: start, onLocalServiceFound: listen } = wx;
  if (typeof start !== 'function' || typeof listen !== 'function') {
    return Promise.reject(new CodedError({ code: 'UNSUPPORTED_PLATFORM', field: 'discoverBrokers', reason: 'no wx.startLocalServiceDiscovery (WeChat base library ≥ 2.4.0)' }));
  }
  return new Promise<DiscoveredBroker[]>((resolve, reject) => {
    const found = new Map<string, DiscoveredBroker>();
    const onFound = (res: FoundService): void => {
      if (typeof res?.ip !== 'string' || typeof res.port !== 'number') return;
      const broker = { name: typeof res.serviceName === 'string' ? res.serviceName : '', host: res.ip, port: res.port };
      found.set(`${broker.name}|${broker.host}|${broker.port}`, broker);
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (error?: CodedError): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      wx.offLocalServiceFound?.(onFound);
      try {
        wx.stopLocalServiceDiscovery?.({ success: () => undefined, fail: () => undefined });
      } catch {
        // nothing left to stop
      }
      if (error) reject(error);
      else resolve([...found.values()]);
    };
    try {
      listen.call(wx, onFound);
      timer = setTimeout(() => finish(), timeoutMs);
      start.call(wx, {
        serviceType,
        fail: (res) => finish(new CodedError({ code: 'SOCKET_ERROR', field: 'discoverBrokers', errMsg: typeof res?.errMsg === 'string' ? res.errMsg : 'startLocalServiceDiscovery:fail' })),
      });
    } catch (error) {
      finish(new CodedError({ code: 'SOCKET_ERROR', field: 'discoverBrokers', errMsg: errorText(error) }));
    }
  });
}
