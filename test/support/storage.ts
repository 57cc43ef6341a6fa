/**
 * A mini-program's local storage for Node, shared by the platform doubles and kept across a
 * simulated relaunch. Limits from the platforms' documentation (see the helper notes in
 * test/support/wx.ts and platforms/alipay.ts): WeChat and Douyin 1 MB per key, Alipay 200 KB per
 * item, all 10 MB per mini-program. What a test needs beyond that: a switch that makes every
 * call fail or throw, a quota to fill, counters, and `kill()` — the process is gone: writes still
 * under way are lost and nothing is written afterwards.
 */
export interface StorageLimits {
  /** Characters one key may hold (the value as a JSON string, as the platforms count it). */
  perKey: number;
  total: number;
}

export const WECHAT_LIMITS: StorageLimits = { perKey: 1024 * 1024, total: 10 * 1024 * 1024 };
export const ALIPAY_LIMITS: StorageLimits = { perKey: 200 * 1024, total: 10 * 1024 * 1024 };

export type StorageRefusal = 'item' | 'total' | 'broken';

export class StorageArea {
  readonly data = new Map<string, string>();
  /** Completed set/remove calls, async and sync. */
  writes = 0;
  /** Set calls (setStorage and setStorageSync) by time, for rate checks. */
  readonly writeTimes: number[] = [];
  /** 'fail': every call fails through its callback (sync ones throw); 'throw': every call throws at once. */
  broken?: 'fail' | 'throw';
  /** Lower the total to fill storage up. */
  limits: StorageLimits;
  private dead = false;

  constructor(limits: StorageLimits = WECHAT_LIMITS) {
    this.limits = limits;
  }

  /** The process is killed: writes under way are dropped, nothing happens from now on. */
  kill(): void {
    this.dead = true;
  }

  /** A new process on the same device: same data, alive again. */
  revive(): StorageArea {
    const next = new StorageArea(this.limits);
    this.data.forEach((v, k) => next.data.set(k, v));
    this.dead = true;
    return next;
  }

  get isDead(): boolean {
    return this.dead;
  }

  used(): number {
    let n = 0;
    this.data.forEach((v, k) => (n += k.length + v.length));
    return n;
  }

  /** Why storing `value` under `key` is refused, or undefined. */
  refusal(key: string, value: unknown): StorageRefusal | undefined {
    if (this.broken) return 'broken';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text.length > this.limits.perKey) return 'item';
    if (this.used() - (this.data.get(key)?.length ?? 0) + key.length + text.length > this.limits.total) return 'total';
    return undefined;
  }

  /**
   * getStorageInfoSync's answer as WeChat documents it (wx.getStorageInfoSync: keys, currentSize
   * and limitSize in KB), which Alipay, Baidu and Douyin document alike; a broken storage throws.
   */
  info(api = 'getStorageInfoSync'): { keys: string[]; currentSize: number; limitSize: number } {
    if (this.broken) throw new Error(`${api}:fail storage is broken (test)`);
    return { keys: [...this.data.keys()], currentSize: Math.ceil(this.used() / 1024), limitSize: Math.floor(this.limits.total / 1024) };
  }

  /** Applies a write now (unless dead). */
  set(key: string, value: unknown): void {
    if (this.dead) return;
    this.data.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    this.writes++;
    this.writeTimes.push(Date.now());
  }

  remove(key: string): void {
    if (this.dead) return;
    this.data.delete(key);
    this.writes++;
  }

  /** Runs an asynchronous platform call's effect on the next tick, unless the process died meanwhile. */
  later(effect: () => void): void {
    setTimeout(() => {
      if (!this.dead) effect();
    }, 0);
  }
}

type Callbacks<R> = { success?: (res: R) => void; fail?: (res: R) => void; complete?: (res: R) => void };

/** The writing half of WeChat-shaped storage (wx, tt, swan): a class takes them with Object.assign in its constructor. */
export interface WechatStorageWrites<R> {
  setStorage(options: { key: string; data: unknown } & Callbacks<R>): void;
  setStorageSync(key: string, data: unknown): void;
  removeStorage(options: { key: string } & Callbacks<R>): void;
  removeStorageSync(key: string): void;
}

/**
 * setStorage / setStorageSync / removeStorage / removeStorageSync as WeChat shapes them, over
 * `storage`: the asynchronous ones land on a later tick (lost when the process is killed first) and
 * call back with the platform's own result; the Sync ones throw its errMsg. `failure(api, key, data)`
 * is the platform's reason to refuse, in its own texts and codes.
 */
export function wechatStorageWrites<R extends { errMsg: string }>(storage: StorageArea, failure: (api: string, key: unknown, data?: unknown) => R | undefined): WechatStorageWrites<R> {
  const later = (api: string, options: Callbacks<R>, failed: R | undefined, effect: () => void): void => {
    if (storage.broken === 'throw') throw new Error(`${api}:fail storage is broken (test)`);
    storage.later(() => {
      if (!failed) effect();
      const res = failed ?? ({ errMsg: `${api}:ok` } as R);
      if (failed) options.fail?.(res);
      else options.success?.(res);
      options.complete?.(res);
    });
  };
  const sync = (failed: R | undefined, effect: () => void): void => {
    if (failed) throw new Error(failed.errMsg);
    effect();
  };
  return {
    setStorage: (options) => later('setStorage', options, failure('setStorage', options.key, options.data), () => storage.set(options.key, options.data)),
    setStorageSync: (key, data) => sync(failure('setStorageSync', key, data), () => storage.set(key, data)),
    removeStorage: (options) => later('removeStorage', options, failure('removeStorage', options.key), () => storage.remove(options.key)),
    removeStorageSync: (key) => sync(failure('removeStorageSync', key), () => storage.remove(key)),
  };
}
