/**
 * Baidu `swan` → the WeChat-shaped API. From Baidu's docs (smartprogram.baidu.com/docs/develop/api/
 * net/websocket, swan-onAppHide, swan-onNetworkStatusChange):
 * - From base library 1.9.4 connectSocket returns a SocketTask (at most 5); before, one socket
 *   through the global swan.onSocket* / sendSocketMessage / closeSocket.
 * - swan.onAppShow / onAppHide exist only from base library 3.60.2; before, the library cannot
 *   see the app go to the background (App.onHide is the app's own).
 */
import type { PlatformWx, WxConnectSocketOptions, WxSocketTask } from '../wx';
import { networkEvents, plainListeners, wechatNetwork } from './events';
import { GlobalSocketApi, globalSocketTask } from './global-socket';

export interface BaiduApi extends Partial<GlobalSocketApi>, Pick<PlatformWx, 'onAppShow' | 'offAppShow' | 'onAppHide' | 'offAppHide'> {
  connectSocket(options: WxConnectSocketOptions): WxSocketTask | undefined | void;
  onNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
  offNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
}

const errMsgOf = (api: string, res: unknown): string => {
  const r = (res ?? {}) as { errMsg?: string; errCode?: number };
  return typeof r.errMsg === 'string' ? r.errMsg : `${api}:fail ${r.errCode ?? 'unknown error'}`;
};

export function adaptBaidu(swan: BaiduApi): PlatformWx {
  return {
    connectSocket(options: WxConnectSocketOptions): WxSocketTask {
      const task = swan.connectSocket({ url: options.url, protocols: options.protocols, success: options.success, fail: (res) => options.fail?.({ errMsg: errMsgOf('connectSocket', res) }) });
      if (task && typeof task.onMessage === 'function') return task;
      return globalSocketTask(swan as GlobalSocketApi, {
        data: (res) => (res as { data?: string | ArrayBuffer })?.data ?? '',
        send: (data) => ({ data }),
        errMsg: errMsgOf,
      });
    },
    ...plainListeners(swan),
    ...networkEvents(swan, wechatNetwork),
  };
}
