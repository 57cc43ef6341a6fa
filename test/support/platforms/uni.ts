/**
 * uni-app's `uni` (its App/H5 runtime, where `uni` is a real global and wraps the native socket),
 * for Node: wraps a native double (NodeWx by default), written from uni-app's documentation:
 *   uni.connectSocket   https://uniapp.dcloud.net.cn/api/request/websocket
 *   SocketTask          https://uniapp.dcloud.net.cn/api/request/socket-task (the native shapes, not wrapped)
 *   Promise 化          https://uniapp.dcloud.net.cn/api/ (README: API Promise 化)
 *   uni.onAppShow / uni.onAppHide, uni.onNetworkStatusChange {isConnected, networkType}, uni.$on /
 *   uni.$emit — pages of the same API docs;
 *   uni.setStorage & co. https://uniapp.dcloud.net.cn/api/storage/storage.html — WeChat's shapes,
 *     the host's storage on a mini-program target (passed through to the native double);
 *     uni.setStorage / removeStorage without success / fail / complete return a Promise (Promise 化).
 * What the documentation leaves open is chosen here and said so ("undocumented:").
 */
import { NodeSocketTask, NodeWx } from '../wx';
import { isArrayBufferAnyRealm, localArrayBuffer } from './common';
import { OverNativeWx } from './over-native';

type Res = { errMsg: string };
type Callbacks = { success?: (res: Res) => void; fail?: (res: Res) => void; complete?: (res: Res) => void };
type ConnectOptions = { url: string; header?: Record<string, string>; protocols?: string[]; method?: string; multiple?: boolean } & Callbacks;

export interface NodeUniOptions {
  /**
   * websocket.html 注意事项: "App 平台，2.2.6 以下的版本，不支持 ArrayBuffer 类型的数据收发" and "所有
   * vue 页面只能使用一个 websocket 连接". Sending an ArrayBuffer fails; undocumented how a binary
   * frame is received: here it arrives as a string (its bytes read as UTF-8, so not byte-exact);
   * undocumented what a second socket does: here connectSocket fails.
   */
  appBelow226?: boolean;
}

/**
 * The SocketTask uni returns: the native one, not wrapped (socket-task.html: onMessage {data},
 * onClose {code, reason}, onError {errMsg}); binary as ArrayBuffers of this realm.
 */
export class UniSocketTask {
  constructor(
    readonly native: NodeSocketTask,
    private readonly below226: boolean,
    private readonly rejected: string[] = [],
    private readonly alive: () => boolean = () => true,
  ) {}

  get readyState(): number {
    return this.native.readyState;
  }

  onOpen = (l: (res: { header: Record<string, string> }) => void): void => this.native.onOpen(l);
  onClose = (l: (res: { code: number; reason: string }) => void): void => this.native.onClose(l);
  onError = (l: (res: { errMsg: string }) => void): void => this.native.onError(l);
  onMessage = (l: (res: { data: string | ArrayBuffer }) => void): void =>
    this.native.onMessage(({ data }) => {
      if (typeof data === 'string') l({ data });
      else if (this.below226) l({ data: Buffer.from(new Uint8Array(data)).toString('utf8') });
      else l({ data: localArrayBuffer(data) });
    });

  send = (options: { data: unknown } & Callbacks): void => {
    if (typeof options.data !== 'string' && (this.below226 || !isArrayBufferAnyRealm(options.data))) {
      this.rejected.push(Object.prototype.toString.call(options.data));
      const errMsg = this.below226 ? 'sendSocketMessage:fail ArrayBuffer is not supported (App < 2.2.6)' : 'sendSocketMessage:fail parameter error: data should be String or ArrayBuffer';
      setTimeout(() => {
        if (!this.alive()) return;
        options.fail?.({ errMsg });
        options.complete?.({ errMsg });
      }, 0);
      return;
    }
    this.native.send({ data: typeof options.data === 'string' ? options.data : localArrayBuffer(options.data as ArrayBuffer), success: options.success, fail: options.fail, complete: options.complete });
  };

  close = (options?: { code?: number; reason?: string } & Callbacks): void => this.native.close(options);
}

export class NodeUni extends OverNativeWx {
  /** Every uni.connectSocket call (the native double records its own). */
  readonly requests: { url: string; protocols?: unknown; style: 'task' | 'promise' }[] = [];
  /** What SocketTask.send refused (the type of each `data`). */
  readonly rejectedSends: string[] = [];
  private readonly tasks = new Set<UniSocketTask>();
  private readonly bus = new Map<string, Set<(...args: unknown[]) => void>>();

  constructor(
    native: NodeWx = new NodeWx(),
    private readonly options: NodeUniOptions = {},
  ) {
    super(native);
  }

  /**
   * websocket.html 返回值: "如果希望返回一个 socketTask 对象，需要至少传入 success / fail / complete
   * 参数中的一个"; without any of them, a Promise (Vue 3: resolves with the success result,
   * rejects with the fail result; README.html Promise 化).
   */
  connectSocket = (options: ConnectOptions): UniSocketTask | Promise<Res> => {
    const style = options.success || options.fail || options.complete ? 'task' : 'promise';
    this.requests.push({ url: options.url, protocols: options.protocols, style });
    if (style === 'promise') return new Promise<Res>((resolve, reject) => void this.open({ ...options, success: resolve, fail: reject }));
    return this.open(options);
  };

  private open(options: ConnectOptions): UniSocketTask {
    if (this.options.appBelow226 && this.tasks.size > 0) {
      const errMsg = 'connectSocket:fail only one websocket connection (App < 2.2.6)';
      const refused = new UniSocketTask(new NodeSocketTask(options.url, () => undefined), true);
      setTimeout(() => {
        if (this.killed) return;
        options.fail?.({ errMsg });
        options.complete?.({ errMsg });
        refused.native.fail(errMsg);
      }, 0);
      return refused;
    }
    const native = this.native.connectSocket({ url: options.url, header: options.header, protocols: options.protocols, success: options.success, fail: options.fail, complete: options.complete });
    const task = new UniSocketTask(native, this.options.appBelow226 === true, this.rejectedSends, () => !this.killed);
    this.tasks.add(task);
    native.onClose(() => this.tasks.delete(task));
    return task;
  }

  // uni.$on/$emit: the global event bus (stubs that work; present so `uni` looks like uni).
  $on = (event: string, callback: (...args: unknown[]) => void): void => {
    if (!this.bus.has(event)) this.bus.set(event, new Set());
    this.bus.get(event)!.add(callback);
  };
  $off = (event: string, callback?: (...args: unknown[]) => void): void => {
    if (callback) this.bus.get(event)?.delete(callback);
    else this.bus.delete(event);
  };
  $once = (event: string, callback: (...args: unknown[]) => void): void => {
    const once = (...args: unknown[]): void => {
      this.$off(event, once);
      callback(...args);
    };
    this.$on(event, once);
  };
  $emit = (event: string, ...args: unknown[]): void => [...(this.bus.get(event) ?? [])].forEach((cb) => cb(...args));

  /** Promise 化: with a success / fail / complete callback the native call as it is; without, a Promise (Vue 3). */
  setStorage = (options: { key: string; data: unknown } & Callbacks): Promise<Res> | undefined => {
    if (options.success || options.fail || options.complete) return void this.native.setStorage(options);
    return new Promise<Res>((resolve, reject) => this.native.setStorage({ ...options, success: resolve, fail: reject }));
  };

  removeStorage = (options: { key: string } & Callbacks): Promise<Res> | undefined => {
    if (options.success || options.fail || options.complete) return void this.native.removeStorage(options);
    return new Promise<Res>((resolve, reject) => this.native.removeStorage({ ...options, success: resolve, fail: reject }));
  };
}
