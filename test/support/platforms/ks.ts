/**
 * Kuaishou's `ks` API, for Node: WeChat-shaped, so NodeWx under Kuaishou's name. Kuaishou's own
 * socket page (mp.kuaishou.com/docs/develop/api-next/…) was not in the sources searchable here;
 * what this double follows, and from where:
 *   sockets   ks.connectSocket({url, header, protocols, success, fail, complete}) returns a SocketTask:
 *             ifanrx/hydrogen-js-sdk's Kuaishou WebSocket (sdk-file/src/kuaishou/websocket.js) calls
 *             onOpen, onMessage (res.data), onClose ({code, reason}), send({data}), close({code, reason});
 *             Kuaishou's mini-game typings (ks.d.ts) give data as string | ArrayBuffer and "最多可以同时存在
 *             5 个 WebSocket 连接" (taken for mini-programs too).
 *   life      ks.onAppShow / ks.onAppHide (uni-app's mp-kuaishou runtime listens to them).
 *   storage   WeChat's calls and getStorageInfoSync {keys, currentSize, limitSize}; 1 MB per key,
 *             10 MB in all (the mini-game typings).
 *   system    getSystemInfoSync().host is an object (mini-game code reads host.appId).
 * Undocumented, chosen as WeChat's (NodeWx): errMsg texts, what a sixth socket's failure says,
 * onNetworkStatusChange, background behaviour. No createTCPSocket (only a mini-game adapter has one).
 */
import { NodeQq } from './qq';

export class NodeKs extends NodeQq {
  getSystemInfoSync = (): { host: { appId: string; env: string }; platform: string } => ({ host: { appId: 'ks-node', env: 'kuaishou' }, platform: 'android' });
}
