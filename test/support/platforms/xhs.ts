/**
 * Xiaohongshu's `xhs` API, for Node. Its own pages (miniapp.xiaohongshu.com/doc) were not in the
 * sources searchable here; what this double follows, and from where:
 *   sockets   a copy of Xiaohongshu's demo mini-program (base library 3.136.0) drives the global
 *             xhs.onSocketOpen/onSocketMessage/onSocketError/onSocketClose, xhs.sendSocketMessage({data})
 *             and xhs.closeSocket({code, reason}), and never calls a method on what xhs.connectSocket
 *             returns; whether that is a SocketTask is not documented: `socketTask: true` gives one
 *             (WeChat's), the default does not. (In 2023 its feedback tracker said WebSocket was not
 *             supported at all: redengineer/redmini#1077.)
 *   life      xhs.onAppShow / onAppHide / offAppShow / offAppHide (Taro's xhs API list, src/xhsConfig/api.json).
 *   storage   WeChat's calls and getStorageInfoSync {keys, currentSize, limitSize} (the same list),
 *             which says getStorageSync returns {code, data, msg}: `wrappedStorage` (default true)
 *             answers so; false answers the bare value as WeChat does. Limits: WeChat's (not found).
 * Undocumented, chosen as WeChat's (NodeWx): frames (string or ArrayBuffer), errMsg texts,
 * onNetworkStatusChange, background behaviour; offSocket* present; a second global socket fails.
 */
import { NodeGlobalWx, GlobalWxOptions } from './global-wx';

export interface NodeXhsOptions extends Omit<GlobalWxOptions, 'offs'> {
  socketTask?: boolean;
  wrappedStorage?: boolean;
}

export class NodeXhs extends NodeGlobalWx {
  constructor({ socketTask = false, wrappedStorage = true, ...options }: NodeXhsOptions = {}) {
    super({ ...options, offs: true });
    if (socketTask) this.connectSocket = this.taskSocket;
    if (wrappedStorage) {
      const bare = this.getStorageSync;
      this.getStorageSync = (key: string): unknown => ({ code: 0, data: bare(key), msg: 'ok' });
    }
  }

  getSystemInfoSync = (): { host: string; platform: string; SDKVersion: string } => ({ host: 'xhs', platform: 'android', SDKVersion: '3.136.0' });
}
