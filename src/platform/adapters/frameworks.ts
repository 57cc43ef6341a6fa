/**
 * uni-app and Taro wrap the native API; on their mini-program targets the native global is used
 * instead (detect.ts), so these serve uni-app's App/H5 targets and a Taro object handed in.
 * - uni.connectSocket returns a SocketTask only when success/fail/complete is passed, else a
 *   Promise (uniapp.dcloud.net.cn/api/request/websocket): `complete` is always passed.
 * - Taro.connectSocket returns Promise<SocketTask> (docs.taro.zone/docs/apis/network/webSocket/
 *   connectSocket), resolved in the success callback: the task's methods wait for it.
 */
import { assign } from '../../core/errors';
import type { NetworkStatus, PlatformWx, WxStorage, WxConnectSocketOptions, WxSocketTask } from '../wx';
import { DeferredTask } from './deferred';
import { networkEvents, plainListeners, wechatNetwork } from './events';
import { wechatStorage } from './storage';

type Options = WxConnectSocketOptions & { complete?: () => void };

export interface FrameworkApi extends Pick<PlatformWx, 'onAppShow' | 'offAppShow' | 'onAppHide' | 'offAppHide'>, WxStorage {
  connectSocket(options: Options): WxSocketTask | PromiseLike<WxSocketTask> | PromiseLike<unknown>;
  onNetworkStatusChange?(cb: (res: NetworkStatus) => void): void;
  offNetworkStatusChange?(cb: (res: NetworkStatus) => void): void;
}

const isTask = (value: unknown): value is WxSocketTask => typeof (value as WxSocketTask | undefined)?.onMessage === 'function';

function adaptFramework(api: FrameworkApi): PlatformWx {
  return assign(
    {
    connectSocket(options: WxConnectSocketOptions): WxSocketTask {
      const deferred = new DeferredTask();
      const result = api.connectSocket(assign({}, options, { success: (res) => options.success?.(res), complete: () => undefined } satisfies Partial<Options>));
      if (isTask(result)) return result;
      Promise.resolve(result).then(
        (task) => {
          if (!isTask(task)) throw new Error('connectSocket resolved without a SocketTask');
          deferred.attach(task);
          deferred.ready();
        },
        (error: unknown) => deferred.fail((error as { errMsg?: string })?.errMsg ?? String(error)),
      ).catch((error: unknown) => deferred.fail(String(error)));
      return deferred;
    },
    },
    plainListeners(api),
    wechatStorage(api),
    networkEvents(api, wechatNetwork),
  );
}

export const adaptUni = adaptFramework;
export const adaptTaro = adaptFramework;
