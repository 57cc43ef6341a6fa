/**
 * QQ's `qq` API: WeChat-compatible, so NodeWx with QQ's name. From QQ's documentation:
 *   qq.connectSocket / SocketTask  https://q.qq.com/wiki/develop/miniprogram/API/network/network_websocket.html
 *     — same options, same SocketTask (send/close/onOpen/onMessage/onClose/onError), errMsg callbacks;
 *   qq.onAppShow / qq.onAppHide / qq.onNetworkStatusChange as WeChat's (same wiki, API section);
 *   at most 5 sockets (uni-app's platform table, https://uniapp.dcloud.net.cn/api/request/websocket).
 * Storage: QQ's storage pages were not found; the API is WeChat-shaped (Taro marks qq.setStorage &
 * co. supported), so WeChat's documented behaviour is reused as NodeWx has it — 1 MB per key, 10 MB
 * in all, Sync calls throw, a missing key gives ''
 * (https://developers.weixin.qq.com/miniprogram/dev/api/storage/wx.setStorage.html).
 * Everything else (errMsg texts, the ~5 s background cut) is WeChat's, as NodeWx has it.
 */
import type { PlatformDouble } from './common';
import { silence } from './common';
import { NodeWx, NodeWxOptions } from '../wx';

export class NodeQq extends NodeWx implements PlatformDouble {
  private gone = false;

  /** No wx.createTCPSocket: QQ's documentation found here has no TCP socket. */
  constructor(options: NodeWxOptions = {}) {
    super({ tcp: false, ...options });
  }

  get api(): this {
    return this;
  }

  openSockets(): number {
    return this.sockets.size;
  }

  /** NodeWx's kill(), and sends or closes the dead runtime still tries call nothing back; its sockets are gone. */
  kill(): void {
    this.gone = true;
    [...this.sockets].forEach((s) => silence(s));
    super.kill();
    this.sockets.clear();
  }

  hideApp(): void {
    if (!this.gone) super.hideApp();
  }

  showApp(): void {
    if (!this.gone) super.showApp();
  }

  setNetwork(isConnected: boolean): void {
    if (!this.gone) super.setNetwork(isConnected);
  }
}
