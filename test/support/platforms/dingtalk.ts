/**
 * DingTalk's `dd` API, for Node: Alipay's double (NodeMy) with DingTalk's documented differences
 * (open.dingtalk.com, snapshot 2026-08):
 *   dd.connectSocket    https://open.dingtalk.com/document/development/jsapi-connect-socket — params url,
 *                       data, header only (no `multiple`, no `protocols`: no Sec-WebSocket-Protocol is
 *                       sent); returns nothing; "一个钉钉小程序同时只能保留一个 WebSocket 连接"; the
 *                       global dd.onSocketOpen/Message/Error/Close, dd.sendSocketMessage, dd.closeSocket.
 *   dd.onSocketMessage  https://open.dingtalk.com/document/development/jsapi-on-socket-message — {data, isBuffer},
 *                       binary as base64 with isBuffer true; dd.sendSocketMessage likewise
 *                       (https://open.dingtalk.com/document/development/dd-sendsocketmessage).
 *   errors              {error, errorMessage} (https://open.dingtalk.com/document/development/small-program).
 *   dd.onAppShow/onAppHide (mobile; not on PC); no dd.onNetworkStatusChange is documented (only
 *                       dd.getNetworkType), so this double has none.
 *   storage             Alipay's {key, data} calls, Sync ones included (dd-setstoragesync, dd-getstoragesync
 *                       returns {data}); 200×1024 characters per item, 10 MB in all (dd-setstorage);
 *                       dd.getStorageInfoSync {keys, currentSize, limitSize}.
 * Undocumented, chosen as Alipay's (NodeMy): onSocketClose/onSocketError payloads, background behaviour.
 */
import { NodeMy, NodeMyOptions } from './alipay';

export class NodeDd extends NodeMy {
  constructor(options: Omit<NodeMyOptions, 'supportsMultiple' | 'dropsProtocols'> = {}) {
    super({ ...options, supportsMultiple: false, dropsProtocols: true });
    const self = this as unknown as Record<string, unknown>;
    delete self.onNetworkStatusChange;
    delete self.offNetworkStatusChange;
  }
}
