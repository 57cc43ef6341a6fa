/**
 * Baidu `swan` → the WeChat-shaped API. From Baidu's docs (smartprogram.baidu.com/docs/develop/api/
 * net/websocket, swan-onAppHide, swan-onNetworkStatusChange):
 * - From base library 1.9.4 connectSocket returns a SocketTask (at most 5); before, one socket
 *   through the global swan.onSocket* / sendSocketMessage / closeSocket, whose sendSocketMessage
 *   takes only a String: MQTT's binary frames cannot go out, so such a client is refused at once.
 * - swan.onAppShow / onAppHide exist only from base library 3.60.2; before, the library cannot
 *   see the app go to the background (App.onHide is the app's own).
 */
import { assign } from '../../core/errors';
import type { PlatformWx, WxStorage, WxConnectSocketOptions, WxSocketTask } from '../wx';
import type { GlobalSocketApi } from './global-socket';
import { networkEvents, plainListeners, wechatNetwork } from './events';
import { refused } from './global-socket';
import { wechatStorage } from './storage';

const BAIDU_GLOBAL_ERRMSG = 'connectSocket:fail binary WebSocket frames need Baidu base library 1.9.4 or later (swan.sendSocketMessage takes only a String)';

export interface BaiduApi extends Partial<Pick<GlobalSocketApi, 'closeSocket'>>, Pick<PlatformWx, 'onAppShow' | 'offAppShow' | 'onAppHide' | 'offAppHide'>, WxStorage {
  connectSocket(options: WxConnectSocketOptions): WxSocketTask | undefined | void;
  onNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
  offNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
}

const errMsgOf = (api: string, res: unknown): string => {
  const r = (res ?? {}) as { errMsg?: string; errCode?: number };
  return typeof r.errMsg === 'string' ? r.errMsg : `${api}:fail ${r.errCode ?? 'unknown error'}`;
};

export function adaptBaidu(swan: BaiduApi): PlatformWx {
  /** Learnt on the first connect: a base library without SocketTask. */
  let globalOnly = false;
  return assign(
    {
    connectSocket(options: WxConnectSocketOptions): WxSocketTask {
      if (globalOnly) return refused(BAIDU_GLOBAL_ERRMSG);
      const task = swan.connectSocket({ url: options.url, protocols: options.protocols, success: options.success, fail: (res) => options.fail?.({ errMsg: errMsgOf('connectSocket', res) }) });
      if (task && typeof task.onMessage === 'function') return task;
      globalOnly = true;
      swan.closeSocket?.({});
      return refused(BAIDU_GLOBAL_ERRMSG);
    },
    },
    plainListeners(swan),
    wechatStorage(swan),
    networkEvents(swan, wechatNetwork),
  );
}
