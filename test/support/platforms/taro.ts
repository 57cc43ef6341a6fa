/**
 * Taro's `Taro` object (import Taro from '@tarojs/taro') on a mini-program target, for Node: wraps a
 * native double (NodeWx by default, i.e. the weapp target), written from Taro's documentation:
 *   Taro.connectSocket  https://docs.taro.zone/docs/apis/network/webSocket/connectSocket
 *     — `(option) => Promise<SocketTask>`; the native call runs at once and the promise resolves in
 *       its success callback with the task (Object.assign(task, successResult), as @tarojs/shared's
 *       processApis does), or rejects with the fail result;
 *   SocketTask          https://docs.taro.zone/docs/apis/network/webSocket/SocketTask (the native one)
 *   Taro.getEnv / Taro.ENV_TYPE, Taro.onAppShow / onAppHide / onNetworkStatusChange (pass-through
 *   to the native API) — pages of the same API docs;
 *   Taro.setStorage     https://docs.taro.zone/docs/apis/storage/setStorage
 *     — `(option) => Promise<TaroGeneral.CallbackResult>` (and Taro.removeStorage): the native call
 *       with the callbacks wrapped, the promise resolving in success and REJECTING in fail even when
 *       a fail callback was given (@tarojs/shared processApis: needPromiseApis holds setStorage and
 *       removeStorage; obj.fail calls options.fail, then reject); Taro.getStorageSync /
 *       setStorageSync / removeStorageSync pass straight through (not promisified).
 */
import type { NodeSocketTask } from '../wx';
import { OverNativeWx } from './over-native';

type Res = { errMsg: string };
type Callbacks = { success?: (res: Res) => void; fail?: (res: Res) => void; complete?: (res: Res) => void };

/** Taro.ENV_TYPE. */
export const ENV_TYPE = {
  WEAPP: 'WEAPP',
  SWAN: 'SWAN',
  ALIPAY: 'ALIPAY',
  TT: 'TT',
  QQ: 'QQ',
  JD: 'JD',
  WEB: 'WEB',
  RN: 'RN',
  HARMONY: 'HARMONY',
  QUICKAPP: 'QUICKAPP',
} as const;

export class NodeTaro extends OverNativeWx {
  /** Every Taro.connectSocket call (the native double records its own). */
  readonly requests: { url: string; protocols?: unknown }[] = [];
  readonly ENV_TYPE = ENV_TYPE;

  connectSocket = (options: { url: string; header?: Record<string, string>; protocols?: string[] } & Callbacks): Promise<NodeSocketTask & Res> => {
    this.requests.push({ url: options.url, protocols: options.protocols });
    let task: NodeSocketTask | undefined;
    return new Promise((resolve, reject) => {
      task = this.native.connectSocket({
        ...options,
        success: (res) => {
          options.success?.(res);
          // processApis: resolve(Promise.resolve().then(() => task ? Object.assign(task, res) : res))
          resolve(Promise.resolve().then(() => Object.assign(task!, res)));
        },
        fail: (res) => {
          options.fail?.(res);
          reject(res);
        },
        complete: options.complete,
      });
    });
  };

  /**
   * Rejections of Taro.setStorage / removeStorage promises that the caller never held (no then /
   * catch / await on them): on a device, "Uncaught (in promise)" reports. Recorded here instead of
   * an unhandled rejection in Node, so that a test can check that none happened.
   */
  readonly uncaughtStorageRejections: Res[] = [];

  /** processApis's promise around a native storage call. */
  private promised(call: (obj: Callbacks) => void, options: Callbacks): Promise<Res> {
    const p = new Promise<Res>((resolve, reject) => {
      call({
        ...options,
        success: (res) => {
          options.success?.(res);
          resolve(res);
        },
        fail: (res) => {
          options.fail?.(res);
          reject(res);
        },
        complete: (res) => options.complete?.(res),
      });
    });
    let held = false;
    const then = p.then.bind(p);
    then(undefined, (res: Res) => {
      if (!held) this.uncaughtStorageRejections.push(res);
    });
    p.then = ((onFulfilled, onRejected) => {
      held = true;
      return then(onFulfilled, onRejected);
    }) as typeof p.then;
    return p;
  }

  setStorage = (options: { key: string; data: unknown } & Callbacks): Promise<Res> => this.promised((obj) => this.native.setStorage({ ...options, ...obj }), options);

  removeStorage = (options: { key: string } & Callbacks): Promise<Res> => this.promised((obj) => this.native.removeStorage({ ...options, ...obj }), options);

  /** Taro.getEnv(): the target the code was built for. */
  getEnv = (): string => ENV_TYPE.WEAPP;
}
