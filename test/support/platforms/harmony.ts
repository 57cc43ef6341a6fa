/**
 * HarmonyOS atomic services' `has` API (the ASCF framework): WeChat-shaped, so NodeWx under the
 * name `has`, as QQ's double is. From Huawei's ASCF reference (developer.huawei.com/consumer/cn/doc/atomic-ascf/):
 *   apis-websocket     has.connectSocket({url, header, protocols, success, fail, complete}) returns a
 *                      SocketTask (send/close/onOpen/onMessage/onClose/onError); onMessage res.data is a
 *                      string or an ArrayBuffer (from framework 1.0.3), onError {errMsg}, onClose
 *                      {code, reason}; "一个元服务内，最多同时存在5个全局实例"; the url "必须是wss协议，并在
 *                      AGC完成服务器域名配置" (not modelled: the tests use loopback ws://, as with the
 *                      development exemption "开发中元服务豁免管控", develop-network-access).
 *   apis-app-event     has.onAppShow / has.onAppHide (off* from 1.0.4).
 *   apis-network-type  has.onNetworkStatusChange {isConnected, networkType} (from 1.0.4; needs the
 *                      ohos.permission.GET_NETWORK_INFO permission, assumed declared).
 *   apis-data-storage  WeChat's storage calls (setStorageSync(key, data) …, getStorageInfoSync
 *                      {keys, currentSize, limitSize}); 1 MB per key, 10 MB in all.
 * Undocumented, chosen as WeChat's (NodeWx): errMsg texts, what a sixth socket's failure says, and
 * background behaviour (ASCF says nothing of sockets after onAppHide).
 */
import { NodeQq } from './qq';

export class NodeHas extends NodeQq {}
