/**
 * Douyin `tt` → the WeChat-shaped API. From Douyin's docs (developer.open-douyin.com mini-app
 * tt-connect-socket, SocketTask, tt-on-app-hide, tt-on-network-status-change):
 * - connectSocket always returns a SocketTask (at most 5); its methods may be called only after
 *   the success callback: send/close wait for it.
 * - A non-empty `protocols` must be echoed by the server or creation fails (MQTT brokers echo "mqtt").
 * - onClose's `code` may be a string; onNetworkStatusChange may lack isConnected.
 */
import { assign } from '../../core/errors';
import type { PlatformWx, WxStorage, WxConnectSocketOptions, WxSocketTask } from '../wx';
import { DeferredTask } from './deferred';
import { networkEvents, plainListeners, wechatNetwork } from './events';
import { wechatStorage } from './storage';

export interface DouyinApi extends Pick<PlatformWx, 'onAppShow' | 'offAppShow' | 'onAppHide' | 'offAppHide'>, WxStorage {
  connectSocket(options: WxConnectSocketOptions): WxSocketTask;
  onNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
  offNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
}

export function adaptDouyin(tt: DouyinApi): PlatformWx {
  return assign(
    {
    connectSocket(options: WxConnectSocketOptions): WxSocketTask {
      const task = new DeferredTask();
      const real = tt.connectSocket({
        url: options.url,
        protocols: options.protocols,
        success: (res) => {
          task.ready();
          options.success?.(res);
        },
        fail: (res) => {
          options.fail?.(res);
          task.fail(res?.errMsg ?? 'connectSocket:fail');
        },
      });
      task.attach(assign({}, real, {
        onOpen: (l) => real.onOpen(l),
        onMessage: (l) => real.onMessage(l),
        onError: (l) => real.onError?.(l),
        onClose: (l) => real.onClose((res) => l({ code: Number(res?.code ?? 1006) || 1006, reason: String(res?.reason ?? '') })),
        send: (o) => real.send(o),
        close: (o) => real.close(o),
      } satisfies Partial<WxSocketTask>));
      return task;
    },
    },
    plainListeners(tt),
    wechatStorage(tt),
    networkEvents(tt, wechatNetwork),
  );
}
