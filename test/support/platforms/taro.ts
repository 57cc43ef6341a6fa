/**
 * Taro's `Taro` object (import Taro from '@tarojs/taro') on a mini-program target, for Node: wraps a
 * native double (NodeWx by default, i.e. the weapp target), written from Taro's documentation:
 *   Taro.connectSocket  https://docs.taro.zone/docs/apis/network/webSocket/connectSocket
 *     — `(option) => Promise<SocketTask>`; the native call runs at once and the promise resolves in
 *       its success callback with the task (Object.assign(task, successResult), as @tarojs/shared's
 *       processApis does), or rejects with the fail result;
 *   SocketTask          https://docs.taro.zone/docs/apis/network/webSocket/SocketTask (the native one)
 *   Taro.getEnv / Taro.ENV_TYPE, Taro.onAppShow / onAppHide / onNetworkStatusChange (pass-through
 *   to the native API) — pages of the same API docs.
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

  /** Taro.getEnv(): the target the code was built for. */
  getEnv = (): string => ENV_TYPE.WEAPP;
}
