/**
 * QQ's `qq` API: WeChat-compatible, so NodeWx with QQ's name. From QQ's documentation:
 *   qq.connectSocket / SocketTask  https://q.qq.com/wiki/develop/miniprogram/API/network/network_websocket.html
 *     — same options, same SocketTask (send/close/onOpen/onMessage/onClose/onError), errMsg callbacks;
 *   qq.onAppShow / qq.onAppHide / qq.onNetworkStatusChange as WeChat's (same wiki, API section);
 *   at most 5 sockets (uni-app's platform table, https://uniapp.dcloud.net.cn/api/request/websocket).
 * Everything else (errMsg texts, the ~5 s background cut) is WeChat's, as NodeWx has it.
 */
import type { PlatformDouble } from './common';
import { NodeWx, NodeWxOptions } from '../wx';

export class NodeQq extends NodeWx implements PlatformDouble {
  constructor(options: NodeWxOptions = {}) {
    super(options);
  }

  get api(): this {
    return this;
  }

  openSockets(): number {
    return this.sockets.size;
  }
}
