/**
 * The WebSocket transport: a platform's `connectSocket` (wx and every WeChat-shaped adapter).
 * `protocols` goes out as an array (mqtt.js 4.0.1 passes a string, which fails on Android), every
 * errMsg is kept and mapped to a code, the 5-socket limit is enforced before the platform is asked,
 * and the close is reported once whichever of onClose, onError, fail or close() comes first.
 */
import { ErrorInfo, errorText, WECHAT_SOCKET_LIMIT } from '../../core/errors';
import { errorFromErrMsg } from '../errmsg';
import { frameBytes, shapeOf } from '../frames';
import type { PlatformWx, WxSocketTask } from '../wx';
import { later, type Transport, type TransportEvents, type TransportFactory } from './transport';

/** Open sockets of this mini-program, across every connection; `platform` (wx, tt, my …) names whose limit it is. */
export class SocketCounter {
  open = 0;
  constructor(
    readonly limit = WECHAT_SOCKET_LIMIT,
    readonly platform?: string,
  ) {}
}

class WebSocketTransport implements Transport {
  ended = false;
  private opened = false;
  private task?: WxSocketTask;

  constructor(
    private readonly events: TransportEvents,
    private readonly counter: SocketCounter,
  ) {}

  connect(wx: PlatformWx, url: string): void {
    if (this.refusedOverLimit()) return;
    try {
      const task = wx.connectSocket({ url, protocols: ['mqtt'], fail: (res) => this.fail(res?.errMsg ?? 'connectSocket:fail', true) });
      this.attach(task);
    } catch (e) {
      const errMsg = errorText(e);
      later(() => this.fail(errMsg, true));
    }
  }

  /**
   * A SocketTask the platform hands over later (wx.cloud.connectContainer): `open` calls back with
   * it, or with the platform's errMsg. One that arrives after this transport ended is closed.
   */
  adopt(open: (task: (task: WxSocketTask) => void, failed: (errMsg: string) => void) => void): void {
    if (this.refusedOverLimit()) return;
    let settled = false;
    const once =
      <A>(fn: (arg: A) => void) =>
      (arg: A): void => {
        if (settled) return;
        settled = true;
        fn(arg);
      };
    try {
      open(
        once((task) => {
          if (this.ended) task.close({});
          else this.attach(task);
        }),
        once((errMsg) => this.fail(errMsg, true)),
      );
    } catch (e) {
      const errMsg = errorText(e);
      later(() => once((message: string) => this.fail(message, true))(errMsg));
    }
  }

  /** The 5-socket limit, enforced before the platform is asked. */
  private refusedOverLimit(): boolean {
    if (this.counter.open < this.counter.limit) return false;
    later(() => {
      this.events.error({ code: 'SOCKET_LIMIT', limit: this.counter.limit, platform: this.counter.platform });
      this.end(1006, 'socket limit');
    });
    return true;
  }

  private attach(task: WxSocketTask): void {
    this.task = task;
    this.counter.open++;
    task.onOpen(() => {
      if (this.ended) return;
      this.opened = true;
      this.events.open();
    });
    task.onMessage((res) => {
      if (this.ended) return;
      const bytes = res?.unreadable === undefined ? frameBytes(res?.data) : undefined;
      if (bytes) this.events.data(bytes);
      else this.unreadable(res?.unreadable ?? `onMessage gave ${res && typeof res === 'object' ? `data of ${shapeOf(res.data)}` : shapeOf(res)}`);
    });
    task.onError?.((res) => this.fail(typeof res?.errMsg === 'string' ? res.errMsg : 'socket error', false));
    task.onClose((res) => this.end(res?.code ?? 1006, res?.reason ?? ''));
  }

  /** A frame this library cannot read: said at once, and the socket closed, rather than a silent drop ending in a timeout. */
  private unreadable(reason: string): void {
    this.events.error({ code: 'FRAME_UNREADABLE', reason });
    try {
      this.task?.close({ code: 1000, reason: 'unreadable frame' });
    } catch {
      // closed on our side all the same
    }
    this.end(1006, 'unreadable frame');
  }

  private fail(errMsg: string, ends: boolean): void {
    if (this.ended) return;
    const info = errorFromErrMsg(errMsg);
    if (info.code === 'SOCKET_LIMIT') info.platform = this.counter.platform;
    this.events.error(info);
    if (ends) this.end(1006, errMsg);
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.task) this.counter.open--;
    this.events.close({ code, reason });
  }

  send(frame: ArrayBuffer, done: (error?: ErrorInfo) => void): void {
    if (this.ended || !this.task) {
      done({ code: 'SOCKET_ERROR', errMsg: 'sendSocketMessage:fail socket closed' });
      return;
    }
    this.task.send({
      data: frame,
      success: () => done(),
      // A frame that did not go out on an open socket breaks the MQTT stream: end the socket, saying why.
      fail: (res) => {
        const errMsg = typeof res?.errMsg === 'string' ? res.errMsg : 'sendSocketMessage:fail';
        done(errorFromErrMsg(errMsg));
        if (!this.opened) return;
        this.fail(errMsg, false);
        later(() => this.close(1006, 'send failed'));
      },
    });
  }

  close(code: number, reason: string): void {
    if (this.ended) return;
    try {
      this.task?.close({ code, reason });
    } catch {
      // a socket that is already gone may throw on some base library versions
    }
    this.end(code, reason);
  }
}

/** WeChat Cloud Hosting (wx.cloud, base library 2.21.1). */
export interface WxCloud {
  connectContainer?(options: {
    config: { env: string };
    service: string;
    path: string;
    success?: (res: { socketTask?: WxSocketTask }) => void;
    fail?: (res: { errMsg?: string }) => void;
  }): unknown;
}

/**
 * WebSockets to a WeChat Cloud Hosting service (developers.weixin.qq.com/miniprogram/dev/wxcloudrun/
 * src/development/websocket/miniprogram.html): `wx.cloud.connectContainer` hands back an ordinary
 * SocketTask, no domain list needed. The page documents a Promise when no callbacks are given and
 * success/fail otherwise: both are accepted, whichever answers first. A result without a socketTask
 * is a coded error at once.
 */
export function containerTransport(cloud: WxCloud, target: { env: string; service: string; path: string }, counter: SocketCounter): TransportFactory {
  return (_url, events) => {
    const transport = new WebSocketTransport(events, counter);
    transport.adopt((task, failed) => {
      const received = (res: { socketTask?: WxSocketTask } | undefined): void => {
        if (typeof res?.socketTask?.onMessage === 'function') task(res.socketTask);
        else failed('connectContainer:fail no socketTask in its result');
      };
      const fail = (res: { errMsg?: string } | undefined): void => failed(typeof res?.errMsg === 'string' ? res.errMsg : 'connectContainer:fail');
      const returned = cloud.connectContainer!({ config: { env: target.env }, service: target.service, path: target.path, success: received, fail });
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') (returned as PromiseLike<{ socketTask?: WxSocketTask }>).then(received, fail);
    });
    return transport;
  };
}

/** WebSockets through `wx.connectSocket` (or any WeChat-shaped API), counted against `counter`. */
export function webSocketTransport(wx: PlatformWx, counter: SocketCounter): TransportFactory {
  return (url, events) => {
    const transport = new WebSocketTransport(events, counter);
    transport.connect(wx, url);
    return transport;
  };
}
