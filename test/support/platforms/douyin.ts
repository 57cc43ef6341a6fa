/**
 * Douyin's `tt` socket, app-life and network API, for Node (on `ws`, through test/support/wx.ts's
 * NodeSocketTask), written from Douyin's documentation:
 *   tt.connectSocket  https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/api/network/web-socket/tt-connect-socket
 *     — always returns a SocketTask; success {errMsg, socketTaskId}, fail {errMsg, errNo?}; at most 5,
 *       a new one does not close the old; a non-empty protocols must be echoed by the server or the
 *       creation fails; "请通过此 api 的回调判断 api 调用成功后，再调用返回实例上的方法";
 *   SocketTask (same section) — readyState, send {data: string|ArrayBuffer}, close {code, reason},
 *     onOpen {header, protocolType, socketType}, onMessage {data}, onClose {errMsg, code, reason},
 *     onError {errMsg}; no off*; no global tt.onSocket* API;
 *   tt.onAppHide / tt.onAppShow (off*: base library 1.46.0), tt.onNetworkStatusChange {networkType};
 *   typings: @douyin-microapp/typings 1.3.1 (onClose code typed string);
 * and its storage (WeChat-shaped, on a StorageArea kept across a relaunch):
 *   tt.setStorage  https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/api/data-caching/tt-set-storage
 *     — "单个 key 数据最大 1M，总体容量最大 10M，超出后会回调失败"; fail {errMsg: "setStorage:fail " + detail};
 *   tt.getStorageSync  https://developer.open-douyin.com/docs/resource/zh-CN/mini-app/develop/api/data-caching/tt-get-storage-sync
 *     — "如果获取失败会产生错误，建议使用try/catch"; error 100599 "data not found, key == %s" (the
 *       mini-app page; the mini-game page says a missing key gives ''): a missing key THROWS
 *       "getStorageSync:fail data not found, key == <key>" here;
 *   the exceed texts and numbers from the mini-game pages (same site, mini-game/…/data-caching):
 *     21101 "exceed storage item max length", 21102 "exceed storage max size %sMb";
 *   tt.setStorageSync / tt.removeStorage / tt.removeStorageSync (same section): WeChat's arguments;
 *     undocumented, chosen: the Sync calls throw their failure, as WeChat's do.
 * What the documentation leaves open is chosen here and said so ("undocumented:").
 */
import { StorageArea, WechatStorageWrites, wechatStorageWrites } from '../storage';
import { NodeSocketTask } from '../wx';
import { isArrayBufferAnyRealm, Listeners, localArrayBuffer, PlatformDouble, silence } from './common';

type Res = { errMsg: string; errNo?: number };
type Callbacks<S = Res> = { success?: (res: S) => void; fail?: (res: Res) => void; complete?: (res: unknown) => void };

export interface NodeTtOptions {
  /** At most 5 sockets (tt.connectSocket). */
  maxSockets?: number;
  /** Sockets are cut about 5 s after the app goes to the background (as NodeWx; research notes). */
  suspendAfterMs?: number;
  /** The device's storage (1 MB per key, 10 MB in all: WECHAT_LIMITS); a relaunch hands the same one (revived) to a new NodeTt. */
  storage?: StorageArea;
}

/** Whether the process is still alive: a killed double calls nothing back. */
type Alive = () => boolean;

const later = (fn: () => void, alive: Alive = () => true): void =>
  void setTimeout(() => {
    if (alive()) fn();
  }, 0);

/** The SocketTask tt.connectSocket always returns. */
export class DouyinSocketTask {
  /** socket-task: 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  get readyState(): number {
    return this.inner.readyState;
  }
  /** Whether connectSocket's success callback has run: only then may send/close be called. */
  usable = false;
  private readonly opens = new Listeners<{ header: Record<string, string>; protocolType: string; socketType: string }>();
  private readonly messages = new Listeners<{ data: string | ArrayBuffer }>();
  private readonly closes = new Listeners<{ errMsg: string; code: string; reason: string }>();
  private readonly errors = new Listeners<{ errMsg: string }>();
  private closeCode?: number;

  constructor(
    readonly inner: NodeSocketTask,
    private readonly violation: (what: string) => void,
    private readonly alive: Alive = () => true,
  ) {
    // socket-task onMessage: data is string or ArrayBuffer.
    inner.onMessage(({ data }) => this.messages.emit({ data: typeof data === 'string' ? data : localArrayBuffer(data) }));
    // socket-task onClose: {errMsg, code, reason}; code may arrive as a string (typings: string).
    inner.onClose(({ code, reason }) => this.closes.emit({ errMsg: 'closeSocket:ok', code: String(this.closeCode ?? code), reason }));
    inner.onError(({ errMsg }) => this.errors.emit({ errMsg: `SocketTask.onError: ${errMsg}` }));
  }

  /** Called by NodeTt when the handshake is done: success first, then onOpen. */
  opened(protocol: string): void {
    this.opens.emit({ header: {}, protocolType: protocol, socketType: 'tradition' });
  }

  /** Douyin cuts the socket (SocketTask close code 1001: closed because of the background and the like). */
  cut(code: number, reason: string): void {
    this.closeCode = code;
    this.inner.interrupt(reason);
  }

  // socket-task: no off* methods.
  onOpen = this.opens.add;
  onMessage = this.messages.add;
  onClose = this.closes.add;
  onError = this.errors.add;

  /**
   * tt.connectSocket: "请通过此 api 的回调判断 api 调用成功后，再调用返回实例上的方法" — methods only
   * after success. Undocumented what happens otherwise: this double THROWS (and records it), the
   * loudest outcome: a library that calls too early fails in its own stack instead of relying on a
   * fail callback it might ignore.
   */
  private guard(method: string): void {
    if (this.usable) return;
    const what = `SocketTask.${method} called before tt.connectSocket's success callback`;
    this.violation(what);
    throw new Error(what);
  }

  send = (options: { data: string | ArrayBuffer } & Callbacks): void => {
    this.guard('send');
    if (this.inner.readyState !== 1) {
      later(() => options.fail?.({ errMsg: 'sendSocketMessage:fail socket is not connected' }), this.alive);
      return;
    }
    const data = options.data;
    if (typeof data !== 'string' && !isArrayBufferAnyRealm(data)) {
      later(() => options.fail?.({ errMsg: 'sendSocketMessage:fail data should be string or ArrayBuffer' }), this.alive);
      return;
    }
    this.inner.send({
      data: typeof data === 'string' ? data : localArrayBuffer(data),
      success: () => options.success?.({ errMsg: 'sendSocketMessage:ok' }),
      fail: (res) => options.fail?.(res),
    });
  };

  close = (options: { code?: number; reason?: string } & Callbacks = {}): void => {
    this.guard('close');
    this.inner.close({ code: options.code ?? 1000, reason: options.reason ?? '' });
    later(() => options.success?.({ errMsg: 'closeSocket:ok' }), this.alive);
  };
}

type AppListener = (res: Record<string, unknown>) => void;
/** tt.onNetworkStatusChange: {networkType} (isConnected not given on Douyin, per uni-app's table). */
type NetworkListener = (res: { networkType: string }) => void;

export class NodeTt implements PlatformDouble {
  readonly requests: { url: string; protocols?: unknown }[] = [];
  readonly tasks = new Set<DouyinSocketTask>();
  /** Every call to a SocketTask method before its success callback (should stay empty). */
  readonly violations: string[] = [];
  suspended = false;
  isConnected = true;
  readonly storage: StorageArea;
  /** tt.setStorage / removeStorage on a later tick; tt.setStorageSync undocumented, chosen: throws its failure, as WeChat's does. */
  declare setStorage: WechatStorageWrites<Res>['setStorage'];
  declare setStorageSync: WechatStorageWrites<Res>['setStorageSync'];
  declare removeStorage: WechatStorageWrites<Res>['removeStorage'];
  declare removeStorageSync: WechatStorageWrites<Res>['removeStorageSync'];
  private killed = false;
  private readonly alive: Alive = () => !this.killed;
  private readonly options: Required<Omit<NodeTtOptions, 'storage'>>;
  private readonly shows = new Listeners<Record<string, unknown>>();
  private readonly hides = new Listeners<Record<string, unknown>>();
  private readonly network = new Listeners<{ networkType: string }>();
  private suspendTimer?: NodeJS.Timeout;
  private nextId = 1;

  constructor({ storage, ...options }: NodeTtOptions = {}) {
    this.options = { maxSockets: 5, suspendAfterMs: 5000, ...options };
    this.storage = storage ?? new StorageArea();
    Object.assign(this, wechatStorageWrites(this.storage, (api, key, data) => this.storageFailure(api, key, data)));
  }

  get api(): this {
    return this;
  }

  /**
   * tt.connectSocket: always returns a SocketTask; success {errMsg, socketTaskId}, fail {errMsg,
   * errNo?}. A non-empty protocols that the server does not echo fails the creation. Since creation
   * can fail on the handshake, this double calls success (or fail) when the handshake is done,
   * success before onOpen (undocumented: when exactly success comes).
   * A new socket does not close older ones.
   */
  /** tt.getEnvInfoSync (a stub: only here so the object looks like `tt`; Douyin-only, developer.open-douyin.com … tt-get-env-info-sync). */
  getEnvInfoSync = (): { microapp: { appId: string; envType: string }; common: { USER_DATA_PATH: string } } => ({
    microapp: { appId: 'node-tt', envType: 'development' },
    common: { USER_DATA_PATH: 'ttfile://user' },
  });

  connectSocket = (options: { url: string; header?: Record<string, string>; protocols?: string[] } & Callbacks<Res & { socketTaskId: number }>): DouyinSocketTask => {
    this.requests.push({ url: options.url, protocols: options.protocols });
    const id = this.nextId++;
    const inner = new NodeSocketTask(options.url, () => this.tasks.delete(task));
    const task = new DouyinSocketTask(inner, (what) => this.violations.push(what), this.alive);
    // a killed process opens nothing and calls nothing back (its SocketTask never starts)
    if (this.killed) return task;
    const fail = (errMsg: string): void => {
      options.fail?.({ errMsg });
      options.complete?.({ errMsg });
    };
    const refusal = this.refusal(options);
    if (refusal) {
      later(() => {
        fail(refusal);
        inner.fail(refusal);
      }, this.alive);
      return task;
    }
    this.tasks.add(task);
    let settled = false;
    inner.onOpen(() => {
      settled = true;
      task.usable = true;
      const res = { errMsg: 'connectSocket:ok', socketTaskId: id };
      options.success?.(res);
      options.complete?.(res);
      const ws = (inner as unknown as { ws?: { protocol?: string } }).ws;
      task.opened(ws?.protocol ?? '');
    });
    inner.onError(({ errMsg }) => {
      if (settled) return;
      settled = true;
      // e.g. `ws`: "Server sent no subprotocol" when a requested protocol is not echoed.
      fail(`connectSocket:fail ${errMsg}`);
    });
    inner.start(Array.isArray(options.protocols) ? options.protocols : []);
    return task;
  };

  /** undocumented: the errMsg texts of these refusals. */
  private refusal(options: { url: string }): string | undefined {
    if (this.suspended) return 'connectSocket:fail app is in background';
    if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) return `connectSocket:fail invalid url "${String(options.url)}"`;
    if (!this.isConnected) return 'connectSocket:fail network is down';
    if (this.tasks.size >= this.options.maxSockets) return `connectSocket:fail exceed max concurrent count ${this.options.maxSockets}`;
    return undefined;
  }

  /**
   * Why Douyin refuses the call, as its errMsg and errNo, or undefined. Undocumented, chosen: the
   * text for a bad key (the 100599 parameter texts of tt-get-storage-sync) and for a `broken` storage.
   */
  private storageFailure(api: string, key: unknown, data?: unknown): Res | undefined {
    if (this.storage.broken) return { errMsg: `${api}:fail internal error (test: storage is broken)`, errNo: 20000 };
    if (typeof key !== 'string' || key === '') return { errMsg: `${api}:fail inputs[0] should be string`, errNo: 100599 };
    const refusal = data === undefined ? undefined : this.storage.refusal(key, data);
    if (refusal === 'item') return { errMsg: `${api}:fail exceed storage item max length`, errNo: 21101 };
    if (refusal === 'total') return { errMsg: `${api}:fail exceed storage max size ${this.storage.limits.total / (1024 * 1024)}Mb`, errNo: 21102 };
    return undefined;
  }

  /** tt.getStorageInfoSync(): {keys, currentSize, limitSize} (data-caching/tt-get-storage-info-sync). */
  getStorageInfoSync = (): unknown => this.storage.info();

  /** tt.getStorageSync(key): the value; a missing key THROWS 100599 "data not found, key == <key>" (mini-app page). */
  getStorageSync = (key: string): unknown => {
    const failure = this.storageFailure('getStorageSync', key);
    if (failure) throw new Error(failure.errMsg);
    const value = this.storage.data.get(key);
    if (value === undefined) throw new Error(`getStorageSync:fail data not found, key == ${key}`);
    return value;
  };

  // tt.onAppHide / tt.onAppShow (off*: base library 1.46.0)
  onAppShow = (l: AppListener): void => this.shows.add(l);
  offAppShow = (l: AppListener): void => this.shows.remove(l);
  onAppHide = (l: AppListener): void => this.hides.add(l);
  offAppHide = (l: AppListener): void => this.hides.remove(l);
  onNetworkStatusChange = (l: NetworkListener): void => this.network.add(l);
  offNetworkStatusChange = (l: NetworkListener): void => this.network.remove(l);

  openSockets(): number {
    return this.tasks.size;
  }

  /** After suspendAfterMs in the background Douyin cuts sockets (close code 1001) and refuses new ones. */
  hideApp(): void {
    if (this.killed) return;
    this.hides.emit({});
    this.suspendTimer = setTimeout(() => {
      this.suspended = true;
      [...this.tasks].forEach((t) => t.cut(1001, 'interrupted'));
    }, this.options.suspendAfterMs);
  }

  showApp(): void {
    if (this.killed) return;
    clearTimeout(this.suspendTimer);
    this.suspended = false;
    this.shows.emit({ path: 'pages/index/index', query: {}, scene: '990001' });
  }

  setNetwork(connected: boolean): void {
    if (this.killed) return;
    this.isConnected = connected;
    if (!connected) [...this.tasks].forEach((t) => t.cut(1006, 'network is down'));
    this.network.emit({ networkType: connected ? 'wifi' : 'none' });
  }

  /**
   * The process is killed: sockets vanish (the broker sees the TCP connection end) without a
   * callback, storage writes under way are lost, and nothing the old runtime calls afterwards opens
   * a socket, writes or calls back.
   */
  kill(): void {
    this.killed = true;
    this.storage.kill();
    clearTimeout(this.suspendTimer);
    [...this.tasks].forEach((t) => silence(t.inner));
    this.tasks.clear();
  }

  dispose(): void {
    clearTimeout(this.suspendTimer);
    [...this.tasks].forEach((t) => t.cut(1006, 'disposed'));
  }
}
