/**
 * The platform's key-value storage as the persistence needs it: a synchronous read (once, at
 * start), asynchronous writes and removals, and synchronous writes for the moment the app goes
 * to the background. Every failure becomes STORAGE_FULL or STORAGE_ERROR with the platform's errMsg.
 */
import type { ErrorInfo } from '../core/errors';
import type { PlatformWx, WxCallbackResult } from './wx';

/** WeChat's storage errors do not say "full" in a documented way; Douyin's and ours (Alipay 12/14) say "exceed". */
const FULL = /exceed|quota|max size|limit|full|21101|21102|21000/i;

function storageError(errMsg: string): ErrorInfo {
  return { code: FULL.test(errMsg) ? 'STORAGE_FULL' : 'STORAGE_ERROR', errMsg };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : typeof (error as WxCallbackResult)?.errMsg === 'string' ? (error as WxCallbackResult).errMsg : String(error));

/** WeChat and Douyin: 1 MB per key; a platform that allows less says so (WxStorage.storageItemChars). */
const ITEM_CHARS = 1024 * 1024;

export interface KeyValueStorage {
  /** Characters one key may hold. */
  readonly itemChars: number;
  /** The string stored under `key`, or undefined. Throws ErrorInfo. */
  read(key: string): string | undefined;
  /** Writes `value`, or removes the key when undefined. Rejects with ErrorInfo. */
  write(key: string, value: string | undefined): Promise<void>;
  /** The same, at once. Throws ErrorInfo. */
  writeSync(key: string, value: string | undefined): void;
  /** Every key in storage (getStorageInfoSync), or undefined where the platform cannot list them. Throws ErrorInfo. */
  keys(): string[] | undefined;
}

/** The storage of a platform, or undefined when it has none of WeChat's storage calls. */
export function platformStorage(wx: PlatformWx): KeyValueStorage | undefined {
  const { getStorageSync, setStorage, setStorageSync, removeStorage, removeStorageSync } = wx;
  if (!getStorageSync || !setStorage || !setStorageSync || !removeStorage || !removeStorageSync) return undefined;
  const call = (body: () => void): void => {
    try {
      body();
    } catch (error) {
      throw storageError(messageOf(error));
    }
  };
  return {
    itemChars: wx.storageItemChars ?? ITEM_CHARS,
    read(key) {
      let value: unknown;
      try {
        value = getStorageSync.call(wx, key);
      } catch (error) {
        const errMsg = messageOf(error);
        // Douyin: a missing key may throw "data not found"
        if (/not found/i.test(errMsg)) return undefined;
        throw storageError(errMsg);
      }
      if (value === '' || value === undefined || value === null) return undefined;
      // something else under our key: unreadable to us, reported as corrupted
      return typeof value === 'string' ? value : '\u0000';
    },
    write(key, value) {
      return new Promise<void>((resolve, reject) => {
        const fail = (res: WxCallbackResult): void => reject(storageError(messageOf(res)));
        try {
          if (value === undefined) removeStorage.call(wx, { key, success: () => resolve(), fail });
          else setStorage.call(wx, { key, data: value, success: () => resolve(), fail });
        } catch (error) {
          reject(storageError(messageOf(error)));
        }
      });
    },
    writeSync(key, value) {
      call(() => (value === undefined ? removeStorageSync.call(wx, key) : setStorageSync.call(wx, key, value)));
    },
    keys() {
      if (!wx.getStorageInfoSync) return undefined;
      let keys: unknown;
      call(() => (keys = (wx.getStorageInfoSync!() as { keys?: unknown } | undefined)?.keys));
      if (!Array.isArray(keys)) throw storageError(`getStorageInfoSync: no keys in its answer (${typeof keys})`);
      return keys.filter((k): k is string => typeof k === 'string');
    },
  };
}
