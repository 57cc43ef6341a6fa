/**
 * Each platform's local storage in WeChat's shape (wx.setStorage / getStorageSync …).
 * - wx, qq, tt, swan, uni and Taro take WeChat's arguments (tt-set-storage, swan-setStorage,
 *   uniapp.dcloud.io/api/storage/storage, Taro's storage typings): passed through; Taro's returned
 *   Promise is held so that a failure is not also an unhandled rejection. Douyin's
 *   getStorageSync may throw "data not found" for a missing key (tt-get-storage-sync).
 * - Alipay (opendocs.alipay.com/mini/api/cog0du, eocm6v, ox0wna, of9hze) takes `{key, data}`,
 *   returns `{data}` (null when missing), fails with `{error, errorMessage}` (12: storage full,
 *   14: one item over 200 KB), and its setStorageSync returns that failure instead of throwing.
 */
import type { WxCallbackResult, WxStorage } from '../wx';

type Callback = (res: WxCallbackResult) => void;

interface WechatShaped {
  getStorageSync?(key: string): unknown;
  setStorage?(options: { key: string; data: string; success?: Callback; fail?: Callback }): unknown;
  setStorageSync?(key: string, data: string): unknown;
  removeStorage?(options: { key: string; success?: Callback; fail?: Callback }): unknown;
  removeStorageSync?(key: string): unknown;
  getStorageInfoSync?(): unknown;
}

/** Taro's calls also return a Promise that rejects on failure, callbacks or not: the fail callback already reported it. */
function held(result: unknown): void {
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') (result as PromiseLike<unknown>).then(undefined, () => undefined);
}

/** The API's own WeChat-shaped storage calls, where it has them. */
export function wechatStorage(api: WechatShaped): WxStorage {
  const storage: WxStorage = {};
  if (typeof api.getStorageSync === 'function') storage.getStorageSync = (key) => api.getStorageSync!(key);
  if (typeof api.setStorage === 'function') storage.setStorage = (options) => held(api.setStorage!(options));
  if (typeof api.setStorageSync === 'function') storage.setStorageSync = (key, data) => void api.setStorageSync!(key, data);
  if (typeof api.removeStorage === 'function') storage.removeStorage = (options) => held(api.removeStorage!(options));
  if (typeof api.removeStorageSync === 'function') storage.removeStorageSync = (key) => void api.removeStorageSync!(key);
  if (typeof api.getStorageInfoSync === 'function') storage.getStorageInfoSync = () => api.getStorageInfoSync!();
  return storage;
}

type AlipayCallback = (res?: unknown) => void;

export interface AlipayStorageApi {
  getStorageSync?(options: { key: string }): { data?: unknown } | undefined;
  setStorage?(options: { key: string; data: string; success?: AlipayCallback; fail?: AlipayCallback }): void;
  setStorageSync?(options: { key: string; data: string }): unknown;
  removeStorage?(options: { key: string; success?: AlipayCallback; fail?: AlipayCallback }): void;
  removeStorageSync?(options: { key: string }): unknown;
  getStorageInfoSync?(): unknown;
}

/** Alipay's `{error, errorMessage}` → an errMsg; 12 and 14 say "exceed" as WeChat's and Douyin's limits do. */
function alipayStorageErrMsg(api: string, res: unknown): string {
  const r = (res ?? {}) as { error?: unknown; errorMessage?: unknown };
  const full = r.error === 12 || r.error === 14 ? ' exceed storage limit' : '';
  return `${api}:fail${full} ${String(r.errorMessage ?? '')} (error ${String(r.error ?? 'unknown')})`.trim();
}

const failed = (res: unknown): boolean => {
  const r = res as { error?: unknown; success?: unknown } | undefined;
  return r !== undefined && r !== null && (r.error !== undefined || r.success === false);
};

export function alipayStorage(my: AlipayStorageApi): WxStorage {
  const storage: WxStorage = { storageItemChars: 200 * 1024 };
  if (typeof my.getStorageSync === 'function') {
    storage.getStorageSync = (key) => {
      const data = my.getStorageSync!({ key })?.data;
      return data === null || data === undefined ? '' : data;
    };
  }
  if (typeof my.setStorage === 'function') {
    storage.setStorage = ({ key, data, success, fail }) =>
      my.setStorage!({ key, data, success: () => success?.({ errMsg: 'setStorage:ok' }), fail: (res) => fail?.({ errMsg: alipayStorageErrMsg('setStorage', res) }) });
  }
  if (typeof my.setStorageSync === 'function') {
    storage.setStorageSync = (key, data) => {
      const res = my.setStorageSync!({ key, data });
      if (failed(res)) throw new Error(alipayStorageErrMsg('setStorageSync', res));
    };
  }
  if (typeof my.removeStorage === 'function') {
    storage.removeStorage = ({ key, success, fail }) =>
      my.removeStorage!({ key, success: () => success?.({ errMsg: 'removeStorage:ok' }), fail: (res) => fail?.({ errMsg: alipayStorageErrMsg('removeStorage', res) }) });
  }
  if (typeof my.removeStorageSync === 'function') storage.removeStorageSync = (key) => void my.removeStorageSync!({ key });
  // my.getStorageInfoSync(): { keys, currentSize, limitSize } as WeChat's (Taro's getStorageInfoSync page lists Alipay's extra `success`)
  if (typeof my.getStorageInfoSync === 'function') storage.getStorageInfoSync = () => my.getStorageInfoSync!();
  return storage;
}
