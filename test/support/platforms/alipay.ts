/**
 * Alipay's `my` socket, app-life and network API, for Node (on `ws`, through test/support/wx.ts's
 * NodeSocketTask), written from Alipay's documentation:
 *   my.connectSocket        https://opendocs.alipay.com/mini/api/vx19c3
 *   my.onSocketOpen         https://opendocs.alipay.com/mini/api/itm5og
 *   my.onSocketMessage      https://opendocs.alipay.com/mini/api/gecnap
 *   my.sendSocketMessage    https://opendocs.alipay.com/mini/api/mr91d1
 *   my.onSocketClose        https://opendocs.alipay.com/mini/api/foqk6g
 *   my.onSocketError        https://opendocs.alipay.com/mini/api/giu3c2
 *   my.onAppHide/onAppShow  https://opendocs.alipay.com/mini/api/tv6qvi, https://opendocs.alipay.com/mini/api/nn7do1
 *   my.onNetworkStatusChange https://opendocs.alipay.com/mini/api/ympi0l
 *   typings: @mini-types/my 3.0.14 (SocketTask event shapes)
 * and its storage (on a StorageArea with ALIPAY_LIMITS, kept across a relaunch):
 *   my.setStorage       https://opendocs.alipay.com/mini/api/eocm6v
 *   my.setStorageSync   https://opendocs.alipay.com/mini/api/cog0du
 *   my.getStorageSync   https://opendocs.alipay.com/mini/api/ox0wna
 *   my.removeStorage    https://opendocs.alipay.com/mini/api/of9hze (and removeStorageSync)
 *     — `{key, data}` objects, not WeChat's (key, data); getStorageSync({key}) returns `{data}`;
 *       failures are `{error, errorMessage}`; setStorageSync RETURNS that failure instead of
 *       throwing (Android may add success: false to it); 200 KB per item (a string of 200*1024
 *       characters), 10 MB in all; error 12 存储总大小达到上限, 14 data长度超限.
 * What the documentation leaves open is chosen here and said so ("undocumented:").
 */
import { ALIPAY_LIMITS, StorageArea } from '../storage';
import { NodeSocketTask } from '../wx';
import { fromBase64, isArrayBufferAnyRealm, Listeners, localArrayBuffer, PlatformDouble, silence, toBase64 } from './common';

/** Alipay's failure result: `{error, errorMessage}`, no errMsg (vx19c3 "错误码"). */
export interface AlipayFail {
  error: number;
  errorMessage: string;
}

type Callbacks<S = unknown> = { success?: (res: S) => void; fail?: (res: AlipayFail) => void; complete?: (res: unknown) => void };

export interface NodeMyOptions {
  /**
   * `multiple: true` returns a SocketTask (vx19c3). false: a base library without it (< 2.9.1 and
   * no behavior.connectSocketDefaultMultiple): connectSocket returns nothing, one global socket.
   */
  supportsMultiple?: boolean;
  /**
   * Binary frames (gecnap, mr91d1): 'base64' — older clients deliver binary as a base64 string
   * with isBuffer: true and send only strings (binary as base64 + isBuffer: true; an ArrayBuffer
   * fails); 'arraybuffer' — client 10.5.16+ also delivers and accepts ArrayBuffer.
   */
  binary?: 'base64' | 'arraybuffer';
  /**
   * The platform may intercept `protocols` (vx19c3 notes; giu3c2 error 8 "Invalid
   * Sec-WebSocket-Accept" → "specify Sec-WebSocket-Protocol"): then no Sec-WebSocket-Protocol is sent.
   */
  dropsProtocols?: boolean;
  /** At most 5 WebSocket instances (vx19c3). */
  maxSockets?: number;
  /**
   * How a SocketTask's message arrives. 'nested' (default): `{data: {socketTaskID, data, isBuffer}}`,
   * as @mini-types/my types it; 'documented': `{data, isBuffer}` at the top, as gecnap documents
   * my.onSocketMessage and vx19c3 says SocketTask.onMessage takes "接口参数同 my.onSocketMessage";
   * 'unreadable' (tests only): `{data: {socketTaskID, payload}}`, a shape neither describes.
   */
  taskMessages?: 'nested' | 'documented' | 'unreadable';
  /** Undocumented: whether and when sockets are cut in the background. Absent: never. */
  suspendAfterMs?: number;
  /** The device's storage; a relaunch hands the same one (revived) to a new NodeMy. Default: ALIPAY_LIMITS. */
  storage?: StorageArea;
}

/** Error codes of vx19c3 / mr91d1 (the numbers are Alipay's; the texts are short paraphrases). */
export const ALIPAY_ERRORS = {
  unknown: { error: 1, errorMessage: '未知错误' },
  invalidParameter: { error: 2, errorMessage: '参数错误' },
  socketExists: { error: 3, errorMessage: '已存在 socket 连接' },
  badUrl: { error: 4, errorMessage: 'URL 参数错误' },
  notWs: { error: 5, errorMessage: 'URL 必须以 ws 或 wss 开头' },
  notOpen: { error: 10, errorMessage: 'socket 连接未打开' },
} as const;

/** Storage error codes (cog0du, eocm6v). */
export const ALIPAY_STORAGE_ERRORS = {
  /** 存储总大小达到上限: the 10 MB of the mini-program are used up. */
  full: { error: 12, errorMessage: '存储总大小达到上限' },
  /** data长度超限: one item over 200 KB. */
  itemTooLong: { error: 14, errorMessage: 'data长度超限' },
} as const;

/** Whether the process is still alive: a killed double calls nothing back. */
type Alive = () => boolean;
const always: Alive = () => true;

const ok = <S>(cb: Callbacks<S>, res: S, alive: Alive = always): void => {
  setTimeout(() => {
    if (!alive()) return;
    cb.success?.(res);
    cb.complete?.(res);
  }, 0);
};
const failed = (cb: Callbacks<never>, res: AlipayFail, alive: Alive = always): void => {
  setTimeout(() => {
    if (!alive()) return;
    cb.fail?.({ ...res });
    cb.complete?.({ ...res });
  }, 0);
};

/** The wire side of one Alipay socket, shared by SocketTask and the global socket. */
class AlipayWire {
  readonly inner: NodeSocketTask;
  constructor(
    url: string,
    readonly id: number,
    private readonly binary: 'base64' | 'arraybuffer',
    onEnd: () => void,
    private readonly alive: Alive = always,
  ) {
    this.inner = new NodeSocketTask(url, () => onEnd());
  }

  get readyState(): number {
    return this.inner.readyState;
  }

  /**
   * A received frame as Alipay reports it (gecnap): text as a string with isBuffer false; binary
   * as base64 with isBuffer true ('base64'), or as an ArrayBuffer ('arraybuffer', 10.5.16+).
   */
  message(data: string | ArrayBuffer): { data: string | ArrayBuffer; isBuffer: boolean } {
    if (typeof data === 'string') return { data, isBuffer: false };
    return this.binary === 'base64' ? { data: toBase64(data), isBuffer: true } : { data: localArrayBuffer(data), isBuffer: false };
  }

  /** sendSocketMessage / SocketTask.send rules (mr91d1): strings; binary as base64 + isBuffer. */
  send(options: { data: unknown; isBuffer?: boolean } & Callbacks<{ success: true }>): void {
    const alive = this.alive;
    if (this.inner.readyState !== 1) return failed(options, ALIPAY_ERRORS.notOpen, alive);
    let out: string | ArrayBuffer;
    if (typeof options.data === 'string') {
      if (options.isBuffer) {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(options.data)) return failed(options, ALIPAY_ERRORS.invalidParameter, alive);
        out = fromBase64(options.data);
      } else out = options.data;
    } else if (isArrayBufferAnyRealm(options.data) && this.binary === 'arraybuffer') {
      out = localArrayBuffer(options.data);
    } else {
      // mr91d1: data is String; binary goes as base64 with isBuffer: true.
      return failed(options, ALIPAY_ERRORS.invalidParameter, alive);
    }
    this.inner.send({
      data: out,
      success: () => ok(options, { success: true as const }, alive),
      fail: (res) => failed(options, { error: ALIPAY_ERRORS.unknown.error, errorMessage: res.errMsg }, alive),
    });
  }

  close(options: { code?: number; reason?: string } & Callbacks<unknown> = {}): void {
    this.inner.close({ code: options.code ?? 1000, reason: options.reason ?? '' });
    ok(options, { message: 'close success' }, this.alive);
  }
}

type TaskData = { data: { socketTaskID: number } };

/** my.connectSocket({multiple: true})'s SocketTask (vx19c3, @mini-types/my SocketTask). */
export class AlipaySocketTask {
  private readonly opens = new Listeners<TaskData>();
  private readonly messages = new Listeners<unknown>();
  private readonly closes = new Listeners<{ code: number; reason: string; data: { socketTaskID: number; code: number; reason: string } }>();
  private readonly errors = new Listeners<AlipayFail & { data: { socketTaskID: number } & AlipayFail }>();

  constructor(
    readonly wire: AlipayWire,
    shape: NodeMyOptions['taskMessages'] = 'nested',
  ) {
    const id = wire.id;
    wire.inner.onOpen(() => this.opens.emit({ data: { socketTaskID: id } }));
    wire.inner.onMessage(({ data }) => {
      const message = wire.message(data);
      if (shape === 'documented') this.messages.emit(message);
      else if (shape === 'unreadable') this.messages.emit({ data: { socketTaskID: id, payload: message.data } });
      else this.messages.emit({ data: { socketTaskID: id, ...message } });
    });
    wire.inner.onClose(({ code, reason }) => this.closes.emit({ code, reason, data: { socketTaskID: id, code, reason } }));
    // Failures carry {error, errorMessage} (vx19c3); undocumented which number: 1 (unknown).
    wire.inner.onError(({ errMsg }) => {
      const fail = { error: ALIPAY_ERRORS.unknown.error, errorMessage: errMsg };
      this.errors.emit({ ...fail, data: { socketTaskID: id, ...fail } });
    });
  }

  onOpen = this.opens.add;
  offOpen = this.opens.remove;
  onMessage = this.messages.add;
  offMessage = this.messages.remove;
  onClose = this.closes.add;
  offClose = this.closes.remove;
  onError = this.errors.add;
  offError = this.errors.remove;

  send = (options: { data: unknown; isBuffer?: boolean } & Callbacks<{ success: true }>): void => this.wire.send(options);
  close = (options?: { code?: number; reason?: string } & Callbacks<unknown>): void => this.wire.close(options);
}

type AppListener = (res: Record<string, unknown>) => void;
type NetworkListener = (res: { isConnected: boolean; networkType: string }) => void;

export class NodeMy implements PlatformDouble {
  readonly requests: { url: string; protocols?: unknown; multiple?: unknown }[] = [];
  /** Live sockets (SocketTasks and the global one). */
  readonly wires = new Set<AlipayWire>();
  /** Protocols each socket actually asked the server for. */
  readonly sentProtocols: string[][] = [];
  isConnected = true;
  readonly storage: StorageArea;
  private global?: AlipayWire;
  private nextId = 1;
  private killed = false;
  private readonly alive: Alive = () => !this.killed;
  private readonly options: Required<Omit<NodeMyOptions, 'suspendAfterMs' | 'storage'>> & { suspendAfterMs?: number };
  private readonly socketOpen = new Listeners<Record<string, never>>();
  private readonly socketMessage = new Listeners<{ data: string | ArrayBuffer; isBuffer: boolean }>();
  private readonly socketClose = new Listeners<{ code: number; reason: string }>();
  private readonly socketError = new Listeners<AlipayFail>();
  private readonly shows = new Listeners<Record<string, unknown>>();
  private readonly hides = new Listeners<Record<string, unknown>>();
  private readonly network = new Listeners<{ isConnected: boolean; networkType: string }>();
  private suspendTimer?: NodeJS.Timeout;

  constructor({ storage, ...options }: NodeMyOptions = {}) {
    this.options = { supportsMultiple: true, binary: 'base64', dropsProtocols: false, maxSockets: 5, taskMessages: 'nested', ...options };
    this.storage = storage ?? new StorageArea(ALIPAY_LIMITS);
  }

  get api(): this {
    return this;
  }

  /**
   * vx19c3: returns a SocketTask when `multiple: true` (and the base library knows it); otherwise
   * nothing, and the socket is driven by the global my.onSocket* / sendSocketMessage / closeSocket,
   * one at a time (a second one fails with error 3).
   */
  connectSocket = (
    options: { url: string; protocols?: string[]; multiple?: boolean; header?: Record<string, string>; data?: unknown } & Callbacks<unknown>,
  ): AlipaySocketTask | undefined => {
    this.requests.push({ url: options.url, protocols: options.protocols, multiple: options.multiple });
    const multiple = options.multiple === true && this.options.supportsMultiple;
    // a killed process opens nothing and calls nothing back (its SocketTask never starts)
    if (this.killed) return multiple ? new AlipaySocketTask(new AlipayWire(options.url, this.nextId++, this.options.binary, () => undefined, this.alive)) : undefined;
    const refusal = this.refusal(options, multiple);
    if (refusal) {
      failed(options, refusal, this.alive);
      return undefined;
    }
    const wire = new AlipayWire(
      options.url,
      this.nextId++,
      this.options.binary,
      () => {
        this.wires.delete(wire);
        if (this.global === wire) this.global = undefined;
      },
      this.alive,
    );
    this.wires.add(wire);
    const task = multiple ? new AlipaySocketTask(wire, this.options.taskMessages) : undefined;
    if (!multiple) this.attachGlobal(wire);
    const protocols = this.options.dropsProtocols || !Array.isArray(options.protocols) ? [] : options.protocols;
    this.sentProtocols.push(protocols);
    wire.inner.start(protocols);
    ok(options, multiple ? { socketTaskID: wire.id } : {}, this.alive);
    return task;
  };

  private refusal(options: { url: string }, multiple: boolean): AlipayFail | undefined {
    if (typeof options.url !== 'string' || options.url === '') return ALIPAY_ERRORS.badUrl;
    if (!/^wss?:\/\//.test(options.url)) return ALIPAY_ERRORS.notWs;
    // undocumented: the result of connecting without a network; error 1 (unknown).
    if (!this.isConnected) return { error: 1, errorMessage: '网络不可用' };
    if (!multiple && this.global) return ALIPAY_ERRORS.socketExists;
    // undocumented: which error exceeding 5 sockets gives; error 1 (unknown).
    if (this.wires.size >= this.options.maxSockets) return { error: 1, errorMessage: `超过最大连接数 ${this.options.maxSockets}` };
    return undefined;
  }

  private attachGlobal(wire: AlipayWire): void {
    this.global = wire;
    wire.inner.onOpen(() => this.socketOpen.emit({}));
    // gecnap: my.onSocketMessage gets {data, isBuffer}; isBuffer true → data is base64.
    wire.inner.onMessage(({ data }) => this.socketMessage.emit(wire.message(data)));
    wire.inner.onClose(({ code, reason }) => this.socketClose.emit({ code, reason }));
    // giu3c2: my.onSocketError gets {error, errorMessage}.
    wire.inner.onError(({ errMsg }) => this.socketError.emit({ error: 1, errorMessage: errMsg }));
  }

  onSocketOpen = this.socketOpen.add;
  offSocketOpen = this.socketOpen.remove;
  onSocketMessage = this.socketMessage.add;
  offSocketMessage = this.socketMessage.remove;
  onSocketClose = this.socketClose.add;
  offSocketClose = this.socketClose.remove;
  onSocketError = this.socketError.add;
  offSocketError = this.socketError.remove;

  /** mr91d1: the global socket; error 10 when it is not open. */
  sendSocketMessage = (options: { data: unknown; isBuffer?: boolean } & Callbacks<{ success: true }>): void => {
    if (!this.global) return failed(options, ALIPAY_ERRORS.notOpen, this.alive);
    this.global.send(options);
  };

  closeSocket = (options: { code?: number; reason?: string } & Callbacks<unknown> = {}): void => {
    if (!this.global) return failed(options, ALIPAY_ERRORS.notOpen, this.alive);
    this.global.close(options);
  };

  // tv6qvi / nn7do1 (base library 1.20.0 for off*)
  onAppShow = (l: AppListener): void => this.shows.add(l);
  offAppShow = (l: AppListener): void => this.shows.remove(l);
  onAppHide = (l: AppListener): void => this.hides.add(l);
  offAppHide = (l: AppListener): void => this.hides.remove(l);
  // ympi0l: {isConnected, networkType} with networkType in upper case (WIFI, NOTREACHABLE, …).
  onNetworkStatusChange = (l: NetworkListener): void => this.network.add(l);
  offNetworkStatusChange = (l: NetworkListener): void => this.network.remove(l);

  /** my.getAuthCode (a stub: only here so the object looks like `my`). */
  getAuthCode = (options: { scopes?: string | string[] } & Callbacks<{ authCode: string }>): void => ok(options, { authCode: 'node-my-auth-code' }, this.alive);

  /**
   * Why Alipay refuses to store `data` under `key`, or undefined. Undocumented, chosen: a key that is
   * not a non-empty string gives error 2 (参数错误, the generic parameter error of the socket pages);
   * a `broken` StorageArea gives error 1 (未知错误).
   */
  private storageRefusal(key: unknown, data?: unknown): AlipayFail | undefined {
    if (this.storage.broken) return { error: ALIPAY_ERRORS.unknown.error, errorMessage: 'storage is broken (test)' };
    if (typeof key !== 'string' || key === '') return ALIPAY_ERRORS.invalidParameter;
    const refusal = data === undefined ? undefined : this.storage.refusal(key, data);
    if (refusal === 'item') return ALIPAY_STORAGE_ERRORS.itemTooLong;
    if (refusal === 'total') return ALIPAY_STORAGE_ERRORS.full;
    return undefined;
  }

  /**
   * eocm6v: my.setStorage({key, data, success, fail, complete}); fail gets {error, errorMessage}.
   * Undocumented, chosen: success gets { success: true }. Runs on a later tick (lost when the process
   * is killed first). A `broken: 'throw'` storage throws at once.
   */
  setStorage = (options: { key: string; data: unknown } & Callbacks<{ success: true }>): void => {
    if (this.storage.broken === 'throw') throw new Error('my.setStorage: storage is broken (test)');
    const refusal = this.storageRefusal(options.key, options.data);
    this.storage.later(() => {
      if (refusal) {
        options.fail?.({ ...refusal });
        options.complete?.({ ...refusal });
        return;
      }
      this.storage.set(options.key, options.data);
      options.success?.({ success: true });
      options.complete?.({ success: true });
    });
  };

  /**
   * cog0du: my.setStorageSync({key, data}) does not throw: it RETURNS the failure {error,
   * errorMessage}. Undocumented, chosen: a success returns { success: true }.
   */
  setStorageSync = (options: { key: string; data: unknown }): AlipayFail | { success: true } => {
    if (this.storage.broken === 'throw') throw new Error('my.setStorageSync: storage is broken (test)');
    const refusal = this.storageRefusal(options?.key, options?.data);
    if (refusal) return { ...refusal };
    this.storage.set(options.key, options.data);
    return { success: true };
  };

  /** my.getStorageInfoSync(): {keys, currentSize, limitSize} (Taro's page of the call lists Alipay's fields alike). */
  getStorageInfoSync = (): unknown => this.storage.info('my.getStorageInfoSync');

  /**
   * ox0wna: my.getStorageSync({key}) returns {data}. Undocumented, chosen: a missing key gives
   * {data: null} (as uni-app's and Taro's Alipay adapters read it), and a `broken` storage throws
   * (no failure result is documented for this call). Values are kept as the JSON text the 200 KB
   * limit counts; the library stores strings only, which come back as they went in.
   */
  getStorageSync = (options: { key: string }): { data: unknown } => {
    if (this.storage.broken) throw new Error('my.getStorageSync: storage is broken (test)');
    const value = this.storage.data.get(options?.key);
    return { data: value === undefined ? null : value };
  };

  /** of9hze: my.removeStorage({key, success, fail, complete}). */
  removeStorage = (options: { key: string } & Callbacks<{ success: true }>): void => {
    if (this.storage.broken === 'throw') throw new Error('my.removeStorage: storage is broken (test)');
    const refusal = this.storageRefusal(options.key);
    this.storage.later(() => {
      if (refusal) {
        options.fail?.({ ...refusal });
        options.complete?.({ ...refusal });
        return;
      }
      this.storage.remove(options.key);
      options.success?.({ success: true });
      options.complete?.({ success: true });
    });
  };

  /** my.removeStorageSync({key}): as setStorageSync, the failure is returned. */
  removeStorageSync = (options: { key: string }): AlipayFail | { success: true } => {
    if (this.storage.broken === 'throw') throw new Error('my.removeStorageSync: storage is broken (test)');
    const refusal = this.storageRefusal(options?.key);
    if (refusal) return { ...refusal };
    this.storage.remove(options.key);
    return { success: true };
  };

  openSockets(): number {
    return this.wires.size;
  }

  hideApp(): void {
    if (this.killed) return;
    this.hides.emit({});
    if (this.options.suspendAfterMs !== undefined) {
      this.suspendTimer = setTimeout(() => [...this.wires].forEach((w) => w.inner.interrupt('interrupted')), this.options.suspendAfterMs);
    }
  }

  showApp(): void {
    if (this.killed) return;
    clearTimeout(this.suspendTimer);
    this.shows.emit({ path: 'pages/index/index', query: {}, scene: '1001' });
  }

  setNetwork(connected: boolean): void {
    if (this.killed) return;
    this.isConnected = connected;
    if (!connected) [...this.wires].forEach((w) => w.inner.interrupt('network is down'));
    this.network.emit({ isConnected: connected, networkType: connected ? 'WIFI' : 'NOTREACHABLE' });
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
    [...this.wires].forEach((w) => silence(w.inner));
    this.wires.clear();
    this.global = undefined;
  }

  dispose(): void {
    clearTimeout(this.suspendTimer);
    [...this.wires].forEach((w) => w.inner.interrupt('disposed'));
  }
}
