/**
 * A WeChat-shaped API whose connectSocket returns nothing: one socket at a time, driven through the
 * global onSocketOpen/Message/Error/Close, sendSocketMessage and closeSocket (WeChat's own old
 * socket API, as JD's and Xiaohongshu's pages show it: see jd.ts, xhs.ts). Frames as WeChat's
 * ({data: string | ArrayBuffer}), errMsg callbacks. `offSocket*` only with `offs: true`.
 * Undocumented, chosen: a second connectSocket while one is open fails with WeChat's
 * "exceed max concurrent count 1" (JD: "最多 1 个").
 */
import type { ConnectSocketOptions, NodeSocketTask, NodeWxOptions, WxCallbacks } from '../wx';
import { Listeners } from './common';
import { NodeQq } from './qq';

export interface GlobalWxOptions extends NodeWxOptions {
  /** Whether offSocketOpen/Message/Error/Close exist. */
  offs?: boolean;
}

export class NodeGlobalWx extends NodeQq {
  private global?: NodeSocketTask;
  private readonly socketOpen = new Listeners<{ header: Record<string, string> }>();
  private readonly socketMessage = new Listeners<{ data: string | ArrayBuffer }>();
  private readonly socketClose = new Listeners<{ code: number; reason: string }>();
  private readonly socketError = new Listeners<{ errMsg: string }>();
  declare offSocketOpen?: Listeners<unknown>['remove'];
  declare offSocketMessage?: Listeners<unknown>['remove'];
  declare offSocketClose?: Listeners<unknown>['remove'];
  declare offSocketError?: Listeners<unknown>['remove'];

  /** NodeWx's connectSocket, which returns a SocketTask. */
  protected readonly taskSocket: NodeQq['connectSocket'];

  constructor({ offs = false, ...options }: GlobalWxOptions = {}) {
    super(options);
    const task = this.connectSocket;
    this.taskSocket = task;
    this.connectSocket = ((o: ConnectSocketOptions): undefined => {
      if (this.global) {
        setTimeout(() => {
          const errMsg = 'connectSocket:fail exceed max concurrent count 1';
          o.fail?.({ errMsg });
          o.complete?.({ errMsg });
        }, 0);
        return undefined;
      }
      const socket = task(o);
      this.global = socket;
      socket.onOpen((res) => this.socketOpen.emit(res));
      socket.onMessage((res) => this.socketMessage.emit(res));
      socket.onError((res) => this.socketError.emit(res));
      socket.onClose((res) => {
        if (this.global === socket) this.global = undefined;
        this.socketClose.emit(res);
      });
      return undefined;
    }) as unknown as NodeQq['connectSocket'];
    if (offs) {
      this.offSocketOpen = this.socketOpen.remove;
      this.offSocketMessage = this.socketMessage.remove;
      this.offSocketClose = this.socketClose.remove;
      this.offSocketError = this.socketError.remove;
    }
  }

  /** For assertions: listeners on each global event. */
  globalListeners(): number[] {
    return [this.socketOpen.size, this.socketMessage.size, this.socketClose.size, this.socketError.size];
  }

  onSocketOpen = this.socketOpen.add;
  onSocketMessage = this.socketMessage.add;
  onSocketClose = this.socketClose.add;
  onSocketError = this.socketError.add;

  sendSocketMessage = (options: { data: string | ArrayBuffer } & WxCallbacks): void => {
    if (this.global) this.global.send(options);
    else setTimeout(() => options.fail?.({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' }), 0);
  };

  closeSocket = (options: { code?: number; reason?: string } & WxCallbacks = {}): void => {
    if (this.global) this.global.close(options);
    else setTimeout(() => options.fail?.({ errMsg: 'closeSocket:fail WebSocket is not connected' }), 0);
  };
}
