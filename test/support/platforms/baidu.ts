/**
 * Baidu's `swan` socket, app-life and network API, for Node (on `ws`, reusing test/support/wx.ts's
 * NodeSocketTask: Baidu's SocketTask is WeChat's), written from Baidu's documentation
 * (source: github.com/swan-team/swan-docs):
 *   WebSocket section  https://smartprogram.baidu.com/docs/develop/api/net/websocket/
 *     — swan.connectSocket (options url/header/protocols; one connection before base library 1.9.4,
 *       a new one closing the old; a SocketTask per call from 1.9.4; at most 5), SocketTask
 *       (send String/ArrayBuffer, close, onOpen, onMessage {data: String/ArrayBuffer}, onClose,
 *       onError), the global swan.onSocketOpen {header} / onSocketMessage {data} / onSocketError /
 *       onSocketClose, swan.sendSocketMessage ({data: String} — the only type listed), swan.closeSocket;
 *   swan.onAppHide / swan.onAppShow — from base library 3.60.2 only (pages of the same docs, app events);
 *   swan.onNetworkStatusChange {isConnected, networkType} (same docs, device / network);
 *   storage  https://smartprogram.baidu.com/docs/develop/api/storage/save_swan-setStorage/
 *     — WeChat's shapes (swan.setStorage({key, data, success, fail, complete}), getStorageSync(key),
 *       setStorageSync(key, data), removeStorage({key, …}), removeStorageSync(key)); no limit per
 *       key, 10 MB in all (SWAN_LIMITS, on a StorageArea kept across a relaunch).
 *       Undocumented, chosen: the errMsg texts and errCode (1001, Baidu's generic 执行失败), the
 *       Sync calls throwing their failure and getStorageSync of a missing key giving '' (as WeChat's).
 * What the documentation leaves open is chosen here and said so ("undocumented:").
 */
import { StorageArea, StorageLimits, WechatStorageWrites, wechatStorageWrites } from '../storage';
import { NodeSocketTask } from '../wx';
import { compareVersions, Listeners, localArrayBuffer, PlatformDouble, silence } from './common';

/** Baidu's storage limits (save_swan-setStorage): no limit per key, 10 MB in all. */
export const SWAN_LIMITS: StorageLimits = { perKey: Number.POSITIVE_INFINITY, total: 10 * 1024 * 1024 };

type Res = { errMsg: string; errCode?: number };
type Callbacks = { success?: (res: Res) => void; fail?: (res: Res) => void; complete?: (res: Res) => void };

export interface NodeSwanOptions {
  /**
   * The base library version. Before 1.9.4: one socket through the global swan.onSocket* API, and
   * connectSocket returns nothing (a new connection closes the old one). From 1.9.4: a SocketTask
   * per call. swan.onAppHide/onAppShow exist from 3.60.2 only.
   */
  baseLibrary?: string;
  /** At most 5 sockets (swan.connectSocket). */
  maxSockets?: number;
  /**
   * swan.sendSocketMessage lists `data: String` only. 'reject' (the documentation): anything else
   * fails. 'accept': also send ArrayBuffer (not documented; used only to test other behaviour of
   * the global socket in isolation).
   */
  globalBinary?: 'reject' | 'accept';
  /** The device's storage (SWAN_LIMITS by default); a relaunch hands the same one (revived) to a new NodeSwan. */
  storage?: StorageArea;
}

/** Whether the process is still alive: a killed double calls nothing back. */
type Alive = () => boolean;

const done = (cb: Callbacks, ok: boolean, res: Res, alive: Alive = () => true): void => {
  setTimeout(() => {
    if (!alive()) return;
    if (ok) cb.success?.(res);
    else cb.fail?.(res);
    cb.complete?.(res);
  }, 0);
};

/** A SocketTask whose binary frames are ArrayBuffers of this realm (one realm on the device). */
class SwanSocketTask extends NodeSocketTask {
  onMessage(listener: (res: { data: string | ArrayBuffer }) => void): void {
    super.onMessage(({ data }) => listener({ data: typeof data === 'string' ? data : localArrayBuffer(data) }));
  }
}

type AppListener = (res: Record<string, unknown>) => void;
type NetworkListener = (res: { isConnected: boolean; networkType: string }) => void;

export class NodeSwan implements PlatformDouble {
  readonly requests: { url: string; protocols?: unknown }[] = [];
  readonly sockets = new Set<NodeSocketTask>();
  /** Global sockets closed by a newer connectSocket (before 1.9.4). */
  replaced = 0;
  /** What swan.sendSocketMessage refused (the type of each `data` that was not a String). */
  readonly rejectedSends: string[] = [];
  isConnected = true;
  readonly baseLibrary: string;
  /** Only from base library 3.60.2 (swan.onAppHide); absent before. */
  readonly onAppShow?: (l: AppListener) => void;
  readonly offAppShow?: (l: AppListener) => void;
  readonly onAppHide?: (l: AppListener) => void;
  readonly offAppHide?: (l: AppListener) => void;
  readonly storage: StorageArea;
  declare setStorage: WechatStorageWrites<Res>['setStorage'];
  declare setStorageSync: WechatStorageWrites<Res>['setStorageSync'];
  declare removeStorage: WechatStorageWrites<Res>['removeStorage'];
  declare removeStorageSync: WechatStorageWrites<Res>['removeStorageSync'];
  private killed = false;
  private readonly alive: Alive = () => !this.killed;
  private readonly options: Required<Omit<NodeSwanOptions, 'storage'>>;
  private global?: NodeSocketTask;
  private readonly socketOpen = new Listeners<{ header: Record<string, string> }>();
  private readonly socketMessage = new Listeners<{ data: string | ArrayBuffer }>();
  private readonly socketClose = new Listeners<{ code: number; reason: string }>();
  private readonly socketError = new Listeners<{ errMsg: string }>();
  private readonly shows = new Listeners<Record<string, unknown>>();
  private readonly hides = new Listeners<Record<string, unknown>>();
  private readonly network = new Listeners<{ isConnected: boolean; networkType: string }>();

  constructor({ storage, ...options }: NodeSwanOptions = {}) {
    this.options = { baseLibrary: '3.60.2', maxSockets: 5, globalBinary: 'reject', ...options };
    this.storage = storage ?? new StorageArea(SWAN_LIMITS);
    Object.assign(this, wechatStorageWrites(this.storage, (api, key, data) => this.storageFailure(api, key, data)));
    this.baseLibrary = this.options.baseLibrary;
    if (compareVersions(this.baseLibrary, '3.60.2') >= 0) {
      this.onAppShow = (l) => this.shows.add(l);
      this.offAppShow = (l) => this.shows.remove(l);
      this.onAppHide = (l) => this.hides.add(l);
      this.offAppHide = (l) => this.hides.remove(l);
    }
  }

  get api(): this {
    return this;
  }

  get hasSocketTask(): boolean {
    return compareVersions(this.baseLibrary, '1.9.4') >= 0;
  }

  /** swan.connectSocket: a SocketTask from 1.9.4; before, the one global socket (returns nothing). */
  connectSocket = (options: { url: string; header?: Record<string, string>; protocols?: string[] } & Callbacks): NodeSocketTask | undefined => {
    this.requests.push({ url: options.url, protocols: options.protocols });
    const protocols = Array.isArray(options.protocols) ? options.protocols : [];
    // a killed process opens nothing and calls nothing back (its SocketTask never starts)
    if (this.killed) return this.hasSocketTask ? new SwanSocketTask(options.url, () => undefined) : undefined;
    if (!this.hasSocketTask) return this.connectGlobal(options, protocols);
    const task: NodeSocketTask = new SwanSocketTask(options.url, () => this.sockets.delete(task));
    const refusal = this.refusal(options);
    if (refusal) {
      done(options, false, refusal, this.alive);
      setTimeout(() => this.alive() && task.fail(refusal.errMsg), 0);
      return task;
    }
    this.sockets.add(task);
    task.start(protocols);
    done(options, true, { errMsg: 'connectSocket:ok' }, this.alive);
    return task;
  };

  /**
   * Before 1.9.4 there is one connection, and a new connectSocket closes the existing one
   * (swan.connectSocket): the old one closes and the new one takes over the global events. undocumented: whether the old one's close reaches
   * swan.onSocketClose; here it does, like any close (after the new socket was created).
   */
  private connectGlobal(options: { url: string } & Callbacks, protocols: string[]): undefined {
    const refusal = this.refusal(options);
    if (refusal) {
      done(options, false, refusal, this.alive);
      return undefined;
    }
    const old = this.global;
    if (old) {
      this.replaced++;
      old.close({ code: 1000, reason: 'replaced by a new connectSocket' });
    }
    const socket: NodeSocketTask = new SwanSocketTask(options.url, () => {
      this.sockets.delete(socket);
      if (this.global === socket) this.global = undefined;
    });
    this.global = socket;
    this.sockets.add(socket);
    socket.onOpen(() => this.socketOpen.emit({ header: {} }));
    socket.onMessage((res) => this.socketMessage.emit(res));
    socket.onClose((res) => this.socketClose.emit(res));
    socket.onError((res) => this.socketError.emit(res));
    socket.start(protocols);
    done(options, true, { errMsg: 'connectSocket:ok' }, this.alive);
    return undefined;
  }

  /** undocumented: the errMsg texts (errCode 1001 is Baidu's generic "执行失败"). */
  private refusal(options: { url: string }): Res | undefined {
    if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) return { errCode: 1001, errMsg: `connectSocket:fail invalid url "${String(options.url)}"` };
    if (!this.isConnected) return { errCode: 1001, errMsg: 'connectSocket:fail network is down' };
    if (this.hasSocketTask && this.sockets.size >= this.options.maxSockets) {
      return { errCode: 1001, errMsg: `connectSocket:fail exceed max concurrent count ${this.options.maxSockets}` };
    }
    return undefined;
  }

  // The global socket API (all base libraries). The documentation lists no offSocket* methods.
  onSocketOpen = this.socketOpen.add;
  onSocketMessage = this.socketMessage.add;
  onSocketClose = this.socketClose.add;
  onSocketError = this.socketError.add;

  /** swan.sendSocketMessage: `data` String (the only type the documentation lists). */
  sendSocketMessage = (options: { data: unknown } & Callbacks): void => {
    const socket = this.global;
    if (!socket || socket.readyState !== 1) return done(options, false, { errCode: 1001, errMsg: 'sendSocketMessage:fail WebSocket is not connected' }, this.alive);
    const data = options.data;
    if (typeof data !== 'string' && !(this.options.globalBinary === 'accept' && Object.prototype.toString.call(data) === '[object ArrayBuffer]')) {
      const type = Object.prototype.toString.call(data);
      this.rejectedSends.push(type);
      return done(options, false, { errCode: 202, errMsg: `sendSocketMessage:fail parameter error: data should be String, got ${type}` }, this.alive);
    }
    socket.send({ data: typeof data === 'string' ? data : localArrayBuffer(data as ArrayBuffer), success: options.success, fail: options.fail, complete: options.complete });
  };

  closeSocket = (options: { code?: number; reason?: string } & Callbacks = {}): void => {
    const socket = this.global;
    if (!socket) return done(options, false, { errCode: 1001, errMsg: 'closeSocket:fail WebSocket is not connected' }, this.alive);
    socket.close(options);
  };

  /** swan.onNetworkStatusChange: {isConnected, networkType}. */
  onNetworkStatusChange = (l: NetworkListener): void => this.network.add(l);
  offNetworkStatusChange = (l: NetworkListener): void => this.network.remove(l);

  /** swan.getSwanId (a stub: only here so the object looks like `swan`). */
  getSwanId = (options: Callbacks & { success?: (res: { data: { swanid: string } } & Res) => void }): void =>
    void setTimeout(() => this.alive() && options.success?.({ errMsg: 'getSwanId:ok', data: { swanid: 'node-swan-id' } }), 0);

  /** Why Baidu refuses the call (errMsg texts and errCode undocumented, chosen), or undefined. */
  private storageFailure(api: string, key: unknown, data?: unknown): Res | undefined {
    if (this.storage.broken) return { errCode: 1001, errMsg: `${api}:fail storage is broken (test)` };
    if (typeof key !== 'string' || key === '') return { errCode: 202, errMsg: `${api}:fail parameter error: parameter.key should be String` };
    const refusal = data === undefined ? undefined : this.storage.refusal(key, data);
    if (refusal === 'item') return { errCode: 1001, errMsg: `${api}:fail exceed storage item max length` };
    if (refusal === 'total') return { errCode: 1001, errMsg: `${api}:fail exceed storage max size 10MB` };
    return undefined;
  }

  /** swan.getStorageInfoSync(): {keys, currentSize, limitSize}, WeChat's shape (same storage section). */
  getStorageInfoSync = (): unknown => this.storage.info();

  /** swan.getStorageSync(key): the value; a missing key gives '' (undocumented: chosen as WeChat's). */
  getStorageSync = (key: string): unknown => {
    const failure = this.storageFailure('getStorageSync', key);
    if (failure) throw new Error(failure.errMsg);
    const value = this.storage.data.get(key);
    return value === undefined ? '' : value;
  };

  openSockets(): number {
    return this.sockets.size;
  }

  /**
   * The app goes to the background: swan.onAppHide listeners hear it from 3.60.2 (before, only the
   * app's own App.onHide would). undocumented: Baidu cutting sockets in the background; not done.
   */
  hideApp(): void {
    if (this.killed) return;
    this.hides.emit({});
  }

  showApp(): void {
    if (this.killed) return;
    this.shows.emit({ path: 'pages/index/index', query: {}, scene: '1001' });
  }

  setNetwork(connected: boolean): void {
    if (this.killed) return;
    this.isConnected = connected;
    if (!connected) [...this.sockets].forEach((s) => s.interrupt('network is down'));
    this.network.emit({ isConnected: connected, networkType: connected ? 'wifi' : 'none' });
  }

  /**
   * The process is killed: sockets vanish (the broker sees the TCP connection end) without a
   * callback, storage writes under way are lost, and nothing the old runtime calls afterwards opens
   * a socket, writes or calls back.
   */
  kill(): void {
    this.killed = true;
    this.storage.kill();
    [...this.sockets].forEach((s) => silence(s));
    this.sockets.clear();
    this.global = undefined;
  }

  dispose(): void {
    [...this.sockets].forEach((s) => s.interrupt('disposed'));
  }
}
