/**
 * JD `jd` and Xiaohongshu `xhs` → the WeChat-shaped API. Neither platform's socket page could be
 * read here (mp-docs.jd.com, miniapp.xiaohongshu.com), so the adapter accepts both shapes the
 * evidence shows:
 * - JD: a summary of mp-docs.jd.com lists jd.connectSocket ("建立连接（最多 1 个）") with the global
 *   jd.onSocketOpen/Message/Error/Close, jd.sendSocketMessage and jd.closeSocket, and no SocketTask;
 *   RongCloud's JD adapter drives exactly those. Another adapter uses the return as a SocketTask.
 * - Xiaohongshu: its demo mini-program (base library 3.136.0) drives the global xhs.onSocket*;
 *   whether xhs.connectSocket returns a SocketTask is not documented. Taro's API list for xhs says
 *   getStorageSync returns `{code, data, msg}`, WeChat's pages a bare value.
 * So: what connectSocket returns is used as WeChat's SocketTask when it has onMessage; otherwise
 * the one global socket, WeChat-shaped (string or ArrayBuffer frames, errMsg callbacks). A
 * getStorageSync result `{code, data, msg}` is read as its `data`.
 */
import { isArrayBuffer } from '../../core/codec';
import { assign } from '../../core/errors';
import { shapeOf, WxMessage } from '../frames';
import type { PlatformWx, WxConnectSocketOptions, WxSocketTask, WxStorage } from '../wx';
import { networkEvents, plainListeners, wechatNetwork } from './events';
import { GlobalSocketApi, taskOrGlobalSocket } from './global-socket';
import { wechatStorage } from './storage';

export interface TaskOrGlobalApi extends Partial<GlobalSocketApi>, Pick<PlatformWx, 'onAppShow' | 'offAppShow' | 'onAppHide' | 'offAppHide'>, WxStorage {
  connectSocket(options: WxConnectSocketOptions): WxSocketTask | undefined | void;
  onNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
  offNetworkStatusChange?(cb: (res: { isConnected?: boolean; networkType?: string }) => void): void;
}

const errMsgOf = (api: string, res: unknown): string => {
  const errMsg = (res as { errMsg?: unknown } | undefined)?.errMsg;
  return typeof errMsg === 'string' ? errMsg : `${api}:fail ${shapeOf(res)}`;
};

/** A global onSocketMessage payload, WeChat's `{data}`; anything else is unreadable. */
function wechatMessage(res: unknown): WxMessage {
  const data = (res as { data?: unknown } | undefined)?.data;
  if (typeof data === 'string' || isArrayBuffer(data)) return { data };
  return { data: '', unreadable: `onSocketMessage gave ${res && typeof res === 'object' ? `data of ${shapeOf(data)}` : shapeOf(res)}` };
}

/** `{code, data, msg}` → data; a bare value as it is. */
function unwrapped(value: unknown): unknown {
  const r = value as { data?: unknown; code?: unknown; msg?: unknown } | null;
  return r !== null && typeof r === 'object' && 'data' in r && ('code' in r || 'msg' in r) ? r.data : value;
}

/** connectSocket: the SocketTask `api` returns when it has onMessage; otherwise the one WeChat-shaped global socket. */
function taskOrGlobal(api: TaskOrGlobalApi): PlatformWx['connectSocket'] {
  const open = taskOrGlobalSocket<WxSocketTask>(api, { message: wechatMessage, send: (data) => ({ data }), errMsg: errMsgOf }, (task) => task);
  return (options) =>
    open(
      (fail) => api.connectSocket({ url: options.url, protocols: options.protocols, success: options.success, fail }),
      (res) => options.fail?.({ errMsg: errMsgOf('connectSocket', res) }),
    );
}

export function adaptTaskOrGlobal(api: TaskOrGlobalApi): PlatformWx {
  const storage = wechatStorage(api);
  const read = storage.getStorageSync;
  if (read) storage.getStorageSync = (key) => unwrapped(read(key));
  return assign({ connectSocket: taskOrGlobal(api) }, plainListeners(api), storage, networkEvents(api, wechatNetwork));
}

/**
 * A WeChat-shaped API object given as `platform` that is no global the library knows (a `jd` or
 * `xhs` handed over without its global looks like any other): the object itself, everything
 * inherited, except that a connectSocket returning no SocketTask falls back to the global socket.
 */
export function withGlobalSocketFallback(api: PlatformWx): PlatformWx {
  if (typeof (api as Partial<GlobalSocketApi>).onSocketMessage !== 'function') return api;
  return assign(Object.create(api) as PlatformWx, { connectSocket: taskOrGlobal(api as TaskOrGlobalApi) });
}
